// The React contexts of the adapter: which registry shares clients, and the provider's client.

import { createContext } from 'react';
import type { EnhancedWebSocketClient } from '../index.js';
import { ClientRegistry } from './client-registry.js';

/**
 * The registry `useWebSocket` and `WebSocketProvider` share clients through. The default is one
 * registry for the whole app (created empty at import: no socket, timer or global is touched);
 * provide another to isolate a subtree (tests) or to keep clients open longer between users.
 *
 * @example
 * const registry = new ClientRegistry({ closeDelayMs: 5000 });
 * root.render(
 *   <ClientRegistryContext.Provider value={registry}>
 *     <App />
 *   </ClientRegistryContext.Provider>,
 * );
 */
export const ClientRegistryContext = /* @__PURE__ */ createContext<ClientRegistry>(/* @__PURE__ */ new ClientRegistry());

/** The client of the nearest `<WebSocketProvider>`; `null` outside one. */
export const WebSocketClientContext = /* @__PURE__ */ createContext<EnhancedWebSocketClient | null>(null);
