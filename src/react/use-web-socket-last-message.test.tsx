// @vitest-environment happy-dom
// useWebSocket: lastMessage reads the same message however often a render (or its handlers) reads it.
import { useState, type ReactNode } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { ClientOptions, InboundMessage } from '../index';
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

it('reading result.lastMessage twice in one render gives the same message both times', async () => {
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  let show: (value: boolean) => void = () => undefined;
  function Last() {
    const [reading, setReading] = useState(false);
    show = setReading;
    const ws = useWebSocket(endpoint.url, options);
    // Not destructured: the natural `x ? x.y : z` reads the getter twice.
    return <p data-testid="last">{reading ? (ws.lastMessage ? String(ws.lastMessage.type) : 'none') : ws.state}</p>;
  }
  render(withRegistry(<Last />));
  await advance(SOCKET_DELAY_MS);
  act(() => {
    endpoint.emit('chat', 'hi');
  });
  // First read: the recorded message; second read: this render's snapshot, taken while untracked
  // (null), so `ws.lastMessage.type` throws. React hides it by rendering the root again
  // synchronously, but reports the TypeError (React 18) / a recoverable error (React 19).
  expect(() => {
    act(() => {
      show(true);
    });
  }).not.toThrow();
  expect(screen.getByTestId('last').textContent).toBe('chat');
  expect(errors.mock.calls.map((c) => String(c[0]).slice(0, 200))).toEqual([]);
});

it('reading lastMessage from an event handler twice gives the message both times', async () => {
  const reads: (InboundMessage | null)[] = [];
  let read: () => void = () => undefined;
  function Logger() {
    const ws = useWebSocket(endpoint.url, options);
    read = () => reads.push(ws.lastMessage); // e.g. onClick={() => console.log(ws.lastMessage)}
    return <p>{ws.state}</p>;
  }
  render(withRegistry(<Logger />));
  await advance(SOCKET_DELAY_MS);
  act(() => {
    endpoint.emit('chat', 'hi');
  });
  read();
  read();
  expect(reads.map((message) => message?.type ?? null)).toEqual(['chat', 'chat']);
});
