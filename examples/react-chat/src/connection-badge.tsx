// The connection badge: the client's state in words, with a live countdown to the next reconnect attempt.

import { useEffect, useState } from 'react';
import type { ConnectionState, TransportName } from '../../../src/index';
import type { ChatClient } from './use-chat';

function describe(state: ConnectionState, transport: TransportName | null, msLeft: number): string {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'open':
      return transport === 'long-polling' ? 'Connected · long-polling' : 'Connected';
    case 'reconnecting': {
      if (!navigator.onLine) return 'Offline · waiting for the network';
      const left = Math.ceil(msLeft / 1000);
      return left > 0 ? `Reconnecting in ${left} s` : 'Reconnecting…';
    }
    case 'closed':
      return 'Disconnected';
    case 'idle':
      return 'Not connected';
  }
}

/** When the next attempt starts: `onReconnecting` says how long the client waits. */
function useRetryAt(client: ChatClient | null): number {
  const [retryAt, setRetryAt] = useState(0);
  useEffect(
    () =>
      client?.onReconnecting(({ delay }) => {
        setRetryAt(Date.now() + delay);
      }),
    [client],
  );
  return retryAt;
}

/** The clock, ticking every `everyMs` while that is not null. */
function useNow(everyMs: number | null): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (everyMs === null) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => {
      setNow(Date.now());
    }, everyMs);
    return () => {
      clearInterval(timer);
    };
  }, [everyMs]);
  return now;
}

export interface ConnectionBadgeProps {
  client: ChatClient | null;
  state: ConnectionState;
  transport: TransportName | null;
}

export function ConnectionBadge({ client, state, transport }: ConnectionBadgeProps) {
  const retryAt = useRetryAt(client);
  const now = useNow(state === 'reconnecting' ? 250 : null);
  return (
    <span id="badge" className="badge" data-state={state} data-transport={transport ?? ''} role="status" aria-live="polite">
      {describe(state, transport, retryAt - now)}
    </span>
  );
}
