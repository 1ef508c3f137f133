// EnhancedWebSocketClient lifecycle on mock-socket: state moves, listener contexts, close()/connect(), stats.
import { describe, expect, it, vi } from 'vitest';
import { MOCK_DELAY, advance, collect, makeClient, openClient, settle, startServer, uniqueUrl, useHarness } from './test-utils.js';

useHarness();

describe('EnhancedWebSocketClient lifecycle', () => {
  it('reports willReconnect: false when a state listener closes the client as the connection drops', async () => {
    const { client, server } = await openClient();
    client.onStateChange(({ state }) => {
      if (state === 'reconnecting') client.close();
    });
    const closes = collect<unknown>();
    client.onClose(closes.push);
    server.kill(4001, 'kicked');
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    expect(closes.items).toEqual([expect.objectContaining({ code: 4001, willReconnect: false })]);
    await advance(60_000);
    expect(server.connections).toHaveLength(1);
  });

  it('moves idle → connecting → open → reconnecting → open → closed, emitting each move once', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(url, { autoConnect: false, random: () => 0 });
    const moves = collect<string>();
    client.onStateChange(({ previous, state }) => { moves.push(`${previous}→${state}`); });
    expect(client.state).toBe('idle');
    client.connect();
    await settle();
    server.kill();
    await advance(MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
    client.close();
    expect(moves.items).toEqual(['idle→connecting', 'connecting→open', 'open→reconnecting', 'reconnecting→open', 'open→closed']);
    await advance(60_000);
    expect(moves.items).toHaveLength(5);
  });

  it('gives state listeners the reason and the transport', async () => {
    const { client } = await openClient();
    const seen = collect<unknown>();
    client.onStateChange(seen.push);
    client.close();
    expect(seen.items).toEqual([{ state: 'closed', previous: 'open', reason: expect.stringContaining('close()') as string, transport: null }]);
  });

  it('tells onOpen the transport and attempt, onClose the code, reason and whether it will reconnect', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(url, { random: () => 0 });
    const opens = collect<unknown>();
    const closes = collect<unknown>();
    client.onOpen(opens.push);
    client.onClose(closes.push);
    await settle();
    server.kill(4001, 'kicked');
    await advance(MOCK_DELAY);
    await advance(1000);
    await settle();
    client.close(4002, 'bye');
    expect(opens.items).toEqual([
      { transport: 'websocket', attempt: 0 },
      { transport: 'websocket', attempt: 1 },
    ]);
    expect(closes.items).toEqual([
      { code: 4001, reason: 'kicked', wasClean: expect.any(Boolean) as boolean, willReconnect: true }, // mock-socket decides wasClean
      { code: 4002, reason: 'bye', wasClean: true, willReconnect: false },
    ]);
    await advance(MOCK_DELAY);
    expect(server.closes).toEqual([4001, 4002]);
  });

  it.each([[999], [1001], [1006], [2999], [5000], [Number.NaN], [3000.5], ['4000']])('close(%o) throws a TypeError naming the code and changes nothing', async (code) => {
    const { client, server } = await openClient();
    expect(() => { client.close(code as number); }).toThrow(/close code must be an integer, 1000 or 3000-4999/);
    expect(client.state).toBe('open');
    await advance(MOCK_DELAY);
    expect(server.closes).toEqual([]);
  });

  it('close() throws a TypeError for a reason over 123 UTF-8 bytes or not a string, and changes nothing', async () => {
    const { client } = await openClient();
    expect(() => { client.close(1000, 'é'.repeat(62)); }).toThrow(/close reason must be a string of at most 123 UTF-8 bytes, got 124 bytes/);
    expect(() => { client.close(1000, 42 as unknown as string); }).toThrow(/got number/);
    expect(client.state).toBe('open');
    client.close(1000, 'é'.repeat(61) + 'x'); // 123 bytes: fine
    expect(client.state).toBe('closed');
  });

  it('closes with 1000 by default and is idempotent', async () => {
    const { client, server } = await openClient();
    const closes = vi.fn();
    client.onClose(closes);
    client.close();
    client.close();
    expect(client.state).toBe('closed');
    expect(client.transport).toBeNull();
    expect(closes).toHaveBeenCalledOnce();
    await advance(MOCK_DELAY);
    expect(server.closes).toEqual([1000]);
    expect(server.openCount).toBe(0);
  });

  it('close() during the first attempt abandons it: no open, no onClose', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(url);
    const opens = vi.fn();
    const closes = vi.fn();
    client.onOpen(opens);
    client.onClose(closes);
    await advance(0);
    client.close();
    await advance(60_000);
    expect(client.state).toBe('closed');
    expect(opens).not.toHaveBeenCalled();
    expect(closes).not.toHaveBeenCalled();
    expect(server.openCount).toBe(0);
  });

  it('connects again with connect() after close()', async () => {
    const { client, server } = await openClient();
    client.close();
    client.connect();
    expect(client.state).toBe('connecting');
    await settle(); // (nothing in the old socket's buffer: the new one need not wait for its close)
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(2);
    expect(client.stats.reconnects).toBe(1);
  });

  it('ignores connect() while connecting or open', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(url);
    client.connect();
    await settle();
    client.connect();
    await settle();
    expect(server.connections).toHaveLength(1);
  });

  it('stops calling lifecycle listeners after their unsubscribe function ran', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(url, { autoConnect: false });
    const listener = vi.fn();
    for (const off of [
      client.onOpen(listener),
      client.onClose(listener),
      client.onError(listener),
      client.onStateChange(listener),
      client.onReconnecting(listener),
      client.onAny(listener),
    ]) off();
    client.connect();
    await settle();
    server.sendRaw('garbage');
    server.kill();
    await advance(5000);
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('EnhancedWebSocketClient stats', () => {
  it('sets rttMs from the pong that answers a ping', async () => {
    const { client, server } = await openClient({ heartbeat: { interval: 1000, timeout: 5000 } }, { answerPings: true, pongDelay: 46 });
    expect(client.stats.rttMs).toBeNull();
    await advance(1000); // ping leaves
    await advance(MOCK_DELAY + 46); // reaches the server after 4 ms, pong 46 ms later
    expect(server.frames('ping')).toHaveLength(1);
    expect(client.stats.rttMs).toBe(50);
  });

  it('measures a late pong from the ping it answers, not from a newer ping', async () => {
    const { client, server } = await openClient({ heartbeat: { interval: 1000, timeout: 5000 } });
    await advance(1000 + MOCK_DELAY); // ping 1 reaches the server, which is slow to answer it
    const [first] = server.frames('ping');
    server.send('news'); // any frame is life: ping 2 is due on time
    await advance(1000);
    expect(server.frames('ping')).toHaveLength(2);
    server.send('pong', first?.payload); // the answer to ping 1, arriving after ping 2 left
    expect(client.stats.rttMs).toBe(1000 + MOCK_DELAY); // not MOCK_DELAY: ping 2 left just now
  });

  it('counts sent and received frames, including pings and pongs, and reconnects', async () => {
    const { client, server } = await openClient({ heartbeat: { interval: 1000, timeout: 5000 }, random: () => 0 }, { answerPings: true });
    client.send('a');
    client.send('b');
    server.send('c');
    await advance(1000 + MOCK_DELAY);
    expect(client.stats).toMatchObject({ sent: 3, received: 2, reconnects: 0, malformed: 0, dropped: 0, expired: 0, queued: 0 });
    server.kill();
    await advance(MOCK_DELAY + 1000);
    await settle();
    expect(client.stats.reconnects).toBe(1);
  });

  it('returns a snapshot that later changes do not touch', async () => {
    const { client } = await openClient();
    const before = client.stats;
    client.send('a');
    expect(before.sent).toBe(0);
    expect(client.stats.sent).toBe(1);
  });
});
