// @vitest-environment happy-dom
// useWebSocket: components mounting in one commit share one client, also the one their effects connect.
import { useEffect, type ReactNode } from 'react';
import { cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { ClientOptions } from '../index';
import { ClientRegistry } from './client-registry';
import { ClientRegistryContext } from './contexts';
import { useWebSocket } from './use-web-socket';
import { advance, mockEndpoint, SOCKET_DELAY_MS, type MockEndpoint } from './test-utils';

let endpoint: MockEndpoint;
let registry: ClientRegistry;
let options: ClientOptions;

beforeEach(() => {
  vi.useFakeTimers();
  endpoint = mockEndpoint();
  registry = new ClientRegistry();
  options = { WebSocket: endpoint.WebSocket, autoConnect: false };
});

afterEach(() => {
  cleanup();
  vi.runOnlyPendingTimers();
  vi.useRealTimers();
  endpoint.stop();
});

function withRegistry(children: ReactNode): ReactNode {
  return <ClientRegistryContext.Provider value={registry}>{children}</ClientRegistryContext.Provider>;
}

/** autoConnect: false, connected from an effect (e.g. "once logged in"), as README's autoConnect row suggests. */
function Panel() {
  const { client, state } = useWebSocket(endpoint.url, options);
  useEffect(() => {
    client.connect();
  }, [client]);
  return <p data-testid="state">{state}</p>;
}

it('closes every socket when the components unmount, also when two mount in one commit and connect from an effect', async () => {
  const { unmount } = render(withRegistry(<><Panel /><Panel /></>));
  await advance(SOCKET_DELAY_MS);
  // One client is shared (registry.size 1)…
  expect(registry.size).toBe(1);
  // …but the second component's superseded render-time candidate was connected by its effect:
  // a second socket that nobody holds, so unmounting everything never closes it.
  // (endpoint.created() is 2 here.)
  unmount();
  await advance(SOCKET_DELAY_MS);
  expect(endpoint.open()).toBe(0);
  await advance(60_000);
  expect(endpoint.open()).toBe(0);
});
