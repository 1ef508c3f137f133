// WebSocketProvider and useWebSocketClient: one shared connection for a component tree.

import { createElement, useContext, type ReactElement, type ReactNode } from 'react';
import type { ClientOptions, EnhancedWebSocketClient, EventMap, UrlSource } from '../index.js';
import { WebSocketClientContext } from './contexts.js';
import { useSharedClient } from './use-shared-client.js';

export interface WebSocketProviderProps {
  url: UrlSource;
  options?: ClientOptions | undefined;
  children?: ReactNode;
}

/**
 * Holds one client for `url` + `options` while mounted (through the same registry as
 * `useWebSocket`, so a hook with the same url and options shares it too) and gives it to the
 * tree below. The provider itself never re-renders on connection changes; components that want
 * the state call `useWebSocket(useWebSocketClient())`.
 *
 * @example
 * <WebSocketProvider url="wss://example.com/ws" options={{ heartbeat: { interval: 10_000 } }}>
 *   <Chat />
 * </WebSocketProvider>
 *
 * function Chat() {
 *   const { state, send } = useWebSocket(useWebSocketClient<Events>());
 *   …
 * }
 */
export function WebSocketProvider({ url, options, children }: WebSocketProviderProps): ReactElement {
  const client = useSharedClient<EventMap, EventMap>(url, options);
  return createElement(WebSocketClientContext.Provider, { value: client }, children);
}

/**
 * The client of the nearest `<WebSocketProvider>`; throws outside one. The type arguments are
 * asserted, not checked: they should match the messages the provider's server speaks.
 *
 * @example
 * const client = useWebSocketClient<Events>();
 * useWebSocketEvent(client, 'chat', (msg) => console.log(msg.text));
 */
export function useWebSocketClient<Events extends object = EventMap, Replies extends object = EventMap>(): EnhancedWebSocketClient<Events, Replies> {
  const client = useContext(WebSocketClientContext);
  if (!client) throw new Error('enhanced-ws: useWebSocketClient() must be called inside a <WebSocketProvider>');
  return client as unknown as EnhancedWebSocketClient<Events, Replies>;
}
