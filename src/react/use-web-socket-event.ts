// useWebSocketEvent: calls the latest handler for each message of one type, subscribed once per client and type.

import { useEffect, useInsertionEffect, useRef } from 'react';
import type { EnhancedWebSocketClient, Envelope } from '../index.js';

/** The handler of `type`: the payload type comes from the client's `Events` map. */
export type WebSocketEventHandler<Events extends object, K extends keyof Events & string> = (
  payload: Events[K],
  message: Envelope<K, Events[K]>,
) => void;

/**
 * Calls `handler(payload, message)` for every message of `type` (a burst of 1,000 messages in
 * one task calls it 1,000 times: nothing goes through React state). The subscription is made
 * once per client and type; the handler is read from a ref, so an inline arrow function neither
 * resubscribes on each render nor runs stale. A null client (not created yet) subscribes nothing.
 *
 * @example
 * const { client } = useWebSocket<{ chat: { user: string; text: string } }>(url);
 * useWebSocketEvent(client, 'chat', (msg) => setLines((lines) => [...lines, `${msg.user}: ${msg.text}`]));
 */
export function useWebSocketEvent<Events extends object, Replies extends object, K extends keyof Events & string>(
  client: EnhancedWebSocketClient<Events, Replies> | null | undefined,
  type: K,
  handler: WebSocketEventHandler<Events, K>,
): void {
  const latest = useRef(handler);
  // Insertion effects run before every layout and passive effect of the commit, so no message
  // handled after the commit can reach a handler older than the rendered one.
  useInsertionEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!client) return undefined;
    return client.on(type, (payload, message) => {
      latest.current(payload, message);
    });
  }, [client, type]);
}
