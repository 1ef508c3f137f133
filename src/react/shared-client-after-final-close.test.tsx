// @vitest-environment happy-dom
// useWebSocket: a client closed for good is not handed to a new mount; the new mount connects again.
import { useState, type ReactNode } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
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

function Chat() {
  const { state } = useWebSocket(endpoint.url, options);
  return <p data-testid="state">{state}</p>;
}

it('a fresh mount after the shared client closed for good connects again (retry by remounting with a new key)', async () => {
  let retry: () => void = () => undefined;
  function App() {
    const [attempt, setAttempt] = useState(0);
    retry = () => {
      setAttempt((n) => n + 1);
    };
    return <Chat key={attempt} />;
  }
  render(withRegistry(<App />));
  await advance(SOCKET_DELAY_MS);
  expect(screen.getByTestId('state').textContent).toBe('open');

  // The server refuses the credentials: 4401 is final, the client ends `closed`.
  act(() => {
    endpoint.sockets[0]?.close({ code: 4401, reason: 'unauthorized', wasClean: true });
  });
  await advance(SOCKET_DELAY_MS);
  expect(screen.getByTestId('state').textContent).toBe('closed');

  // The classic React reset: a new key unmounts the old Chat and mounts a new one in one commit.
  act(() => {
    retry();
  });
  await advance(SOCKET_DELAY_MS);
  // Not the dead client still in the registry (its close is deferred): a new one, connected.
  expect(screen.getByTestId('state').textContent).toBe('open');
  expect(endpoint.connections()).toBe(2);
});
