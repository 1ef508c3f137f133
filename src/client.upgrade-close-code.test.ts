// close(code, reason) after the server moved the connection to the upgrade probe but before the
// client adopted it: the server must see the app's code and reason, not "upgrade cancelled".
import { expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client';
import { gatedWebSocket, slowUpgradedBatch, useRealServers } from './real-server-test-utils';
import type { Connection } from './server/index';

const { startServer, track } = useRealServers();

it('reports the close code and reason the app chose when it closes mid-upgrade', async () => {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const conns: Connection[] = [];
  const closes: { code: number; reason: string }[] = [];
  server.on('connection', (conn) => {
    conns.push(conn);
    conn.onClose((event) => closes.push(event));
  });
  const gate = gatedWebSocket();
  const made = track(new EnhancedWebSocketClient(url, {
    WebSocket: gate.WebSocket,
    // The session's last batch is slow to come back, so the app's close() falls in the window.
    fetch: slowUpgradedBatch(200),
    reconnect: { initialDelay: 10, maxDelay: 50 },
  }));
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });
  gate.allow();
  await vi.waitFor(() => { expect(conns[0]!.transport).toBe('websocket'); });
  expect(made.transport).toBe('long-polling'); // not adopted yet
  made.close(4321, 'user logged out');
  await vi.waitFor(() => { expect(closes).toHaveLength(1); });
  expect(closes[0]).toEqual({ code: 4321, reason: 'user logged out' });
});
