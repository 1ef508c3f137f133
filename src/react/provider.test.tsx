// @vitest-environment happy-dom
import { StrictMode, useState } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientOptions, EnhancedWebSocketClient } from '../index.js';
import { ClientRegistry } from './client-registry.js';
import { ClientRegistryContext } from './contexts.js';
import { WebSocketProvider, useWebSocketClient } from './provider.js';
import { useWebSocket } from './use-web-socket.js';
import { useWebSocketEvent } from './use-web-socket-event.js';
import { advance, mockEndpoint, SOCKET_DELAY_MS, type MockEndpoint } from './test-utils.js';

interface Events {
  chat: { text: string };
}

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

function State(props: { onClient?: (client: EnhancedWebSocketClient<Events>) => void }) {
  const client = useWebSocketClient<Events>();
  props.onClient?.(client);
  const { state } = useWebSocket(client);
  return <p data-testid="state">{state}</p>;
}

function Chat() {
  const [lines, setLines] = useState<string[]>([]);
  useWebSocketEvent(useWebSocketClient<Events>(), 'chat', (msg) => {
    setLines((previous) => [...previous, msg.text]);
  });
  return <p data-testid="chat">{lines.join('|')}</p>;
}

describe('WebSocketProvider', () => {
  it('shares one connection with every component below it', async () => {
    const clients = new Set<unknown>();
    render(
      <ClientRegistryContext.Provider value={registry}>
        <WebSocketProvider url={endpoint.url} options={options}>
          <State onClient={(client) => clients.add(client)} />
          <State onClient={(client) => clients.add(client)} />
          <Chat />
        </WebSocketProvider>
      </ClientRegistryContext.Provider>,
    );
    await advance(SOCKET_DELAY_MS);
    expect(screen.getAllByTestId('state').map((node) => node.textContent)).toEqual(['open', 'open']);
    expect(clients.size).toBe(1);
    expect(endpoint.created()).toBe(1);
    expect(endpoint.connections()).toBe(1);
    act(() => {
      endpoint.emit('chat', { text: 'a' });
      endpoint.emit('chat', { text: 'b' });
    });
    expect(screen.getByTestId('chat').textContent).toBe('a|b');
  });

  it('shares the connection with a useWebSocket hook that has the same url and options', async () => {
    let hooked: unknown;
    let provided: unknown;
    function Hooked() {
      hooked = useWebSocket(endpoint.url, { WebSocket: endpoint.WebSocket }).client;
      return null;
    }
    render(
      <ClientRegistryContext.Provider value={registry}>
        <WebSocketProvider url={endpoint.url} options={options}>
          <State onClient={(client) => (provided = client)} />
        </WebSocketProvider>
        <Hooked />
      </ClientRegistryContext.Provider>,
    );
    await advance(SOCKET_DELAY_MS);
    expect(hooked).toBe(provided);
    expect(endpoint.connections()).toBe(1);
  });

  it('keeps one socket under StrictMode and closes it when the provider unmounts', async () => {
    const { unmount } = render(
      <StrictMode>
        <ClientRegistryContext.Provider value={registry}>
          <WebSocketProvider url={endpoint.url} options={options}>
            <State />
          </WebSocketProvider>
        </ClientRegistryContext.Provider>
      </StrictMode>,
    );
    await advance(SOCKET_DELAY_MS);
    expect(screen.getByTestId('state').textContent).toBe('open');
    expect(endpoint.created()).toBe(1);
    unmount();
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.open()).toBe(0);
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not re-render the provider subtree on state changes, only the components that read the state', async () => {
    let plainRenders = 0;
    function Plain() {
      plainRenders++;
      return null;
    }
    render(
      <ClientRegistryContext.Provider value={registry}>
        <WebSocketProvider url={endpoint.url} options={options}>
          <Plain />
          <State />
        </WebSocketProvider>
      </ClientRegistryContext.Provider>,
    );
    await advance(SOCKET_DELAY_MS);
    expect(screen.getByTestId('state').textContent).toBe('open');
    expect(plainRenders).toBe(1);
  });

  it('throws a clear error when useWebSocketClient is used outside a provider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<State />)).toThrow(/inside a <WebSocketProvider>/);
  });
});
