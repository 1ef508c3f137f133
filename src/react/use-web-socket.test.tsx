// @vitest-environment happy-dom
import { StrictMode, useState, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient, type ClientOptions, type ConnectionState } from '../index';
import { ClientRegistry } from './client-registry';
import { ClientRegistryContext } from './contexts';
import { useWebSocket, type UseWebSocketResult } from './use-web-socket';
import { advance, mockEndpoint, SOCKET_DELAY_MS, type MockEndpoint } from './test-utils';

interface Events {
  chat: { user: string; text: string };
  add: { a: number; b: number };
}
interface Replies {
  add: number;
}
type Result = UseWebSocketResult<Events, Replies>;

let endpoint: MockEndpoint;
let registry: ClientRegistry;
let options: ClientOptions;

beforeEach(() => {
  vi.useFakeTimers();
  endpoint = mockEndpoint();
  registry = new ClientRegistry();
  options = { WebSocket: endpoint.WebSocket, reconnect: { jitter: 0 } };
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

/** Shows the state; hands each render's result to `onRender`. Never reads `lastMessage`. */
function Status(props: { url?: string; options?: ClientOptions; onRender?: (result: Result) => void }) {
  const result = useWebSocket<Events, Replies>(props.url ?? endpoint.url, props.options ?? options);
  props.onRender?.(result);
  return <p data-testid="state">{result.state}</p>;
}

const shownState = (): string | null => screen.getByTestId('state').textContent;

describe('useWebSocket', () => {
  it('re-renders through connecting, open, reconnecting and open again as the connection moves', async () => {
    const seen: ConnectionState[] = [];
    const transports: (string | null)[] = [];
    render(
      withRegistry(
        <Status
          onRender={(result) => {
            if (seen.at(-1) !== result.state) seen.push(result.state);
            transports.push(result.transport);
          }}
        />,
      ),
    );
    expect(shownState()).toBe('connecting');
    await advance(SOCKET_DELAY_MS);
    expect(shownState()).toBe('open');
    expect(transports.at(-1)).toBe('websocket');

    act(() => {
      endpoint.sockets[0]?.close({ code: 4000, reason: 'bye', wasClean: true });
    });
    await advance(SOCKET_DELAY_MS);
    expect(shownState()).toBe('reconnecting');
    await advance(1000 + SOCKET_DELAY_MS);
    expect(shownState()).toBe('open');
    expect(seen).toEqual(['idle', 'connecting', 'open', 'reconnecting', 'open']);
    expect(endpoint.connections()).toBe(2);
  });

  it('does not re-render on messages unless the component reads lastMessage', async () => {
    let quietRenders = 0;
    let loudRenders = 0;
    function Quiet() {
      const { state } = useWebSocket<Events>(endpoint.url, options);
      quietRenders++;
      return <p>{state}</p>;
    }
    function Loud() {
      const { lastMessage } = useWebSocket<Events>(endpoint.url, options);
      loudRenders++;
      return <p data-testid="last">{lastMessage ? JSON.stringify(lastMessage.payload) : 'none'}</p>;
    }
    render(withRegistry(<><Quiet /><Loud /></>));
    await advance(SOCKET_DELAY_MS);
    const quietBefore = quietRenders;
    const loudBefore = loudRenders;
    for (let n = 1; n <= 5; n++) {
      act(() => {
        endpoint.emit('chat', { user: 'ada', text: `hello ${String(n)}` });
      });
    }
    expect(quietRenders).toBe(quietBefore);
    expect(loudRenders).toBe(loudBefore + 5);
    expect(screen.getByTestId('last').textContent).toBe('{"user":"ada","text":"hello 5"}');
  });

  it('starts reading lastMessage on a later render and shows the latest message at once', async () => {
    let show: (value: boolean) => void = () => undefined;
    function Late() {
      const [reading, setReading] = useState(false);
      show = setReading;
      const result = useWebSocket<Events>(endpoint.url, options);
      return <p data-testid="last">{reading ? JSON.stringify(result.lastMessage?.payload ?? null) : result.state}</p>;
    }
    render(withRegistry(<Late />));
    await advance(SOCKET_DELAY_MS);
    act(() => {
      endpoint.emit('chat', { user: 'ada', text: 'before' });
    });
    expect(screen.getByTestId('last').textContent).toBe('open');
    act(() => {
      show(true);
    });
    expect(screen.getByTestId('last').textContent).toBe('{"user":"ada","text":"before"}');
    act(() => {
      endpoint.emit('chat', { user: 'ada', text: 'after' });
    });
    expect(screen.getByTestId('last').textContent).toBe('{"user":"ada","text":"after"}');
  });

  it('gives stable, bound send and request functions that reach the server', async () => {
    const results: Result[] = [];
    render(withRegistry(<Status onRender={(result) => results.push(result)} />));
    await advance(SOCKET_DELAY_MS);
    const socket = endpoint.sockets[0];
    socket?.on('message', (data) => {
      const message = JSON.parse(data as string) as { type: string; id?: string; payload: { a: number; b: number } };
      if (message.id) socket.send(JSON.stringify({ type: 'reply', id: message.id, payload: message.payload.a + message.payload.b }));
    });

    const first = results[0] as Result;
    const last = results.at(-1) as Result;
    expect(results.length).toBeGreaterThan(1);
    expect(last.send).toBe(first.send);
    expect(last.request).toBe(first.request);

    const { send, request } = last; // unbound on purpose
    send('chat', { user: 'ada', text: 'hi' });
    const sum = request('add', { a: 2, b: 3 });
    await advance(SOCKET_DELAY_MS);
    await expect(sum).resolves.toBe(5);
    expect(endpoint.received).toContainEqual({ type: 'chat', payload: { user: 'ada', text: 'hi' } });
    expect(last.stats.sent).toBe(2);
    expect(last.stats.received).toBe(1);
  });

  it('stays idle with autoConnect: false until connect() is called', async () => {
    let client: EnhancedWebSocketClient<Events, Replies> | undefined;
    render(withRegistry(<Status options={{ ...options, autoConnect: false }} onRender={(result) => (client = result.client)} />));
    await advance(SOCKET_DELAY_MS);
    expect(shownState()).toBe('idle');
    expect(endpoint.created()).toBe(0);
    act(() => {
      client?.connect();
    });
    await advance(SOCKET_DELAY_MS);
    expect(shownState()).toBe('open');
  });

  it('shares one client between components with equal url and options, and closes it after the last unmount', async () => {
    const clients = new Set<unknown>();
    let setCount: (count: number) => void = () => undefined;
    function Many() {
      const [count, set] = useState(3);
      setCount = set;
      return (
        <>
          {Array.from({ length: count }, (_, index) => (
            // A new, equal options object per component and render: same key.
            <Status key={index} options={{ WebSocket: endpoint.WebSocket, reconnect: { jitter: 0 } }} onRender={(result) => clients.add(result.client)} />
          ))}
        </>
      );
    }
    render(withRegistry(<Many />));
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.created()).toBe(1);
    expect(endpoint.connections()).toBe(1);
    expect(screen.getAllByTestId('state').map((node) => node.textContent)).toEqual(['open', 'open', 'open']);
    // Candidates rendered before the first effect are dropped; every mounted component ends on one client.
    const shared = registry.peek(registry.keyOf(endpoint.url, options));
    expect(shared).toBeInstanceOf(EnhancedWebSocketClient);

    act(() => {
      setCount(1);
    });
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.open()).toBe(1);
    expect(shownState()).toBe('open');

    act(() => {
      setCount(0);
    });
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.open()).toBe(0);
    expect(registry.size).toBe(0);
    expect((shared as EnhancedWebSocketClient).state).toBe('closed');
    expect(clients.has(shared)).toBe(true);
  });

  it('keeps a separate client for different options', async () => {
    render(
      withRegistry(
        <>
          <Status options={{ ...options, heartbeat: false }} />
          <Status options={{ ...options, heartbeat: { interval: 5000 } }} />
        </>,
      ),
    );
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.connections()).toBe(2);
    expect(registry.size).toBe(2);
  });

  it('opens exactly one socket under StrictMode, and closes it on unmount', async () => {
    const connect = vi.spyOn(EnhancedWebSocketClient.prototype, 'connect');
    const { unmount } = render(<StrictMode>{withRegistry(<Status />)}</StrictMode>);
    await advance(SOCKET_DELAY_MS);
    expect(shownState()).toBe('open');
    expect(endpoint.created()).toBe(1);
    expect(endpoint.connections()).toBe(1);
    // The remount re-acquired the same client before its deferred close: one client ever connected.
    expect(connect).toHaveBeenCalledTimes(1);

    unmount();
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.open()).toBe(0);
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes the socket and leaves no timer behind when the component unmounts', async () => {
    let client: EnhancedWebSocketClient<Events, Replies> | undefined;
    const { unmount } = render(withRegistry(<Status onRender={(result) => (client = result.client)} />));
    await advance(SOCKET_DELAY_MS);
    expect(vi.getTimerCount()).toBeGreaterThan(0); // the heartbeat runs
    const pending = client?.request('add', { a: 1, b: 1 });
    const rejected = expect(pending).rejects.toThrow(/closed/);

    unmount();
    expect(client?.state).toBe('open'); // the close is deferred by a task, for StrictMode remounts
    await advance(0);
    expect(client?.state).toBe('closed');
    await rejected;
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.open()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(registry.size).toBe(0);
  });

  it('moves to a new client when the url changes, and closes the old one', async () => {
    const other = mockEndpoint();
    try {
      const { rerender } = render(withRegistry(<Status />));
      await advance(SOCKET_DELAY_MS);
      rerender(withRegistry(<Status url={other.url} options={{ WebSocket: other.WebSocket }} />));
      await advance(SOCKET_DELAY_MS);
      expect(shownState()).toBe('open');
      expect(endpoint.open()).toBe(0);
      expect(other.open()).toBe(1);
      expect(registry.size).toBe(1);
    } finally {
      cleanup();
      other.stop();
    }
  });

  it('binds a client it is given, without holding or closing it', async () => {
    const client = new EnhancedWebSocketClient<Events, Replies>(endpoint.url, { ...options, autoConnect: false });
    function Bound() {
      const { state } = useWebSocket(client);
      return <p data-testid="state">{state}</p>;
    }
    const { unmount } = render(withRegistry(<Bound />));
    expect(shownState()).toBe('idle');
    act(() => {
      client.connect();
    });
    await advance(SOCKET_DELAY_MS);
    expect(shownState()).toBe('open');
    unmount();
    await advance(SOCKET_DELAY_MS);
    expect(client.state).toBe('open');
    expect(registry.size).toBe(0);
    client.close();
  });

  it('shares through the default registry when no registry is provided', async () => {
    let client: EnhancedWebSocketClient<Events, Replies> | undefined;
    const { unmount } = render(
      <>
        <Status onRender={(result) => (client = result.client)} />
        <Status />
      </>,
    );
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.connections()).toBe(1);
    unmount();
    await advance(SOCKET_DELAY_MS);
    expect(client?.state).toBe('closed');
    expect(endpoint.open()).toBe(0);
  });

  it('opens nothing and renders idle under renderToString', () => {
    const html = renderToString(withRegistry(<Status />));
    expect(html).toContain('idle');
    expect(endpoint.created()).toBe(0);
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
