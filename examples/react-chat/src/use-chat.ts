// useChat: the lobby of examples/handlers/chat.mjs over the shared client — join on every open, history, live lines, sending.

import { useCallback, useEffect, useReducer } from 'react';
import type { ClientOptions, ConnectionState, EnhancedWebSocketClient, TransportName } from '../../../src/index';
// In an app: import { useWebSocket, useWebSocketEvent } from 'enhanced-ws/react';
import { useWebSocket, useWebSocketEvent } from '../../../src/react/index';
import type { ChatEvents, ChatReplies } from '../../handlers/chat.mjs';
import { linesReducer, noLines, type LinesState } from './lines';

export type ChatClient = EnhancedWebSocketClient<ChatEvents, ChatReplies>;

export interface Chat extends LinesState {
  readonly client: ChatClient;
  readonly state: ConnectionState;
  readonly transport: TransportName | null;
  /** Messages waiting in the client's queue (sent while not connected). */
  readonly queued: number;
  readonly say: (text: string) => void;
}

let sent = 0;
/** Our own id for a line, to match it when the server sends it back (randomUUID needs a secure context). */
const newCid = (): string => `${Date.now().toString(36)}-${(sent++).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/**
 * Joins the lobby as `nick` and keeps its lines. `options` must keep its identity across renders
 * (define it outside the component): `useWebSocket` shares one client per url + options.
 */
export function useChat(nick: string, options: ClientOptions): Chat {
  // Re-renders on state changes only; `stats` is read fresh on each render.
  const { client, state, transport, send, stats } = useWebSocket<ChatEvents, ChatReplies>('/ws', options);
  const [lines, dispatch] = useReducer(linesReducer, noLines);

  // One type, two directions: what comes back has a `kind`.
  useWebSocketEvent(client, 'chat', (payload) => {
    if ('kind' in payload) dispatch({ type: 'received', lines: [payload] });
  });
  useWebSocketEvent(client, 'system', (line) => {
    dispatch({ type: 'received', lines: [line] });
  });

  // Each (re)connection is a new connection for the server: say who we are, then catch up on
  // what was said meanwhile. Open listeners run before the client flushes its queue, so `join`
  // reaches the server before the lines typed while offline.
  useEffect(() => {
    let joined = false;
    const join = (): void => {
      client.send('join', { nick, again: joined });
      joined = true;
      client.request('history').then(
        ({ lines: history }) => {
          dispatch({ type: 'received', lines: history });
        },
        () => undefined, // dropped again before the reply: the next open asks again
      );
    };
    if (client.state === 'open') join(); // a client another component already opened
    return client.onOpen(join);
  }, [client, nick]);

  const say = useCallback(
    (text: string) => {
      const cid = newCid();
      send('chat', { text, cid }); // now when open, queued in order when not
      dispatch({ type: 'pending', pending: { cid, text } });
    },
    [send],
  );

  return { ...lines, client, state, transport, queued: stats.queued, say };
}
