// The server moves the connection to the upgrade probe, sends on it and closes it (a ban) before
// the client has read long-polling's last batch: the client still adopts the socket, delivers what
// came on it, ends with the server's close code, and keeps the writes it held.
import { expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client';
import { gatedWebSocket, slowUpgradedBatch, useRealServers } from './real-server-test-utils';
import type { Connection } from './server/index';

const { startServer, track } = useRealServers();

it('delivers what the server sent on the adopted socket, then closes with its code', async () => {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const conns: Connection[] = [];
  server.on('connection', (conn) => conns.push(conn));
  const gate = gatedWebSocket();
  const made = track(new EnhancedWebSocketClient(url, {
    WebSocket: gate.WebSocket,
    // The session's last batch is slow to come back (a slow proxy): the socket's frames come first.
    fetch: slowUpgradedBatch(200),
    reconnect: { initialDelay: 10, maxDelay: 50 },
  }));
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
