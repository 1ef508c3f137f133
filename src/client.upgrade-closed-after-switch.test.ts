// The server moves the connection to the upgrade probe and then closes it (a ban, a restart)
// before the client has read long-polling's last batch: the client still adopts the socket,
// delivers what came on it, ends with the server's close code and keeps the writes it held; and
// a state listener that closes (or closes and reconnects) during that adoption has the last word.
// And the app closing in that window: the server sees the app's code and reason, not "upgrade cancelled".
import { expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import { gatedWebSocket, slowUpgradedBatch, useRealServers } from './real-server-test-utils.js';
import type { Connection } from './server/index.js';

const { startServer, track } = useRealServers();

/**
 * A client open on long-polling whose upgrade the server will accept; the session's last batch is
 * slow to come back (a slow proxy), so frames on the socket, and its close, come first.
 */
async function onLongPolling() {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const conns: Connection[] = [];
  server.on('connection', (conn) => conns.push(conn));
  const gate = gatedWebSocket();
  const made = track(new EnhancedWebSocketClient(url, {
    WebSocket: gate.WebSocket,
    fetch: slowUpgradedBatch(200),
    reconnect: { initialDelay: 10, maxDelay: 50 },
  }));
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });
  /** Lets the probe through and waits until the server moved the connection to it. */
  const switched = async (): Promise<Connection> => {
    gate.allow();
    await vi.waitFor(() => { expect(conns[0]!.transport).toBe('websocket'); });
    return conns[0]!;
  };
  return { made, conns, switched };
}

it('reports the close code and reason the app chose when it closes mid-upgrade', async () => {
  const { made, conns, switched } = await onLongPolling();
  const closes: { code: number; reason: string }[] = [];
  conns[0]!.onClose((event) => closes.push(event));
  await switched();
  expect(made.transport).toBe('long-polling'); // not adopted yet
  made.close(4321, 'user logged out');
  await vi.waitFor(() => { expect(closes).toHaveLength(1); });
  expect(closes[0]).toEqual({ code: 4321, reason: 'user logged out' });
});

it('delivers what the server sent on the adopted socket, then closes with its code', async () => {
  const { made, conns, switched } = await onLongPolling();
  const got: unknown[] = [];
  made.on('last' as never, (payload: unknown) => got.push(payload));
  const closes: { code: number; willReconnect: boolean }[] = [];
  made.onClose(({ code, willReconnect }) => closes.push({ code, willReconnect }));

  const conn = await switched();
  made.send('held', 1); // writes are held until the swap
  conn.send('last', 'goodbye');
  conn.close(4403, 'banned');

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

it('close() in the "upgraded to websocket" state listener is final', async () => {
  const { made, conns, switched } = await onLongPolling();
  const errors: unknown[] = [];
  made.onError((error) => errors.push(error));
  const states: string[] = [];
  made.onStateChange(({ state, reason }) => {
    states.push(`${state}:${reason}`);
    if (reason === 'upgraded to websocket') made.close();
  });

  (await switched()).close(1012, 'restarting'); // not final: the client would retry

  await vi.waitFor(() => { expect(states.some((s) => s.includes('upgraded to websocket'))).toBe(true); });
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect({ state: made.state, connections: conns.length, errors }).toEqual({ state: 'closed', connections: 1, errors: [] });
});

it('close() then connect() in the "upgraded to websocket" state listener keeps the new connection', async () => {
  const { made, conns, switched } = await onLongPolling();
  let restarted = false;
  made.onStateChange(({ reason }) => {
    if (reason !== 'upgraded to websocket' || restarted) return;
    restarted = true;
    made.close();
    made.connect(); // the app starts over: that is the connection now
  });

  (await switched()).close(4403, 'banned'); // the old connection's close: final, but for the old connection only

  await vi.waitFor(() => { expect(restarted).toBe(true); });
  await vi.waitFor(() => { expect(made.state).toBe('open'); }, { timeout: 2000 });
  expect(conns.length).toBe(2);
});
