// The server moves the connection to the upgrade probe, sends on it and closes it (a ban) before
// the client has read long-polling's last batch: the client still adopts the socket, delivers what
// came on it, ends with the server's close code, and keeps the writes it held.
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

/** Refused (as by a proxy) until `allow()`, then a real `ws` socket. */
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

it('delivers what the server sent on the adopted socket, then closes with its code', async () => {
  const server = createServer({ port: 0, host: '127.0.0.1', pingIntervalMs: false });
  servers.push(server);
  const conns: Connection[] = [];
  server.on('connection', (conn) => conns.push(conn));
  await server.ready;
  // The session's last batch is slow to come back (a slow proxy): the socket's frames come first.
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
  const got: unknown[] = [];
  made.on('last' as never, (payload: unknown) => got.push(payload));
  const closes: { code: number; willReconnect: boolean }[] = [];
  made.onClose(({ code, willReconnect }) => closes.push({ code, willReconnect }));
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });

  gate.allow();
  await vi.waitFor(() => { expect(conns[0]!.transport).toBe('websocket'); }); // switched on the server
  made.send('held', 1); // writes are held until the swap
  conns[0]!.send('last', 'goodbye');
  conns[0]!.close(4403, 'banned');

  await vi.waitFor(() => { expect(closes.length).toBeGreaterThan(0); });
  await new Promise((resolve) => setTimeout(resolve, 100)); // no reconnect follows
  expect({ got, closes, state: made.state, connections: conns.length, queued: made.stats.queued }).toEqual({
    got: ['goodbye'],
    closes: [{ code: 4403, willReconnect: false }],
    state: 'closed',
    connections: 1,
    queued: 1, // the held write never left: kept for a later connect(), not lost on the closed socket
  });
});
