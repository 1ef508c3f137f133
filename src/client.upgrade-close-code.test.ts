// close(code, reason) after the server moved the connection to the upgrade probe but before the
// client adopted it: the server must see the app's code and reason, not "upgrade cancelled".
import { afterEach, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client';
import { createServer, type Connection, type EnhancedWebSocketServer } from './server/index';

const servers: EnhancedWebSocketServer[] = [];
const clients: EnhancedWebSocketClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function refusedUntilAllowed() {
  let allowed = false;
  class Gate {
    onopen = null; onmessage = null; onerror = null; binaryType = 'blob';
    onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
    constructor(target: string) {
      if (allowed) return new NodeWebSocket(target) as unknown as Gate;
      setTimeout(() => this.onclose?.({ code: 1006, reason: '', wasClean: false }), 1);
    }
    send(): void { throw new Error('never open'); }
    close(): void { /* nothing */ }
  }
  return { WebSocket: Gate as unknown as typeof WebSocket, allow: () => { allowed = true; } };
}

it('reports the close code and reason the app chose when it closes mid-upgrade', async () => {
  const server = createServer({ port: 0, host: '127.0.0.1', pingIntervalMs: false });
  servers.push(server);
  const conns: Connection[] = [];
  const closes: { code: number; reason: string }[] = [];
  server.on('connection', (conn) => {
    conns.push(conn);
    conn.onClose((event) => closes.push(event));
  });
  await server.ready;
  // The session's last batch is slow to come back, so the app's close() falls in the window.
  const slowLastBatch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (init?.method !== 'GET' && init?.method !== undefined) return response;
    const text = await response.text();
    if (text.includes('"upgraded"')) await new Promise((resolve) => setTimeout(resolve, 200));
    return new Response(text, { status: response.status, headers: response.headers });
  };
  const gate = refusedUntilAllowed();
  const made = new EnhancedWebSocketClient(`ws://127.0.0.1:${String(server.port)}/ws`, {
    WebSocket: gate.WebSocket,
    fetch: slowLastBatch,
    reconnect: { initialDelay: 10, maxDelay: 50 },
  });
  clients.push(made);
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });
  gate.allow();
  await vi.waitFor(() => { expect(conns[0]!.transport).toBe('websocket'); });
  expect(made.transport).toBe('long-polling'); // not adopted yet
  made.close(4321, 'user logged out');
  await vi.waitFor(() => { expect(closes).toHaveLength(1); });
  expect(closes[0]).toEqual({ code: 4321, reason: 'user logged out' });
});
