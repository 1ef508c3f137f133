// EnhancedWebSocketClient reconnection: backoff delays, retry limit, reset, final codes, heartbeat death.
import { describe, expect, it, vi } from 'vitest';
import type { CloseContext, ReconnectingContext } from './lifecycle.js';
import type { TransportCloseEvent } from './transports/transport.js';
import {
  MOCK_DELAY,
  advance,
  collect,
  escapedWhile,
  makeClient,
  openClient,
  recordSockets,
  settle,
  startServer,
  uniqueUrl,
  useHarness,
  type SocketRecorder,
} from './test-utils.js';

useHarness();

/** The next attempt starts exactly `delay` ms from now, not a millisecond earlier. */
async function expectAttemptAfter(sockets: SocketRecorder, delay: number): Promise<void> {
  const before = sockets.created.length;
  await advance(delay - 1);
  expect(sockets.created.length, `no attempt before ${String(delay)} ms`).toBe(before);
  await advance(1);
  expect(sockets.created.length, `an attempt at ${String(delay)} ms`).toBe(before + 1);
}

/** A client whose server is not there: every attempt fails after mock-socket's delay. */
function unreachable(options: Parameters<typeof makeClient>[1] = {}) {
  const url = uniqueUrl();
  const sockets = recordSockets();
  const client = makeClient(url, { WebSocket: sockets.WebSocket, ...options });
  const reconnecting = collect<ReconnectingContext>();
  client.onReconnecting(reconnecting.push);
  return { url, sockets, client, reconnecting };
}

