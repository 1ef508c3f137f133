// Public entry of `enhanced-ws/react`: hooks and a provider over the core client (React is a peer dependency).

export { useWebSocket } from './use-web-socket';
export type { UseWebSocketResult } from './use-web-socket';
export { useWebSocketEvent } from './use-web-socket-event';
export type { WebSocketEventHandler } from './use-web-socket-event';
export { WebSocketProvider, useWebSocketClient } from './provider';
export type { WebSocketProviderProps } from './provider';
export { ClientRegistry } from './client-registry';
export type { ClientRegistryOptions, Closable, Lease } from './client-registry';
export { ClientRegistryContext } from './contexts';
