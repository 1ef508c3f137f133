// @vitest-environment node
// Server rendering runs in Node, without window, document or location: this file does too.
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientOptions } from '../index.js';
import { ClientRegistry } from './client-registry.js';
import { ClientRegistryContext } from './contexts.js';
import { WebSocketProvider, useWebSocketClient } from './provider.js';
import { useWebSocket } from './use-web-socket.js';
import { useWebSocketEvent } from './use-web-socket-event.js';

interface Events {
  chat: { text: string };
}

let created = 0;
/** Counts constructions; a server render must make none. */
const CountingWebSocket = function CountingWebSocket() {
  created++;
};
const options: ClientOptions = { WebSocket: CountingWebSocket as unknown as typeof WebSocket };

beforeEach(() => {
  created = 0;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function Page(props: { url: string }) {
  const { client, state, transport, lastMessage, stats } = useWebSocket<Events>(props.url, options);
  useWebSocketEvent(client, 'chat', () => undefined);
  return <p>{`${state} ${String(transport)} ${JSON.stringify(lastMessage)} ${String(stats.sent)}`}</p>;
}

function FromProvider() {
  const { state } = useWebSocket(useWebSocketClient<Events>());
  return <p>{state}</p>;
}

describe('server rendering', () => {
  it('renders idle and opens nothing, with absolute and relative urls', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const registry = new ClientRegistry();
    const html = renderToString(
      <ClientRegistryContext.Provider value={registry}>
        <Page url="wss://example.com/ws" />
        <Page url="/ws" />
        <WebSocketProvider url="/ws" options={options}>
          <FromProvider />
        </WebSocketProvider>
      </ClientRegistryContext.Provider>,
    );
    expect(html).toBe('<p>idle null null 0</p><p>idle null null 0</p><p>idle</p>');
    expect(created).toBe(0);
    expect(registry.size).toBe(0); // nothing is held: no server-side leak across requests
    expect(vi.getTimerCount()).toBe(0);
  });

  it('renders with the default registry too, leaving no timer', () => {
    expect(renderToString(<Page url="/ws" />)).toContain('idle');
    expect(created).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('adds no global when the entry is imported', async () => {
    vi.resetModules();
    const before = Object.getOwnPropertyNames(globalThis).sort();
    const entry = await import('./index.js');
    expect(Object.keys(entry).sort()).toEqual([
      'ClientRegistry',
      'ClientRegistryContext',
      'WebSocketProvider',
      'useWebSocket',
      'useWebSocketClient',
      'useWebSocketEvent',
    ]);
    expect(Object.getOwnPropertyNames(globalThis).sort()).toEqual(before);
  });
});
