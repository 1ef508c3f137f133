// @vitest-environment happy-dom
// useWebSocket: components reading one client agree on its transport (null while not open).
import { useState, type ReactNode } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { ClientOptions } from '../index';
import { ClientRegistry } from './client-registry';
import { ClientRegistryContext } from './contexts';
import { useWebSocket } from './use-web-socket';
import { advance, mockEndpoint, type MockEndpoint } from './test-utils';

let endpoint: MockEndpoint;
let registry: ClientRegistry;
let options: ClientOptions;

beforeEach(() => {
  vi.useFakeTimers();
  endpoint = mockEndpoint();
  registry = new ClientRegistry();
  options = { WebSocket: endpoint.WebSocket };
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

function Badge(props: { id: string }) {
  const { state, transport } = useWebSocket(endpoint.url, options);
  return <p data-testid={props.id}>{`${state} ${String(transport)}`}</p>;
}

it('two components reading the same client show the same state and transport', async () => {
  let bump: () => void = () => undefined;
  function Rerenders() {
    const [, set] = useState(0);
    bump = () => {
      set((n) => n + 1);
    };
    return <Badge id="b" />;
  }
  render(withRegistry(<><Badge id="a" /><Rerenders /></>));
  // The url resolves in a microtask: the client now has a transport, but is still connecting
  // (mock-socket opens after 4 ms), and no onStateChange announced the transport.
  await advance(1);
  // B re-renders for an unrelated reason.
  act(() => {
    bump();
  });
  expect(screen.getByTestId('b').textContent).toBe(screen.getByTestId('a').textContent);
});
