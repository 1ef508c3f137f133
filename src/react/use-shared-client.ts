// useSharedClient: the registry's client for (url, options), held while the component is mounted.

import { useContext, useEffect, useReducer, useRef } from 'react';
import { EnhancedWebSocketClient, type ClientOptions, type UrlSource } from '../index.js';
import type { ClientRegistry } from './client-registry.js';
import { ClientRegistryContext } from './contexts.js';

type Client<E extends object, R extends object> = EnhancedWebSocketClient<E, R>;

/** The client a mounted component holds, and under which registry and key. */
interface Held {
  readonly registry: ClientRegistry;
  readonly key: string;
  readonly client: object;
}

/**
 * Render never opens anything: it returns the client this component holds for the key, else the
 * client already shared under the key, or else the registry's idle candidate for the key
 * (`autoConnect: false`), the same for every component rendering it, which the first mount
 * effect registers and connects. So a render React throws
 * away leaves only an idle object behind: no socket, timer or listener. Server rendering (no
 * `window`, no effects) gets a client of its own per render instead: nothing is shared between
 * requests.
 *
 * The effect takes the registry's reference and gives it back on cleanup; the registry defers
 * the close, so StrictMode's mount → unmount → mount keeps one socket. If the effect finds the
 * registry holding another client than the one rendered (the rendered one closed meanwhile), it
 * re-renders with the registry's. A held client that closes for good stays this component's
 * (rendered as `closed`, free to `connect()` again) while new mounts get a fresh one.
 *
 * `url === null` (the hook was given a client) holds nothing and returns null.
 */
export function useSharedClient<E extends object, R extends object>(
  url: UrlSource | null,
  options: ClientOptions | undefined,
): Client<E, R> | null {
  const registry = useContext(ClientRegistryContext);
  const key = url === null ? null : registry.keyOf(url, options);
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  // Written by the effect only, so render reads what the committed component holds.
  const held = useRef<Held | null>(null);

  let client: Client<E, R> | null = null;
  if (url !== null && key !== null) {
    const create = () => createIdleClient<E, R>(url, options);
    const mine = held.current?.registry === registry && held.current.key === key ? held.current.client : undefined;
    client = (mine ?? registry.peek(key) ?? (isServer() ? create() : registry.candidate(key, create))) as Client<E, R>;
  }

  useEffect(() => {
    if (url === null || key === null) return undefined;
    const lease = registry.acquire(key, () => createIdleClient<E, R>(url, options));
    if (lease.created && options?.autoConnect !== false) lease.client.connect();
    held.current = { registry, key, client: lease.client };
    if (lease.client !== client) rerender();
    return () => {
      held.current = null;
      lease.release();
    };
    // Only the key matters: it stands for url + options, and `client` derives from it (the
    // effect re-checks it). New option objects with the same content must not reconnect.
  }, [registry, key]);

  return client;
}

const isServer = (): boolean => (globalThis as { window?: unknown }).window === undefined;

/**
 * A client that does nothing until `connect()`. Where there is no `location` (server rendering)
 * a relative url cannot be resolved and the constructor would throw, although that client is
 * never connected there; it gets the url as a function instead, resolved per connect attempt.
 */
function createIdleClient<E extends object, R extends object>(url: UrlSource, options: ClientOptions | undefined): Client<E, R> {
  const hasLocation = (globalThis as { location?: { href?: string } }).location?.href !== undefined;
  const source: UrlSource = typeof url === 'string' && !hasLocation ? () => url : url;
  return new EnhancedWebSocketClient<E, R>(source, { ...options, autoConnect: false });
}
