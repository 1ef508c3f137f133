// @vitest-environment happy-dom
import { useState } from 'react';
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnhancedWebSocketClient, Envelope } from '../index.js';
import { ClientRegistry } from './client-registry.js';
import { ClientRegistryContext } from './contexts.js';
import { useWebSocket } from './use-web-socket.js';
import { useWebSocketEvent } from './use-web-socket-event.js';
import { advance, mockEndpoint, SOCKET_DELAY_MS, type MockEndpoint } from './test-utils.js';

interface Events {
  chat: { user: string; text: string };
  tick: number;
}

let endpoint: MockEndpoint;
let registry: ClientRegistry;

beforeEach(() => {
  vi.useFakeTimers();
  endpoint = mockEndpoint();
  registry = new ClientRegistry();
});

afterEach(() => {
  cleanup();
  vi.runOnlyPendingTimers();
  vi.useRealTimers();
  endpoint.stop();
});

/** Subscribes `handler` to `type` on a shared client; exposes the client and a way to swap the handler. */
function Listener<K extends keyof Events>(props: {
  type: K;
  handler: (payload: Events[K], message: Envelope<K, Events[K]>) => void;
  onClient?: (client: EnhancedWebSocketClient<Events>) => void;
}) {
  const { client } = useWebSocket<Events>(endpoint.url, { WebSocket: endpoint.WebSocket });
  props.onClient?.(client);
  useWebSocketEvent(client, props.type, props.handler);
  return null;
}

function mount(ui: React.ReactNode) {
  return render(<ClientRegistryContext.Provider value={registry}>{ui}</ClientRegistryContext.Provider>);
}

describe('useWebSocketEvent', () => {
  it('calls the handler with the typed payload and the envelope of each message of its type', async () => {
    const chats: [Events['chat'], Envelope<'chat', Events['chat']>][] = [];
    mount(<Listener type="chat" handler={(payload, message) => chats.push([payload, message])} />);
    await advance(SOCKET_DELAY_MS);
    act(() => {
      endpoint.emit('tick', 1);
      endpoint.emit('chat', { user: 'ada', text: 'hi' });
    });
    expect(chats).toEqual([[{ user: 'ada', text: 'hi' }, { type: 'chat', payload: { user: 'ada', text: 'hi' } }]]);
  });

  it('delivers every message of a 1,000-message burst in one task, in order', async () => {
    const ticks: number[] = [];
    let renders = 0;
    function Counter() {
      const { client } = useWebSocket<Events>(endpoint.url, { WebSocket: endpoint.WebSocket });
      const [count, setCount] = useState(0);
      renders++;
      useWebSocketEvent(client, 'tick', (n) => {
        ticks.push(n);
        setCount((c) => c + 1);
      });
      return <p data-testid="count">{count}</p>;
    }
    const { getByTestId } = mount(<Counter />);
    await advance(SOCKET_DELAY_MS);
    const rendersBefore = renders;
    act(() => {
      for (let n = 0; n < 1000; n++) endpoint.emit('tick', n);
    });
    expect(ticks).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    expect(getByTestId('count').textContent).toBe('1000');
    expect(renders - rendersBefore).toBe(1); // React batches the state updates; the handler saw all
  });

  it('calls the latest handler without subscribing again on each render', async () => {
    let client: EnhancedWebSocketClient<Events> | undefined;
    const calls: string[] = [];
    const { rerender } = mount(<Listener type="tick" handler={() => calls.push('first')} onClient={(c) => (client = c)} />);
    await advance(SOCKET_DELAY_MS);
    const on = vi.spyOn(client as EnhancedWebSocketClient<Events>, 'on');
    rerender(
      <ClientRegistryContext.Provider value={registry}>
        <Listener type="tick" handler={() => calls.push('second')} onClient={(c) => (client = c)} />
      </ClientRegistryContext.Provider>,
    );
    act(() => {
      endpoint.emit('tick', 1);
    });
    expect(calls).toEqual(['second']);
    expect(on).not.toHaveBeenCalled();
  });

  it('resubscribes when the type changes and unsubscribes on unmount', async () => {
    const seen: string[] = [];
    const handler = (payload: unknown) => seen.push(JSON.stringify(payload));
    const { rerender, unmount } = mount(<Listener type="tick" handler={handler} />);
    await advance(SOCKET_DELAY_MS);
    rerender(
      <ClientRegistryContext.Provider value={registry}>
        <Listener type="chat" handler={handler} />
      </ClientRegistryContext.Provider>,
    );
    act(() => {
      endpoint.emit('tick', 1);
      endpoint.emit('chat', { user: 'ada', text: 'x' });
    });
    expect(seen).toEqual(['{"user":"ada","text":"x"}']);
    unmount();
    act(() => {
      endpoint.emit('chat', { user: 'ada', text: 'y' });
    });
    expect(seen).toHaveLength(1);
  });

  it('subscribes nothing while the client is null', () => {
    function Nothing() {
      useWebSocketEvent<Events, Events, 'tick'>(null, 'tick', () => undefined);
      return <p>ok</p>;
    }
    const { getByText } = mount(<Nothing />);
    expect(getByText('ok')).toBeTruthy();
  });
});
