// A state listener that calls close() (or close() then connect()) as the client adopts a probe the
// server switched to and then closed: the old connection's close must not revive or end the client.
import { expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client';
import { gatedWebSocket, slowUpgradedBatch, useRealServers } from './real-server-test-utils';
import type { Connection } from './server/index';

const { startServer, track } = useRealServers();

it('close() in the "upgraded to websocket" state listener is final', async () => {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const conns: Connection[] = [];
  server.on('connection', (conn) => conns.push(conn));
  const gate = gatedWebSocket();
  const made = track(new EnhancedWebSocketClient(url, {
    WebSocket: gate.WebSocket,
    fetch: slowUpgradedBatch(200),
    reconnect: { initialDelay: 10, maxDelay: 50 },
  }));
  const errors: unknown[] = [];
  made.onError((error) => errors.push(error));
  const states: string[] = [];
  made.onStateChange(({ state, reason }) => {
    states.push(`${state}:${reason}`);
    if (reason === 'upgraded to websocket') made.close();
  });
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });

  gate.allow();
  await vi.waitFor(() => { expect(conns[0]!.transport).toBe('websocket'); });
  conns[0]!.close(1012, 'restarting'); // not final: the client would retry

  await vi.waitFor(() => { expect(states.some((s) => s.includes('upgraded to websocket'))).toBe(true); });
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect({ state: made.state, connections: conns.length, errors }).toEqual({ state: 'closed', connections: 1, errors: [] });
});

it('close() then connect() in the "upgraded to websocket" state listener keeps the new connection', async () => {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const conns: Connection[] = [];
  server.on('connection', (conn) => conns.push(conn));
  const gate = gatedWebSocket();
  const made = track(new EnhancedWebSocketClient(url, {
    WebSocket: gate.WebSocket,
    fetch: slowUpgradedBatch(200),
    reconnect: { initialDelay: 10, maxDelay: 50 },
  }));
  let restarted = false;
  made.onStateChange(({ reason }) => {
    if (reason !== 'upgraded to websocket' || restarted) return;
    restarted = true;
    made.close();
    made.connect(); // the app starts over: that is the connection now
  });
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });

  gate.allow();
  await vi.waitFor(() => { expect(conns[0]!.transport).toBe('websocket'); });
  conns[0]!.close(4403, 'banned'); // the old connection's close: final, but for the old connection only

  await vi.waitFor(() => { expect(restarted).toBe(true); });
  await vi.waitFor(() => { expect(made.state).toBe('open'); }, { timeout: 2000 });
  expect(conns.length).toBe(2);
});
