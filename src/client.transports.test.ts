// The client's transport choice, credentials and fallback against the real companion server on loopback.
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client.js';
import type { ClientOptions } from './options.js';
import { gatedWebSocket, slowUpgradedBatch, useRealServers } from './real-server-test-utils.js';
import type { ServerOptions } from './server/index.js';

interface Events {
  echo: { n: number };
  n: number;
  tick: number;
  ack: number;
  quote: string;
  held: number;
}

const { startServer, track } = useRealServers();

/** A companion server on 127.0.0.1:0 that echoes `echo` and counts connection attempts by transport. */
async function echoServer(options: ServerOptions = {}) {
  const { server, url } = await startServer(options);
  const transports: string[] = [];
  server.on('connection', (conn) => {
    transports.push(conn.transport);
    conn.on('echo', (payload) => conn.send('echo', payload));
  });
  return { server, url, transports };
}

function client(url: string, options: ClientOptions): EnhancedWebSocketClient<Events> {
  return track(new EnhancedWebSocketClient<Events>(url, { reconnect: { initialDelay: 10, maxDelay: 50 }, ...options }));
}

/**
 * A TCP server on 127.0.0.1 that accepts and never answers: a WebSocket handshake to it hangs, as
 * behind a proxy that swallows upgrades. Closed when the test finishes.
 */
async function blackHole() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const tcp = createTcpServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.resume(); // read (and ignore) the handshake, so the peer's FIN is seen
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => tcp.close(resolve));
  });
  return {
    url: `ws://127.0.0.1:${String((tcp.address() as AddressInfo).port)}/ws`,
    accepted: () => accepted,
    /** Hung connections still open. */
    held: () => sockets.size,
  };
}

async function roundTrip(made: EnhancedWebSocketClient<Events>, n: number): Promise<void> {
  const back = new Promise<number>((resolve) => made.once('echo', (payload) => { resolve(payload.n); }));
  made.send('echo', { n });
  expect(await back).toBe(n);
}

