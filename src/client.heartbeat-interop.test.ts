// The heartbeat against servers and links other than the companion server on a fast loopback: a pong
// stamped with the server's own clock, and a ping stuck behind a large upload on a slow uplink.
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client.js';
import type { ClientOptions } from './options.js';
import { useRealServers } from './real-server-test-utils.js';
import { scriptedSockets, type ScriptedSocket } from './scripted-transports-test-utils.js';

const NodeWS = NodeWebSocket as unknown as typeof WebSocket;

function track(client: EnhancedWebSocketClient): EnhancedWebSocketClient {
  onTestFinished(() => {
    client.close();
  });
  return client;
}

/** A scripted socket with the `bufferedAmount` the test sets (bytes sent but not yet on the wire). */
type BufferingSocket = ScriptedSocket & { bufferedAmount: number };

/**
 * A client on one scripted WebSocket, open (with `auth`: once the server answered the credentials),
 * heartbeat 1000/3000, fake time at 1_000_000 when it opened.
 */
async function openScripted(options: ClientOptions = {}) {
  const sockets = scriptedSockets((socket) => Object.assign(socket, { bufferedAmount: 0 }));
  const client = track(new EnhancedWebSocketClient('ws://example.test/ws', {
    WebSocket: sockets.WebSocket,
    transports: ['websocket'],
    heartbeat: { interval: 1000, timeout: 3000 },
    ...options,
  }));
  await vi.advanceTimersByTimeAsync(0); // (auth() resolves in a promise job)
  const socket = sockets.last() as BufferingSocket;
  socket.accept();
  if (options.auth) socket.deliver({ type: 'auth', payload: 'ok' });
  expect(client.state).toBe('open');
  const closes: number[] = [];
  client.onClose(({ code }) => closes.push(code));
  /** The `payload.t` of every ping written so far. */
  const pings = (): number[] => socket.sent.map((frame) => JSON.parse(frame) as { type: string; payload?: { t: number } })
    .filter(({ type }) => type === 'ping').map(({ payload }) => payload?.t ?? NaN);
  return { client, socket, closes, pings };
}

describe('the heartbeat on a scripted socket (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('a server that stamps its pong with its own clock', () => {
    it.each([
      ['ahead', 5000],
      ['behind', -5000],
      ['behind by less than the interval', -400],
    ])('reports rttMs from the ping, not the clock skew, when the server clock is %s', async (_, skew) => {
      const { client, socket, pings } = await openScripted();
      await vi.advanceTimersByTimeAsync(1000); // the ping, at 1_001_000
      expect(pings()).toEqual([1_001_000]);
      await vi.advanceTimersByTimeAsync(40);
      socket.deliver({ type: 'pong', payload: { t: Date.now() + skew } });
      expect(client.stats.rttMs).toBe(40);
    });

    it('measures from the t the pong echoes when it is one of its pings (a late pong after a newer ping)', async () => {
      const { client, socket, pings } = await openScripted();
      await vi.advanceTimersByTimeAsync(1000); // ping 1, at 1_001_000
      await vi.advanceTimersByTimeAsync(500);
      socket.deliver({ type: 'news' }); // life: the next ping goes out on time though ping 1 is unanswered
      await vi.advanceTimersByTimeAsync(500); // ping 2, at 1_002_000
      expect(pings()).toEqual([1_001_000, 1_002_000]);
      await vi.advanceTimersByTimeAsync(30);
      socket.deliver({ type: 'pong', payload: { t: 1_001_000 } });
      expect(client.stats.rttMs).toBe(1030);
      socket.deliver({ type: 'pong', payload: { t: 1_002_000 } });
      expect(client.stats.rttMs).toBe(30);
      socket.deliver({ type: 'pong', payload: { t: 1_001_000 } }); // answered already: not ours any more
      expect(client.stats.rttMs).toBe(30);
    });
  });

  describe('a ping queued behind a large upload', () => {
    it.each([
      ['without credentials', {}],
      ['with credentials (the transport wrapped)', { auth: () => 'token' }],
    ])('keeps the connection while bytes sent before the ping are still in the send buffer, %s', async (_, options) => {
      const { client, socket, closes, pings } = await openScripted(options);
      client.send('upload', 'x'.repeat(1000));
      socket.bufferedAmount = 20_000_000; // still waiting for a slow uplink
      await vi.advanceTimersByTimeAsync(1000); // the ping, behind it
      expect(pings()).toEqual([1_001_000]);
      // The same reading twice: `ws` counts a message as buffered until all of it has left.
      for (const left of [20_000_000, 14_000_000, 14_000_000, 0]) {
        await vi.advanceTimersByTimeAsync(2999);
        socket.bufferedAmount = left;
        await vi.advanceTimersByTimeAsync(1); // another timeout went by
        expect(closes).toEqual([]);
      }
      // Emptied since the last look: the ping left within the last timeout; its answer gets one more.
      await vi.advanceTimersByTimeAsync(2999);
      socket.deliver({ type: 'pong', payload: { t: 1_001_000 } });
      await vi.advanceTimersByTimeAsync(1);
      expect(closes).toEqual([]);
      expect(client.state).toBe('open');
      expect(socket.closedWith).toBeUndefined();
      expect(client.stats.rttMs).toBe(14_999); // from the ping's hand-over (1_001_000) to the pong: queued behind the upload all along
    });

    it('declares the connection dead one timeout after the send buffer emptied with no answer', async () => {
      const { socket, closes } = await openScripted();
      socket.bufferedAmount = 20_000_000;
      await vi.advanceTimersByTimeAsync(1000); // the ping, at 1_001_000, behind it
      socket.bufferedAmount = 0;
      await vi.advanceTimersByTimeAsync(3000); // emptied since: the ping left lately, one more timeout
      expect(closes).toEqual([]);
      await vi.advanceTimersByTimeAsync(2999);
      expect(closes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1); // still empty, still no answer: dead
      expect(closes).toEqual([4000]);
      expect(socket.closedWith?.code).toBe(4000);
    });

    it('declares the connection dead on time (4000) when nothing was waiting ahead of the ping', async () => {
      const { socket, closes, pings } = await openScripted();
      await vi.advanceTimersByTimeAsync(1000);
      expect(pings()).toEqual([1_001_000]);
      await vi.advanceTimersByTimeAsync(2999);
      expect(closes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(closes).toEqual([4000]);
      expect(socket.closedWith?.code).toBe(4000);
    });
  });
});

