// useSharedClient: the registry's client for (url, options), held while the component is mounted.

import { useContext, useEffect, useReducer, useRef } from 'react';
import { EnhancedWebSocketClient, type ClientOptions, type UrlSource } from '../index';
import { ClientRegistryContext } from './contexts';

type Client<E extends object, R extends object> = EnhancedWebSocketClient<E, R>;

/**
 * Render never opens anything: it returns the client already shared under the key, or else a
 * private idle client (`autoConnect: false`) that the mount effect registers and connects. So
 * server rendering (no effects) opens no socket, and a render React throws away leaves only an
 * idle object behind: no socket, timer or listener.
 *
 * The effect takes the registry's reference and gives it back on cleanup; the registry defers
 * the close, so StrictMode's mount → unmount → mount keeps one socket. If the effect finds the
 * registry holding another client than the one rendered (two components mounting in one commit,
 * or the rendered one closed meanwhile), it re-renders with the registry's.
 *
 * `url === null` (the hook was given a client) holds nothing and returns null.
 */
export function useSharedClient<E extends object, R extends object>(
  url: UrlSource | null,
  options: ClientOptions | undefined,
): Client<E, R> | null {
  const registry = useContext(ClientRegistryContext);
  const key = url === null ? null : registry.keyOf(url, options);
  const candidate = useRef<{ key: string; client: Client<E, R> } | null>(null);
  const [, rerender] = useReducer((count: number) => count + 1, 0);

  let client: Client<E, R> | null = null;
  if (url !== null && key !== null) {
    client = (registry.peek(key) as Client<E, R> | undefined) ?? null;
    if (!client) {
      // Lazy initialisation of a ref during render: idempotent, and the object is inert.
      if (candidate.current?.key !== key) candidate.current = { key, client: createIdleClient<E, R>(url, options) };
      client = candidate.current.client;
    }
  }

  useEffect(() => {
    if (url === null || key === null) return undefined;
    const lease = registry.acquire(key, () =>
      candidate.current?.key === key ? candidate.current.client : createIdleClient<E, R>(url, options),
    );
    // Adopted (or superseded): a later render must not hand this candidate out again.
    candidate.current = null;
    if (lease.created && options?.autoConnect !== false) lease.client.connect();
    if (lease.client !== client) rerender();
    return lease.release;
    // Only the key matters: it stands for url + options, and `client` derives from it (the
    // effect re-checks it). New option objects with the same content must not reconnect.
  }, [registry, key]);

  return client;
}

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