describe('EnhancedWebSocketClient transports', () => {
  it('uses long-polling when there is no WebSocket, and says why', async () => {
    const { url, transports } = await echoServer();
    vi.stubGlobal('WebSocket', undefined);
    const made = client(url, {});
    await vi.waitFor(() => { expect(made.state).toBe('open'); });
    vi.unstubAllGlobals();
    expect(made.transport).toBe('long-polling');
    expect(made.stats.fallbackReason).toMatch(/not available/);
    await roundTrip(made, 1);
    expect(transports).toEqual(['long-polling']);
  });

  it('falls back to long-polling after WebSocket failed twice while HTTP answers', async () => {
    const { url, transports } = await echoServer();
    const refused = gatedWebSocket();
    const made = client(url, { WebSocket: refused.WebSocket });
    await vi.waitFor(() => { expect(made.transport).toBe('long-polling'); expect(made.state).toBe('open'); });
    expect(made.stats.fallbackReason).toMatch(/failed to open 2 times/);
    await roundTrip(made, 2);
    expect(transports).toEqual(['long-polling']);
    // the background upgrade probe keeps trying WebSocket (and failing) without disturbing the connection
    await vi.waitFor(() => { expect(refused.attempts()).toBeGreaterThanOrEqual(3); });
    expect(made.transport).toBe('long-polling');
  });

  it('moves an open long-polling connection to WebSocket without losing, duplicating or reordering', async () => {
    const { server, url } = await echoServer();
    const atServer: number[] = [];
    const ids = new Set<string>();
    server.on('connection', (conn) => {
      ids.add(conn.id);
      conn.on('n', (n) => {
        atServer.push(n as number);
        conn.send('n', n);
      });
    });
    const refused = gatedWebSocket();
    const made = client(url, { WebSocket: refused.WebSocket });
    const atClient: number[] = [];
    made.on('n', (n) => atClient.push(n));
    const transports: (string | null)[] = [];
    made.onStateChange(({ transport }) => transports.push(transport));
    let next = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 5; i++) made.send('n', next++);
    }, 2);
    await vi.waitFor(() => { expect(atClient.length).toBeGreaterThan(50); expect(made.transport).toBe('long-polling'); });
    refused.allow();
    await vi.waitFor(() => { expect(made.transport).toBe('websocket'); }, { timeout: 5000 });
    const sentAtMove = next;
    await vi.waitFor(() => { expect(next).toBeGreaterThan(sentAtMove + 50); });
    clearInterval(pump);
    const all = Array.from({ length: next }, (_, i) => i);
    await vi.waitFor(() => { expect(atClient).toHaveLength(next); });
    expect(atServer).toEqual(all);
    expect(atClient).toEqual(all);
    expect(ids.size).toBe(1); // the server kept one connection across the move
    expect(transports.slice(-1)).toEqual(['websocket']);
    expect(made.stats.fallbackReason).toBeNull();
    expect(made.stats.reconnects).toBe(0);
  });

  it('sends a write held while the move swaps transports even when the swap outlasts queue.maxAge (the connection stayed open)', async () => {
    const { server, url } = await startServer({ pingIntervalMs: false });
    const got: unknown[] = [];
    const transports: (() => string)[] = [];
    server.on('connection', (conn) => {
      transports.push(() => conn.transport);
      conn.on('held', (payload) => got.push(payload));
    });
    const gate = gatedWebSocket();
    const made = client(url, { WebSocket: gate.WebSocket, fetch: slowUpgradedBatch(800), queue: { maxAge: 300 }, heartbeat: false });
    const errors: Error[] = [];
    made.onError((error) => errors.push(error));
    await vi.waitFor(() => { expect(made.transport).toBe('long-polling'); });
    gate.allow();
    await vi.waitFor(() => { expect(transports[0]?.()).toBe('websocket'); });
    expect(made.transport).toBe('long-polling'); // the server moved; the client waits for the session's last batch (800 ms late)
    made.send('held', 1);
    await vi.waitFor(() => { expect(made.transport).toBe('websocket'); }, { timeout: 3000 });
    await vi.waitFor(() => { expect(got).toEqual([1]); });
    expect({ state: made.state, expired: made.stats.expired, errors }).toEqual({ state: 'open', expired: 0, errors: [] });
  });

  it('keeps client order across the move even when handlers reply to frames that arrived during it', async () => {
    const { server, url } = await echoServer();
    const order: number[] = []; // the client's send sequence numbers, as the server received them
    let ticking: ReturnType<typeof setInterval> | undefined;
    server.on('connection', (conn) => {
      conn.on('n', (seq) => order.push(seq as number));
      conn.on('ack', (seq) => order.push(seq as number));
      let tick = 0;
      ticking = setInterval(() => conn.send('tick', tick++), 1);
    });
    const refused = gatedWebSocket();
    const made = client(url, { WebSocket: refused.WebSocket });
    let seq = 0;
    made.on('tick', () => { made.send('ack', seq++); });
    const pump = setInterval(() => { for (let i = 0; i < 3; i++) made.send('n', seq++); }, 2);
    await vi.waitFor(() => { expect(made.transport).toBe('long-polling'); expect(order.length).toBeGreaterThan(30); });
    refused.allow();
    await vi.waitFor(() => { expect(made.transport).toBe('websocket'); }, { timeout: 5000 });
    const atMove = seq;
    await vi.waitFor(() => { expect(seq).toBeGreaterThan(atMove + 60); });
    clearInterval(pump);
    clearInterval(ticking);
    await vi.waitFor(() => { expect(order).toHaveLength(seq); });
    expect(order).toEqual(Array.from({ length: seq }, (_, i) => i));
  });

  it('sends again, on the same session, an upload that failed without an answer, and what was sent meanwhile after it', async () => {
    const { server, url } = await echoServer();
    const received: number[] = [];
    server.on('connection', (conn) => conn.on('n', (n) => received.push(n as number)));
    let failedOnce = false;
    let releaseFailure: () => void = () => undefined;
    // The first upload hangs, then fails without reaching the server; frames sent meanwhile never left.
    const flakyFetch: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (!failedOnce && init?.method === 'POST' && url.includes('sid=')) {
        failedOnce = true;
        return new Promise((_resolve, reject) => {
          releaseFailure = () => { reject(new TypeError('network down')); };
        });
      }
      return fetch(input, init);
    };
    const made = client(url, { transports: ['long-polling'], fetch: flakyFetch });
    await vi.waitFor(() => { expect(made.state).toBe('open'); });
    made.send('n', 1); // rides the failing POST: its fate is unknown, so it goes again with the same seq
    await vi.waitFor(() => { expect(failedOnce).toBe(true); });
    made.send('n', 2);
    made.send('n', 3);
    await Promise.resolve();
    releaseFailure();
    await vi.waitFor(() => { expect(received).toEqual([1, 2, 3]); });
    expect(made.stats.reconnects).toBe(0);
    expect(made.stats.dropped).toBe(0);
  });

  it('delivers on long-polling a frame within maxPayload that escaping makes larger in the body, as WebSocket does', async () => {
    const { server, url } = await echoServer({ pingIntervalMs: false, maxPayload: 1000 });
    const received: { transport: string; text: string }[] = [];
    const closes: number[] = [];
    server.on('connection', (conn) => {
      conn.onClose(({ code }) => closes.push(code));
      conn.on('quote', (text) => received.push({ transport: conn.transport, text: text as string }));
    });
    // 829 bytes as a frame, about twice that inside the upload body, where each `\"` is escaped again
    const text = '"'.repeat(400);
    expect(Buffer.byteLength(JSON.stringify({ type: 'quote', payload: text }))).toBe(829);
    const overWebSocket = client(url, { WebSocket: NodeWebSocket, transports: ['websocket'] });
    await vi.waitFor(() => { expect(overWebSocket.state).toBe('open'); });
    overWebSocket.send('quote', text);
    await vi.waitFor(() => { expect(received).toEqual([{ transport: 'websocket', text }]); });

    const overPolling = client(url, { transports: ['long-polling'] });
    const errors: Error[] = [];
    overPolling.onError((error) => errors.push(error));
    await vi.waitFor(() => { expect(overPolling.state).toBe('open'); });
    overPolling.send('quote', text);
    overPolling.send('quote', 'x');
    await vi.waitFor(() => { expect(received).toHaveLength(3); });
    expect(received.slice(1)).toEqual([{ transport: 'long-polling', text }, { transport: 'long-polling', text: 'x' }]);
    expect(overPolling.stats.dropped).toBe(0);
    expect(errors).toEqual([]);
    expect(closes).toEqual([]);
  });

  it('starts no upgrade probe when an open listener closed the client', async () => {
    const { url } = await echoServer();
    const refused = gatedWebSocket();
    const made = client(url, { WebSocket: refused.WebSocket });
    made.onOpen(() => { made.close(); });
    await vi.waitFor(() => { expect(made.state).toBe('closed'); });
    const attempts = refused.attempts();
    await new Promise((resolve) => setTimeout(resolve, 300)); // proves an absence: no probe in 300 ms
    expect(refused.attempts()).toBe(attempts);
  });

  it('gives up on handshakes a proxy swallows (connectTimeout), talks over long-polling, and moves over once upgrades go through', async () => {
    const { url, transports } = await echoServer();
    const hole = await blackHole();
    let through = false;
    // Until `through`, every WebSocket (first attempts and upgrade probes alike) dials the black hole.
    class Swallowed extends NodeWebSocket {
      constructor(target: string, protocols?: string | string[]) {
        super(through ? target : hole.url, protocols);
      }
    }
    const made = client(url, { WebSocket: Swallowed, connectTimeout: 200 });
    const codes: number[] = [];
    made.onReconnecting(({ code }) => codes.push(code));
    await vi.waitFor(() => { expect(made.transport).toBe('long-polling'); expect(made.state).toBe('open'); });
    expect(codes).toEqual([4008]); // one hung handshake is enough: long-polling comes next
    expect(made.stats.fallbackReason).toMatch(/handshake hung past connectTimeout/);
    await roundTrip(made, 1);
    // The probes hang too: each is given up after connectTimeout and the next one tried, while long-polling carries on.
    await vi.waitFor(() => { expect(hole.accepted()).toBeGreaterThanOrEqual(5); });
    expect(made.state).toBe('open');
    through = true;
    await vi.waitFor(() => { expect(made.transport).toBe('websocket'); }, { timeout: 5000 });
    await roundTrip(made, 2);
    expect(transports).toEqual(['long-polling']); // one connection, moved
    expect(made.stats.reconnects).toBe(0);
    await vi.waitFor(() => { expect(hole.held()).toBe(0); }); // no hung socket left behind
  });

  it('does not stay on long-polling after an outage: both failing means WebSocket next', async () => {
    const { url, server } = await echoServer();
    const port = server.port as number;
    await server.close();
    const made = client(url, { WebSocket: NodeWebSocket });
    let retries = 0;
    made.onReconnecting(() => retries++);
    // Down: WebSocket, WebSocket, long-polling, WebSocket… all fail.
    await vi.waitFor(() => { expect(retries).toBeGreaterThanOrEqual(4); });
    await echoServer({ port });
    // Back: whichever attempt reaches it first, the client ends up on WebSocket (a long-polling
    // connection made at that moment upgrades at once).
    await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('websocket'); }, { timeout: 5000 });
    expect(made.stats.fallbackReason).toBeNull();
    await roundTrip(made, 4);
  });

  it('sends credentials in the first WebSocket frame and stops for good when they are refused', async () => {
    const seen: unknown[] = [];
    const { url } = await echoServer({
      authenticate: (_request, credentials) => {
        seen.push(credentials);
        return credentials === 'good';
      },
    });
    const good = client(url, { WebSocket: NodeWebSocket, auth: () => Promise.resolve('good') });
    await vi.waitFor(() => { expect(good.state).toBe('open'); });
    await roundTrip(good, 3);
    const bad = client(url, { WebSocket: NodeWebSocket, auth: () => 'bad' });
    const codes: number[] = [];
    bad.onStateChange(({ state, reason }) => { if (state === 'closed') codes.push(Number(/\d+/.exec(reason)?.[0])); });
    await vi.waitFor(() => { expect(bad.state).toBe('closed'); });
    expect(codes).toEqual([4401]);
    expect(seen).toEqual(['good', 'bad']); // one attempt: no reconnect storm
  });

  it('sends credentials as a header on long-polling and stops on 401', async () => {
    const seen: unknown[] = [];
    const { url } = await echoServer({ authenticate: (_request, credentials) => { seen.push(credentials); return false; } });
    const made = client(url, { transports: ['long-polling'], auth: () => 'nope' });
    await vi.waitFor(() => { expect(made.state).toBe('closed'); });
    expect(seen).toEqual(['nope']);
  });
});
