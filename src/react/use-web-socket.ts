// useWebSocket: a client's state, transport and last message as React state, plus its send/request.

import { useCallback, useMemo, useRef, useSyncExternalStore } from 'react';
import {
  EnhancedWebSocketClient,
  type ClientOptions,
  type ClientStats,
  type ConnectionState,
  type EventMap,
  type InboundMessage,
  type TransportName,
  type UrlSource,
} from '../index.js';
import { useSharedClient } from './use-shared-client.js';

/** What `useWebSocket` returns. */
export interface UseWebSocketResult<Events extends object = EventMap, Replies extends object = EventMap> {
  /** The (shared) client: pass it to `useWebSocketEvent`, or call `on`, `close`, `connect`… */
  readonly client: EnhancedWebSocketClient<Events, Replies>;
  /** Re-renders the component when it changes. `'idle'` during server rendering. */
  readonly state: ConnectionState;
  /** Read with `state`; `null` while there is no connection. */
  readonly transport: TransportName | null;
  /** `client.send`, bound: the same function for as long as the client is the same. */
  readonly send: EnhancedWebSocketClient<Events, Replies>['send'];
  /** `client.request`, bound: the same function for as long as the client is the same. */
  readonly request: EnhancedWebSocketClient<Events, Replies>['request'];
  /**
   * The last inbound message since this component mounted (as `client.onAny` sees it, so
   * including `pong`/`reply` frames), or null. Reading it (also by destructuring or spreading
   * the result) subscribes this component to every message; not reading it costs no re-render.
   */
  readonly lastMessage: InboundMessage | null;
  /** A fresh snapshot of `client.stats` on each read; reading it does not subscribe. */
  readonly stats: Readonly<ClientStats>;
}

/**
 * Connects to `url` while the component is mounted and re-renders it when the connection state
 * changes (not on every message, unless it reads `lastMessage`). Components calling it with the
 * same url and options share one client, and so one socket, one heartbeat and one retry loop;
 * the last one to unmount closes it. Options with functions or class instances (`WebSocket`,
 * `serializer`, a url function) are compared by identity: define them outside the component or
 * memoize them, or each render is a new client.
 *
 * Also accepts an existing client (e.g. from `useWebSocketClient()`), which it binds without
 * holding or closing it.
 *
 * @example
 * type Events = { chat: { user: string; text: string } };
 * function Chat() {
 *   const { client, state, send } = useWebSocket<Events>('wss://example.com/ws');
 *   useWebSocketEvent(client, 'chat', (msg) => console.log(msg.user, msg.text));
 *   return <button disabled={state !== 'open'} onClick={() => send('chat', { user: 'ada', text: 'hi' })}>Send</button>;
 * }
 */
export function useWebSocket<Events extends object = EventMap, Replies extends object = EventMap>(
  url: UrlSource,
  options?: ClientOptions,
): UseWebSocketResult<Events, Replies>;
export function useWebSocket<Events extends object = EventMap, Replies extends object = EventMap>(
  client: EnhancedWebSocketClient<Events, Replies>,
): UseWebSocketResult<Events, Replies>;
export function useWebSocket<Events extends object, Replies extends object>(
  source: UrlSource | EnhancedWebSocketClient<Events, Replies>,
  options?: ClientOptions,
): UseWebSocketResult<Events, Replies> {
  // A url is a string or a function, so an object is a client: not `instanceof`, which a second
  // copy of the core (the CJS build beside the ESM one, a duplicate install) would fail.
  const given = typeof source === 'object' ? source : null;
  const shared = useSharedClient<Events, Replies>(given ? null : (source as UrlSource), options);
  const client = (given ?? shared) as EnhancedWebSocketClient<Events, Replies>;

  // Tear-free state: React reads `client.state` and re-reads it on every `onStateChange`.
  const subscribeState = useCallback((onChange: () => void) => client.onStateChange(onChange), [client]);
  const state = useSyncExternalStore(subscribeState, () => client.state, serverState);
  // While not open the client's transport may change without an event (an attempt picks one): null then.
  const transport = useSyncExternalStore(subscribeState, () => (client.state === 'open' ? client.transport : null), serverTransport);
  const readLastMessage = useLastMessage(client);
  const send = useMemo(() => client.send.bind(client), [client]);
  const request = useMemo(() => client.request.bind(client), [client]);

  return {
    client,
    state,
    transport,
    send,
    request,
    get lastMessage() {
      return readLastMessage();
    },
    get stats() {
      return client.stats;
    },
  };
}

const serverState = (): ConnectionState => 'idle';
const serverTransport = (): TransportName | null => null;

/**
 * `lastMessage` without a re-render per message for components that never read it: the
 * subscription always records the last message (a field write), but tells React only once the
 * component has read it. The first read returns the recorded message directly; from then on it
 * is the `useSyncExternalStore` snapshot, so concurrent renders stay tear-free.
 */
function useLastMessage<E extends object, R extends object>(client: EnhancedWebSocketClient<E, R>): () => InboundMessage | null {
  const tracked = useRef(false);
  const store = useMemo<{ last: InboundMessage | null }>(() => ({ last: null }), [client]);
  const subscribe = useCallback(
    (onChange: () => void) =>
      client.onAny((message) => {
        store.last = message;
        if (tracked.current) onChange();
      }),
    [client, store],
  );
  const snapshot = useSyncExternalStore(subscribe, () => (tracked.current ? store.last : null), serverLastMessage);
  // One value per render, however often it is read (and from event handlers of this render).
  let read: { value: InboundMessage | null } | undefined = tracked.current ? { value: snapshot } : undefined;
  return () => {
    if (!read) {
      // A ref written during render: idempotent (false → true) and harmless if the render is discarded.
      tracked.current = true;
      read = { value: store.last };
    }
    return read.value;
  };
}

const serverLastMessage = (): null => null;
