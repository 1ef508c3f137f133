// Public entry of `enhanced-ws/react`: hooks and a provider over the core client (React is a peer dependency).

export { useWebSocket } from './use-web-socket.js';
export type { UseWebSocketResult } from './use-web-socket.js';
export { useWebSocketEvent } from './use-web-socket-event.js';
export type { WebSocketEventHandler } from './use-web-socket-event.js';
export { WebSocketProvider, useWebSocketClient } from './provider.js';
export type { WebSocketProviderProps } from './provider.js';
export { ClientRegistry } from './client-registry.js';
export type { ClientRegistryOptions, Closable, Lease } from './client-registry.js';
export { ClientRegistryContext } from './contexts.js';