describe('a plain `ws` server that answers ping with its own pong shape (real sockets)', () => {
  // Ported from the interop review: a server stamping `{t: serverNow}` 5 s ahead made rttMs -5000.
  it('never reports a round-trip time outside [0, time since the ping]', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    onTestFinished(() => new Promise<void>((resolve) => {
      for (const socket of wss.clients) socket.terminate();
      wss.close(() => { resolve(); });
    }));
    wss.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type?: unknown };
        if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong', payload: { t: Date.now() + 5000 } }));
      });
    });
    const before = Date.now();
    const made = track(new EnhancedWebSocketClient(`ws://127.0.0.1:${String((wss.address() as AddressInfo).port)}/ws`, {
      WebSocket: NodeWS,
      heartbeat: { interval: 50, timeout: 1000 },
    }));
    await vi.waitFor(() => { expect(made.stats.rttMs).not.toBeNull(); });
    const rtt = made.stats.rttMs as number;
    expect(rtt, 'rttMs is a duration, never negative').toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThanOrEqual(Date.now() - before);
  });
});

/**
 * A TCP proxy in front of `targetPort` whose client-to-server direction carries `bytesPerSecond`
 * (a slow uplink). It reads from the client only as fast as it forwards, so the backlog stays in the
 * client's socket, where `bufferedAmount` shows it.
 */
async function slowUplink(targetPort: number, bytesPerSecond: number): Promise<number> {
  const sockets = new Set<Socket>();
  const tick = 50;
  const slice = Math.floor((bytesPerSecond * tick) / 1000);
  const tcp = createTcpServer((down) => {
    const up = connect(targetPort, '127.0.0.1');
    for (const socket of [down, up]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => { down.destroy(); up.destroy(); });
    }
    up.pipe(down);
    let backlog = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      timer = undefined;
      up.write(backlog.subarray(0, slice));
      backlog = backlog.subarray(slice);
      if (backlog.length < 2 * slice) down.resume();
      if (backlog.length) timer = setTimeout(pump, tick);
    };
    down.on('data', (data: Buffer) => {
      backlog = Buffer.concat([backlog, data]);
      if (backlog.length > 4 * slice) down.pause();
      timer ??= setTimeout(pump, tick);
    });
    down.on('close', () => { clearTimeout(timer); });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    tcp.close(() => { resolve(); });
  }));
  return (tcp.address() as AddressInfo).port;
}

describe('a large message on a slow uplink (real sockets)', () => {
  const { startServer } = useRealServers();

  // Ported from the interop review, scaled to run in ~3 s: the upload takes ~2.5 s, longer than the
  // 1 s timeout, so a ping handed over behind it cannot be answered in time by any server. `ws`
  // reports the whole message as buffered until all of it has left (no progress to see meanwhile).
  it('does not declare the connection dead while its own send buffer is still draining', async () => {
    const size = 40 * 1024 * 1024;
    const { server } = await startServer({ maxPayload: 64 * 1024 * 1024 });
    const sizes: number[] = [];
    server.on('connection', (conn) => { conn.on('upload', (payload) => { sizes.push((payload as string).length); }); });
    const port = await slowUplink(server.port as number, 16 * 1024 * 1024);
    const made = track(new EnhancedWebSocketClient(`ws://127.0.0.1:${String(port)}/ws`, {
      WebSocket: NodeWS,
      reconnect: { initialDelay: 10, maxDelay: 20 },
      heartbeat: { interval: 100, timeout: 1000 },
    }));
    const closes: number[] = [];
    made.onClose(({ code }) => closes.push(code));
    await vi.waitFor(() => { expect(made.state).toBe('open'); });
    made.send('upload', 'x'.repeat(size));
    await vi.waitFor(() => { expect(sizes).toEqual([size]); }, { timeout: 8000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the pongs queued behind it come back
    expect(closes, 'close codes seen while the upload was on its way').toEqual([]);
    expect(made.stats.reconnects).toBe(0);
    expect(made.state).toBe('open');
  }, 15000);
});