describe('EnhancedWebSocketClient backoff', () => {
  it.each([
    [0, [1000, 2000, 4000, 8000, 16000]],
    [1, [500, 1000, 2000, 4000, 8000]],
    [0.5, [750, 1500, 3000, 6000, 12000]],
  ])('waits the backoff delays when random returns %d', async (r, delays) => {
    const { sockets, reconnecting } = unreachable({ random: () => r });
    await advance(0);
    expect(sockets.created).toHaveLength(1);
    await advance(MOCK_DELAY); // the first attempt fails
    for (const delay of delays) {
      await expectAttemptAfter(sockets, delay);
      await advance(MOCK_DELAY);
    }
    expect(reconnecting.items.slice(0, delays.length).map((context) => context.delay)).toEqual(delays);
    expect(reconnecting.items.map((context) => context.attempt).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('draws a fresh random value for every delay', async () => {
    const values = [0, 1, 0.5];
    const { sockets, reconnecting } = unreachable({ random: () => values.shift() ?? 0 });
    await advance(MOCK_DELAY);
    for (const delay of [1000, 1000, 3000]) {
      await expectAttemptAfter(sockets, delay);
      await advance(MOCK_DELAY);
    }
    expect(reconnecting.items.slice(0, 3).map((context) => context.delay)).toEqual([1000, 1000, 3000]);
  });

  it('caps the delay at maxDelay', async () => {
    const { sockets, reconnecting } = unreachable({ random: () => 0, reconnect: { initialDelay: 100, maxDelay: 300 } });
    await advance(MOCK_DELAY);
    for (const delay of [100, 200, 300, 300, 300]) {
      await expectAttemptAfter(sockets, delay);
      await advance(MOCK_DELAY);
    }
    expect(reconnecting.items.slice(0, 5).map((context) => context.delay)).toEqual([100, 200, 300, 300, 300]);
  });

  it('retries the first connect by the same policy until the server is there', async () => {
    const { url, sockets, client, reconnecting } = unreachable({ random: () => 0 });
    const moves = collect<string>();
    client.onStateChange(({ state }) => { moves.push(state); });
    const opens = collect<unknown>();
    client.onOpen(opens.push);
    await advance(MOCK_DELAY);
    await expectAttemptAfter(sockets, 1000);
    await advance(MOCK_DELAY);
    const server = startServer(url);
    await expectAttemptAfter(sockets, 2000);
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
    expect(reconnecting.items.map((context) => context.attempt)).toEqual([1, 2]);
    expect(moves.items).toEqual(['reconnecting', 'open']);
    expect(opens.items).toEqual([{ transport: 'websocket', attempt: 2 }]);
  });
});

describe('EnhancedWebSocketClient retry limit', () => {
  it('ends closed after maxRetries failed retries of the first connect', async () => {
    const { sockets, client, reconnecting } = unreachable({ random: () => 0, reconnect: { maxRetries: 3, initialDelay: 100 } });
    await advance(60_000);
    expect(client.state).toBe('closed');
    expect(sockets.created).toHaveLength(1 + 3);
    expect(reconnecting.items.map((context) => context.attempt)).toEqual([1, 2, 3]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tells onClose when it gives up: once as the connection drops (willReconnect), once as the retries run out', async () => {
    const { client, server } = await openClient({ random: () => 0, reconnect: { maxRetries: 1, initialDelay: 100 } });
    const closes = collect<CloseContext>();
    client.onClose(closes.push);
    server.server.close({ code: 1006, reason: 'server gone', wasClean: false });
    await advance(100 + MOCK_DELAY);
    expect(client.state).toBe('closed');
    // (the second carries the last attempt's code: mock-socket reports a failed connect as 1000)
    expect(closes.items.map(({ code, willReconnect }) => ({ code, willReconnect }))).toEqual([
      { code: 1006, willReconnect: true },
      { code: expect.any(Number) as number, willReconnect: false },
    ]);
  });

  it('ends closed after maxRetries failed attempts once an open connection is lost', async () => {
    const { client, server, sockets } = await openClient({ random: () => 0, reconnect: { maxRetries: 2, initialDelay: 100 } });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    server.server.close({ code: 1006, reason: 'server gone', wasClean: false });
    expect(client.state).toBe('reconnecting');
    await advance(100 + MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    await advance(200 + MOCK_DELAY);
    expect(client.state).toBe('closed');
    expect(sockets.created).toHaveLength(1 + 2);
    expect(reconnecting.items.map((context) => context.attempt)).toEqual([1, 2]);
    await advance(60_000);
    expect(sockets.created).toHaveLength(3);
  });

  it('does not retry at all with maxRetries 0 or reconnect: false', async () => {
    for (const reconnect of [{ maxRetries: 0 }, false as const]) {
      const { sockets, client } = unreachable({ reconnect });
      await advance(60_000);
      expect(client.state).toBe('closed');
      expect(sockets.created).toHaveLength(1);
    }
  });

  it('starts the attempt count over once a connection stayed open for resetAfter', async () => {
    const { url, client, reconnecting } = unreachable({ random: () => 0, reconnect: { resetAfter: 5000 } });
    await advance(MOCK_DELAY); // attempt fails: retry 1 in 1000
    await advance(1000 + MOCK_DELAY); // fails again: retry 2 in 2000
    const server = startServer(url);
    await advance(2000 + MOCK_DELAY);
    expect(client.state).toBe('open');

    await advance(1000); // a short-lived connection does not reset the count
    server.kill();
    await advance(MOCK_DELAY);
    expect(reconnecting.items.map((context) => context.delay)).toEqual([1000, 2000, 4000]);

    await advance(4000 + MOCK_DELAY);
    expect(client.state).toBe('open');
    await advance(5000); // this one is stable
    server.kill();
    await advance(MOCK_DELAY);
    expect(reconnecting.items.at(-1)).toMatchObject({ attempt: 1, delay: 1000 });
  });
});

describe('EnhancedWebSocketClient when not to reconnect', () => {
  it('never reconnects after close()', async () => {
    const { client, server, sockets } = await openClient();
    const reconnecting = vi.fn();
    client.onReconnecting(reconnecting);
    client.close();
    await advance(120_000);
    expect(client.state).toBe('closed');
    expect(sockets.created).toHaveLength(1);
    expect(server.openCount).toBe(0);
    expect(reconnecting).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels a pending retry on close()', async () => {
    const { sockets, client } = unreachable({ random: () => 0 });
    await advance(MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    client.close();
    await advance(120_000);
    expect(sockets.created).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([1008, 4401, 4403])('stops after the final close code %d', async (code) => {
    const { client, server, sockets } = await openClient();
    const closes = collect<CloseContext>();
    const reconnecting = vi.fn();
    client.onClose(closes.push);
    client.onReconnecting(reconnecting);
    server.kill(code, 'go away');
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    expect(closes.items).toEqual([expect.objectContaining({ code, reason: 'go away', willReconnect: false })]);
    await advance(120_000);
    expect(sockets.created).toHaveLength(1);
    expect(reconnecting).not.toHaveBeenCalled();
  });

  it('reconnects after 4401 when reconnect.finalCodes leaves it out (a token auth() refreshes), and stops after a code the app lists', async () => {
    const { client, server, sockets } = await openClient({ random: () => 0, reconnect: { finalCodes: [4500] } });
    server.kill(4401, 'token expired');
    await advance(MOCK_DELAY + 1000);
    await settle();
    expect(client.state).toBe('open');
    expect(sockets.created).toHaveLength(2);
    server.kill(4500, 'account deleted');
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    await advance(120_000);
    expect(sockets.created).toHaveLength(2);
  });

  it('asks shouldReconnect about other codes and stops when it says no', async () => {
    const asked = collect<TransportCloseEvent>();
    const shouldReconnect = (event: TransportCloseEvent): boolean => {
      asked.push(event);
      return event.code !== 4999;
    };
    const { client, server, sockets } = await openClient({ random: () => 0, reconnect: { shouldReconnect } });
    server.kill(4998, 'try again');
    await advance(MOCK_DELAY + 1000);
    await settle();
    expect(client.state).toBe('open');
    server.kill(4999, 'done with you');
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    await advance(120_000);
    expect(sockets.created).toHaveLength(2);
    expect(asked.items.map(({ code, reason }) => ({ code, reason }))).toEqual([
      { code: 4998, reason: 'try again' },
      { code: 4999, reason: 'done with you' },
    ]);
  });

  it('stops without a second close when an onClose listener calls close()', async () => {
    const { client, server, sockets } = await openClient();
    const closes = collect<CloseContext>();
    client.onClose((context) => {
      closes.push(context);
      client.close();
    });
    expect(() => { server.kill(1006); }).not.toThrow();
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    await advance(120_000);
    expect(sockets.created).toHaveLength(1);
    expect(closes.items).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('EnhancedWebSocketClient reconnects', () => {
  it.each([1006, 1000, 1001, 1011, 1012, 1013, 4000, 4429])('after the server closes or drops the connection with %d', async (code) => {
    const { client, server } = await openClient({ random: () => 0 });
    const closes = collect<CloseContext>();
    client.onClose(closes.push);
    server.kill(code);
    await advance(MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    expect(client.transport).toBeNull();
    expect(closes.items).toEqual([expect.objectContaining({ code, willReconnect: true })]);
    await advance(999);
    expect(server.connections).toHaveLength(1);
    await advance(1);
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(2);
    expect(client.stats.reconnects).toBe(1);
  });

  it('sends a message sent while the server was closing the socket (close frame in, close event not yet) after the reconnect', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    const client = makeClient(url, { WebSocket: sockets.WebSocket, heartbeat: false, random: () => 0 });
    await settle();
    server.kill(1012, 'restart'); // readyState CLOSING at once, the close event after a round trip
    expect(client.state).toBe('open');
    client.send('order', 42); // a browser would silently discard it now
    await advance(MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    expect(client.stats.queued).toBe(1);
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
    await advance(MOCK_DELAY);
    expect(server.frames('order').map((frame) => frame.payload)).toEqual([42]);
    expect(client.stats.sent).toBe(1); // once: the discarded write did not count
  });

  it('after the server went away, once it is back', async () => {
    const { url, client, server } = await openClient({ random: () => 0 });
    // The server process dies: every connection drops and new ones are refused.
    server.server.close({ code: 1006, reason: '', wasClean: false });
    expect(client.state).toBe('reconnecting');
    await advance(1000 + MOCK_DELAY); // retry 1: refused
    await advance(2000 + MOCK_DELAY); // retry 2: refused
    expect(client.state).toBe('reconnecting');
    const restarted = startServer(url);
    await advance(4000);
    await settle();
    expect(client.state).toBe('open');
    expect(restarted.connections).toHaveLength(1);
  });

  it('after a heartbeat timeout: closes with 4000 when a server never answers pings, then reconnects', async () => {
    const { client, server, sockets } = await openClient({ random: () => 0 });
    const closes = collect<CloseContext>();
    client.onClose(closes.push);
    await advance(25_000);
    expect(sockets.sent().map((frame) => frame.type)).toEqual(['ping']);
    await advance(9_999);
    expect(client.state).toBe('open');
    await advance(1);
    expect(client.state).toBe('reconnecting');
    expect(closes.items).toEqual([{ code: 4000, reason: 'heartbeat timeout', wasClean: false, willReconnect: true }]);
    await advance(MOCK_DELAY);
    expect(server.closes).toEqual([4000]);
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(2);
  });

  it('never pings with heartbeat.interval Infinity, and starts no timer loop for it', async () => {
    const { client, sockets } = await openClient({ heartbeat: { interval: Infinity } });
    const timers = vi.getTimerCount();
    await advance(30 * 24 * 3600 * 1000);
    expect(sockets.sent()).toEqual([]);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(timers);
    expect(client.state).toBe('open');
  });

  it('keeps a plain server that never answers pings but keeps talking', async () => {
    const { client, server } = await openClient();
    const closes = vi.fn();
    client.onClose(closes);
    for (let second = 0; second < 300; second += 5) {
      await advance(5000);
      server.send('news', second);
    }
    expect(client.state).toBe('open');
    expect(closes).not.toHaveBeenCalled();
    expect(server.frames('ping').length).toBeGreaterThanOrEqual(10);
  });

  it('keeps a connection whose server answers pings', async () => {
    const { client, server, sockets } = await openClient({}, { answerPings: true });
    await advance(300_000);
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
    expect(sockets.sent().filter((frame) => frame.type === 'ping')).toHaveLength(12);
  });
});

describe('reconnect.shouldReconnect that throws', () => {
  it('is reported to onError and the client does not stay "open" on a dead socket', async () => {
    const boom = new Error('shouldReconnect bug');
    const { client, server } = await openClient({ random: () => 0, reconnect: { shouldReconnect: () => { throw boom; } } });
    const errors = collect<Error>();
    client.onError(errors.push);
    server.kill(1006);
    expect(await escapedWhile(MOCK_DELAY)).toBeUndefined(); // it used to escape the socket's onclose handler
    expect(client.state).not.toBe('open'); // not 'open' on a closed socket
    expect(errors.items).toContain(boom);
  });
});

/** WebSockets whose handshake never completes (a proxy that swallows the upgrade, a half-open network). */
function hangingSockets() {
  const closes: (number | undefined)[] = [];
  class Hanging {
    readyState = 0;
    binaryType = 'blob';
    onopen = null;
    onmessage = null;
    onerror = null;
    onclose = null;
    constructor(readonly url: string) {
      closes.push(undefined);
    }
    send(): void {
      throw new Error('hanging socket: still CONNECTING');
    }
    close(code?: number): void {
      closes[closes.length - 1] = code;
    }
  }
  return { WebSocket: Hanging as unknown as typeof WebSocket, closes };
}

describe('connectTimeout', () => {
  it('abandons a handshake that hangs with 4008 and retries it by the backoff', async () => {
    const hanging = hangingSockets();
    const client = makeClient(uniqueUrl(), { WebSocket: hanging.WebSocket, random: () => 0, connectTimeout: 3000 });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    await advance(2999);
    expect(client.state).toBe('connecting');
    expect(reconnecting.items).toEqual([]);
    await advance(1);
    expect(reconnecting.items).toEqual([{ attempt: 1, delay: 1000, code: 4008, reason: 'connect timeout' }]);
    expect(hanging.closes).toEqual([4008]); // the hung socket is let go, not left to linger
    await advance(1000 + 3000);
    expect(hanging.closes).toEqual([4008, 4008]);
    expect(reconnecting.items.map((context) => context.delay)).toEqual([1000, 2000]);
  });

  it('gives up on a url() that never resolves, and asks it again on the retry', async () => {
    const url = vi.fn(() => new Promise<string>(() => undefined));
    const client = makeClient(url, { random: () => 0 });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    await advance(10_000); // the default
    expect(reconnecting.items).toMatchObject([{ attempt: 1, code: 4008 }]);
    await advance(1000);
    expect(url).toHaveBeenCalledTimes(2);
  });

  it('gives the handshake its own connectTimeout after a slow url(), so a slow token is not blamed on the transport', async () => {
    const hanging = hangingSockets();
    const target = uniqueUrl();
    const url = () => new Promise<string>((resolve) => setTimeout(() => { resolve(target); }, 2900));
    const client = makeClient(url, { WebSocket: hanging.WebSocket, random: () => 0, connectTimeout: 3000 });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    await advance(2900 + 2999); // url() took 2900 ms; the socket has hung for 2999
    expect(hanging.closes).toEqual([undefined]);
    expect(reconnecting.items).toEqual([]);
    await advance(1);
    expect(hanging.closes).toEqual([4008]);
    expect(reconnecting.items).toMatchObject([{ code: 4008 }]);
  });

  it('ends closed after a hung attempt with reconnect: false', async () => {
    const client = makeClient(uniqueUrl(), { WebSocket: hangingSockets().WebSocket, reconnect: false, connectTimeout: 500 });
    const moves = collect<string>();
    client.onStateChange(({ state, reason }) => { moves.push(`${state}: ${reason}`); });
    await advance(500);
    expect(client.state).toBe('closed');
    expect(moves.items).toEqual(['closed: closed with 4008 (connect timeout)']);
  });

  it('does not touch a connection that opened in time, nor one that lives long after', async () => {
    const { client, server } = await openClient({ connectTimeout: 100, heartbeat: false });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    await advance(60_000);
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
    expect(reconnecting.items).toEqual([]);
  });

  it('runs per attempt: a failed attempt does not leave its timer to end the next one', async () => {
    const url = uniqueUrl();
    const sockets = recordSockets();
    const client = makeClient(url, { WebSocket: sockets.WebSocket, random: () => 0, connectTimeout: 2000 });
    await advance(MOCK_DELAY); // no server: the first attempt fails at once
    startServer(url);
    await advance(1000 + MOCK_DELAY); // the retry opens, 1004 ms into the first attempt's 2000
    expect(client.state).toBe('open');
    await advance(5000);
    expect(client.state).toBe('open');
    expect(sockets.created).toHaveLength(2);
  });

  it('is an option like the other timeouts: a number > 0, Infinity for none', () => {
    expect(() => makeClient(uniqueUrl(), { connectTimeout: 0 })).toThrow(/option "connectTimeout" must be a number > 0, got 0/);
    expect(() => makeClient(uniqueUrl(), { connectTimeout: -1 })).toThrow(TypeError);
    expect(() => makeClient(uniqueUrl(), { connectTimeout: Infinity, autoConnect: false })).not.toThrow();
  });
});
