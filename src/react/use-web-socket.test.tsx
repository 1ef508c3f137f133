// @vitest-environment happy-dom
import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient, type ClientOptions, type ConnectionState, type InboundMessage } from '../index.js';
import { ClientRegistry } from './client-registry.js';
import { ClientRegistryContext } from './contexts.js';
import { useWebSocket, type UseWebSocketResult } from './use-web-socket.js';
import { advance, mockEndpoint, SOCKET_DELAY_MS, type MockEndpoint } from './test-utils.js';

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

  it('shares one socket when one component spells out the default transports and another gives none', async () => {
    render(
      withRegistry(
        <>
          <Status />
          <Status options={{ ...options, transports: ['websocket', 'long-polling'] }} />
        </>,
      ),
    );
    await advance(SOCKET_DELAY_MS);
    expect(endpoint.connections()).toBe(1);
    expect(registry.size).toBe(1);
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

describe('useWebSocket: a client closed for good is not handed to a new mount', () => {
  function Chat() {
    const { state } = useWebSocket(endpoint.url, options);
    return <p data-testid="state">{state}</p>;
  }

  /** Like Chat, under its own test id, exposing its client. */
  function Badge(props: { id: string; onClient?: (client: EnhancedWebSocketClient) => void }) {
    const { client, state } = useWebSocket(endpoint.url, options);
    props.onClient?.(client);
    return <p data-testid={props.id}>{state}</p>;
  }

  /** The server refuses the credentials: 4401 is final, the client ends `closed`. */
  async function refuseFirstSocket(): Promise<void> {
    act(() => {
      endpoint.sockets[0]?.close({ code: 4401, reason: 'unauthorized', wasClean: true });
    });
    await advance(SOCKET_DELAY_MS);
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

  it('gives a new mount a fresh, connected client while another mounted component still holds the one that closed for good', async () => {
    // A header badge stays mounted while the chat panel is remounted with a new key to retry.
    let retry: () => void = () => undefined;
    let showHeader: (show: boolean) => void = () => undefined;
    const headerClients = new Set<EnhancedWebSocketClient>();
    function App() {
      const [attempt, setAttempt] = useState(0);
      const [header, setHeader] = useState(true);
      retry = () => {
        setAttempt((n) => n + 1);
      };
      showHeader = setHeader;
      return (
        <>
          {header && <Badge id="header" onClient={(client) => headerClients.add(client)} />}
          <Badge id="chat" key={attempt} />
        </>
      );
    }
    render(withRegistry(<App />));
    await advance(SOCKET_DELAY_MS);
    expect(screen.getByTestId('chat').textContent).toBe('open');
    await refuseFirstSocket();
    expect(screen.getByTestId('chat').textContent).toBe('closed');

    act(() => {
      retry();
    });
    await advance(SOCKET_DELAY_MS);
    expect(screen.getByTestId('chat').textContent).toBe('open');
    expect(endpoint.connections()).toBe(2);
    // The header keeps the client it holds, re-rendered in the same commit or not.
    expect(screen.getByTestId('header').textContent).toBe('closed');
    expect(headerClients.size).toBe(1);

    // Its release leaves the new shared client alone.
    act(() => {
      showHeader(false);
    });
    await advance(SOCKET_DELAY_MS);
    expect(screen.getByTestId('chat').textContent).toBe('open');
    expect(endpoint.open()).toBe(1);
    expect(registry.size).toBe(1);
  });

  it('keeps rendering the client it holds after that client closed for good, and closes it on unmount after a connect()', async () => {
    let rerenderApp: () => void = () => undefined;
    let held: EnhancedWebSocketClient | undefined;
    function App() {
      const [, setCount] = useState(0);
      rerenderApp = () => {
        setCount((n) => n + 1);
      };
      return <Badge id="badge" onClient={(client) => (held ??= client)} />;
    }
    const { unmount } = render(withRegistry(<App />));
    await advance(SOCKET_DELAY_MS);
    await refuseFirstSocket();

    // Re-rendered for another reason: still its own (closed) client, not an idle stand-in.
    act(() => {
      rerenderApp();
    });
    expect(screen.getByTestId('badge').textContent).toBe('closed');

    // Connected again by hand: no longer shared, but still this component's, so closed on unmount.
    act(() => {
      held?.connect();
    });
    await advance(SOCKET_DELAY_MS);
    expect(screen.getByTestId('badge').textContent).toBe('open');
    unmount();
    await advance(SOCKET_DELAY_MS);
    expect(held?.state).toBe('closed');
    expect(endpoint.open()).toBe(0);
  });
});

describe('useWebSocket: components mounting in one commit share one client', () => {
  /** autoConnect: false, connected from an effect (e.g. "once logged in"), as README's autoConnect row suggests. */
  function Panel() {
    const { client, state } = useWebSocket(endpoint.url, { ...options, autoConnect: false });
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
});

describe('useWebSocket: lastMessage, read more than once', () => {
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
});

describe('useWebSocket: transport seen by several components', () => {
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
});
