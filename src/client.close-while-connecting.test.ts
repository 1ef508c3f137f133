// Closing a `ws` WebSocket (what Node apps pass as the `WebSocket` option) while it is still
// connecting: `ws` reports it as an 'error' event, which must find a listener, or it is an
// uncaught exception that ends the Node process. On close() during connect and during an upgrade probe.
import { afterEach, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client';
import { createServer, type EnhancedWebSocketServer } from './server/index';

const servers: EnhancedWebSocketServer[] = [];
const clients: EnhancedWebSocketClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

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

async function startServer() {
  const server = createServer({ port: 0, host: '127.0.0.1', pingIntervalMs: false });
  servers.push(server);
  await server.ready;
  return `ws://127.0.0.1:${String(server.port)}/ws`;
}

it('client.close() while the ws socket is connecting throws nothing uncaught', async () => {
  const url = await startServer();
  const ws = guardedWs();
  const created = ws.nextCreated();
  const made = new EnhancedWebSocketClient(url, { WebSocket: ws.WebSocket });
  clients.push(made);
  await created;
  expect(ws.created[0]!.readyState).toBe(NodeWebSocket.CONNECTING);
  made.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ws.unhandled).toEqual([]); // got: ["Error: WebSocket was closed before the connection was established"]
});

it('client.close() while an upgrade probe socket is connecting throws nothing uncaught', async () => {
  const url = await startServer();
  const ws = guardedWs();
  let allowed = false;
  // Refused (as by a proxy) until allowed: the client falls back to long-polling, then probes.
  class Gate {
    onopen = null; onmessage = null; onerror = null; binaryType = 'blob';
    onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
    constructor(target: string) {
      if (allowed) return new ws.WebSocket(target) as unknown as Gate;
      setTimeout(() => this.onclose?.({ code: 1006, reason: '', wasClean: false }), 1);
    }
    send(): void { throw new Error('never open'); }
    close(): void { /* nothing */ }
  }
  const made = new EnhancedWebSocketClient(url, { WebSocket: Gate as unknown as typeof WebSocket, reconnect: { initialDelay: 10, maxDelay: 50 } });
  clients.push(made);
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });
  const created = ws.nextCreated();
  allowed = true;
  await created; // the probe
  expect(ws.created[0]!.readyState).toBe(NodeWebSocket.CONNECTING);
  made.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ws.unhandled).toEqual([]); // got: ["Error: WebSocket was closed before the connection was established"]
});
