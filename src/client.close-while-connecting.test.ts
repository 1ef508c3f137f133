// Closing a `ws` WebSocket (what Node apps pass as the `WebSocket` option) while it is still
// connecting: `ws` reports it as an 'error' event, which must find a listener, or it is an
// uncaught exception that ends the Node process. On close() during connect and during an upgrade probe.
import { expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client.js';
import { gatedWebSocket, useRealServers } from './real-server-test-utils.js';

const { startServer, track } = useRealServers();

/** `ws` sockets that record an 'error' emitted with nobody listening (EventEmitter would throw it uncaught) instead of crashing the run. */
function guardedWs() {
  const unhandled: string[] = [];
  const created: NodeWebSocket[] = [];
  let onCreate: () => void = () => undefined;
  /** Resolves (a microtask later, the socket still connecting) when the next socket is created. */
  const nextCreated = () => new Promise<void>((resolve) => { onCreate = resolve; });
  class Guarded extends NodeWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      created.push(this);
      onCreate();
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error' && this.listenerCount('error') === 0) {
        unhandled.push(String(args[0]));
        return false;
      }
      return super.emit(event, ...args);
    }
  }
  return { WebSocket: Guarded as unknown as typeof WebSocket, unhandled, created, nextCreated };
}

it('client.close() while the ws socket is connecting throws nothing uncaught', async () => {
  const { url } = await startServer({ pingIntervalMs: false });
  const ws = guardedWs();
  const created = ws.nextCreated();
  const made = track(new EnhancedWebSocketClient(url, { WebSocket: ws.WebSocket }));
  await created;
  expect(ws.created[0]!.readyState).toBe(NodeWebSocket.CONNECTING);
  made.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ws.unhandled).toEqual([]); // got: ["Error: WebSocket was closed before the connection was established"]
});

it('client.close() while an upgrade probe socket is connecting throws nothing uncaught', async () => {
  const { url } = await startServer({ pingIntervalMs: false });
  const ws = guardedWs();
  // Refused (as by a proxy) until allowed: the client falls back to long-polling, then probes.
  const gate = gatedWebSocket({ WebSocket: ws.WebSocket });
  const made = track(new EnhancedWebSocketClient(url, { WebSocket: gate.WebSocket, reconnect: { initialDelay: 10, maxDelay: 50 } }));
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });
  const created = ws.nextCreated();
  gate.allow();
  await created; // the probe
  expect(ws.created[0]!.readyState).toBe(NodeWebSocket.CONNECTING);
  made.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ws.unhandled).toEqual([]); // got: ["Error: WebSocket was closed before the connection was established"]
});
