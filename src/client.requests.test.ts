// EnhancedWebSocketClient request(): replies, server errors, timeouts, closes and drops, queued requests.
import { describe, expect, it, vi } from 'vitest';
import { ConnectionClosedError, EnhancedWsError, ServerError, TimeoutError } from './errors.js';
import { MOCK_DELAY, advance, makeClient, openClient, recordSockets, settle, startServer, uniqueUrl, useHarness } from './test-utils.js';

useHarness();

interface Events {
  sum: [number, number];
  echo: string;
}
interface Replies {
  sum: number;
  echo: string;
}

const sum = (payload: unknown): number => (payload as number[]).reduce((a, b) => a + b, 0);

/** Settles to the outcome without an unhandled rejection in between. */
function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('EnhancedWebSocketClient request', () => {
  it('resolves with the payload of the reply', async () => {
    const { client, sockets } = await openClient<Events, Replies>({}, { handlers: { sum } });
    const result = client.request('sum', [1, 2]);
    const frame = sockets.sent()[0];
    expect(frame).toMatchObject({ type: 'sum', payload: [1, 2], id: expect.any(String) as string });
    await advance(MOCK_DELAY);
    await expect(result).resolves.toBe(3);
  });

  it('matches each reply to its request by id', async () => {
    const { client, server } = await openClient<Events, Replies>();
    const a = client.request('echo', 'a');
    const b = client.request('echo', 'b');
    await advance(MOCK_DELAY);
    const [first, second] = server.frames('echo');
    expect(first?.id).not.toBe(second?.id);
    server.last.send(JSON.stringify({ type: 'reply', id: second?.id, payload: 'B' }));
    server.last.send(JSON.stringify({ type: 'reply', id: first?.id, payload: 'A' }));
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
  });

  it('rejects with ServerError when the reply carries an error', async () => {
    const { client, server } = await openClient<Events, Replies>();
    const result = outcome(client.request('echo', 'x'));
    await advance(MOCK_DELAY);
    const id = server.frames('echo')[0]?.id;
    server.last.send(JSON.stringify({ type: 'reply', id, error: { message: 'no such room', code: 'NOT_FOUND' } }));
    const { error } = await result;
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'SERVER_ERROR', message: 'no such room', serverCode: 'NOT_FOUND' });
    expect(client.state).toBe('open');
  });

  it('rejects with TimeoutError when no reply comes within the timeout', async () => {
    const { client } = await openClient<Events, Replies>();
    let settled = false;
    const result = outcome(client.request('echo', 'x', { timeout: 500 }).finally(() => { settled = true; }));
    await advance(499);
    expect(settled).toBe(false);
    await advance(1);
    const { error } = await result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeout: 500 });
  });

  it('uses requestTimeout when no timeout is given', async () => {
    const { client } = await openClient<Events, Replies>({ requestTimeout: 2000, heartbeat: false });
    let settled = false;
    const result = outcome(client.request('echo', 'x').finally(() => { settled = true; }));
    await advance(1999);
    expect(settled).toBe(false);
    await advance(1);
    expect((await result).error).toBeInstanceOf(TimeoutError);
  });

  it('never times out with timeout Infinity (timers would fire a delay past 2^31 - 1 ms at once)', async () => {
    const { client, server } = await openClient<Events, Replies>({ requestTimeout: Infinity, heartbeat: false });
    let settled = false;
    const result = outcome(client.request('echo', 'x').finally(() => { settled = true; }));
    await advance(30 * 24 * 3600 * 1000);
    expect(settled).toBe(false);
    const id = server.frames('echo')[0]?.id;
    server.last.send(JSON.stringify({ type: 'reply', id, payload: 'x' }));
    expect(await result).toEqual({ value: 'x' });
  });

  it('rejects with a TypeError naming the timeout when it is not a number > 0, and sends nothing', async () => {
    const { client, server } = await openClient<Events, Replies>();
    for (const timeout of [0, -1, Number.NaN]) {
      const { error } = await outcome(client.request('echo', 'x', { timeout }));
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).toContain(`request timeout must be a number > 0 (Infinity: none), got ${String(timeout)}`);
    }
    expect(server.frames('echo')).toEqual([]);
  });

  it('returns a promise, never throws, for options untyped code passes as null (the default timeout applies) or as a timeout String() cannot print', async () => {
    const { client } = await openClient<Events, Replies>({ requestTimeout: 500 });
    const loose = client as unknown as { request(type: string, payload: unknown, options: unknown): Promise<unknown> };
    const defaulted = outcome(loose.request('echo', 'x', null));
    const unprintable = await outcome(loose.request('echo', 'x', { timeout: Object.create(null) as unknown }));
    expect(String(unprintable.error)).toContain('request timeout must be a number > 0 (Infinity: none), got [object Object]');
    await advance(500);
    expect((await defaulted).error).toBeInstanceOf(TimeoutError);
  });

  it('ignores a late reply after the timeout', async () => {
    const { client, server } = await openClient<Events, Replies>();
    const result = outcome(client.request('echo', 'x', { timeout: 100 }));
    await advance(100);
    const id = server.frames('echo')[0]?.id;
    expect(() => { server.last.send(JSON.stringify({ type: 'reply', id, payload: 'late' })); }).not.toThrow();
    expect((await result).error).toBeInstanceOf(TimeoutError);
    expect(client.state).toBe('open');
  });

  it('rejects pending requests with ConnectionClosedError on close()', async () => {
    const { client } = await openClient<Events, Replies>();
    const sent = outcome(client.request('echo', 'x'));
    client.close();
    const { error } = await sent;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  it('rejects a queued request on close() too', async () => {
    const client = makeClient<Events, Replies>(uniqueUrl(), { autoConnect: false });
    const queued = outcome(client.request('echo', 'x'));
    client.close();
    expect((await queued).error).toBeInstanceOf(ConnectionClosedError);
  });

  it('never sends a queued request that already failed (timeout or close()), so the server cannot act on it', async () => {
    const url = uniqueUrl();
    const server = startServer(url, { handlers: { sum } });
    const client = makeClient<Events, Replies>(url, { autoConnect: false });
    const timedOut = outcome(client.request('sum', [1, 1], { timeout: 50 }));
    await advance(60);
    expect((await timedOut).error).toBeInstanceOf(TimeoutError);
    const closed = outcome(client.request('sum', [2, 2]));
    client.close();
    expect((await closed).error).toBeInstanceOf(ConnectionClosedError);
    client.send('echo', 'still wanted'); // a plain message queued around them stays
    expect(client.stats.queued).toBe(1);
    client.connect();
    await settle();
    await advance(MOCK_DELAY);
    expect(server.frames('sum')).toEqual([]);
    expect(server.frames('echo').map((frame) => frame.payload)).toEqual(['still wanted']);
  });

  it('rejects a request already sent when the connection drops, and reconnects', async () => {
    const { client, server } = await openClient<Events, Replies>({ random: () => 0 });
    const result = outcome(client.request('echo', 'x'));
    await advance(MOCK_DELAY);
    server.kill();
    await advance(MOCK_DELAY);
    const { error } = await result;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(client.state).toBe('reconnecting');
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
  });

  it('sends a request queued while disconnected on reconnect, and resolves it', async () => {
    const { client, server } = await openClient<Events, Replies>({ random: () => 0 }, { handlers: { sum } });
    server.kill();
    await advance(MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    const result = client.request('sum', [2, 3]);
    expect(client.stats.queued).toBe(1);
    await advance(1000);
    await settle(); // open: the queue flushes
    await advance(MOCK_DELAY); // the request reaches the server, which replies
    await expect(result).resolves.toBe(5);
    expect(server.connections).toHaveLength(2);
  });

  it('sends a request made before the first open once it opens', async () => {
    const url = uniqueUrl();
    startServer(url, { handlers: { sum } });
    const client = makeClient<Events, Replies>(url);
    const result = client.request('sum', [4, 5]);
    await settle();
    await advance(MOCK_DELAY);
    await expect(result).resolves.toBe(9);
  });

  it.each([
    ['a cycle', (): unknown => {
      const cyclic: unknown[] = [];
      cyclic.push(cyclic);
      return cyclic;
    }],
    ['a BigInt', (): unknown => 1n],
  ])('rejects with SERIALIZE_FAILED for %s, sending and queuing nothing', async (_what, payload) => {
    const { client, sockets } = await openClient();
    const { error } = await outcome(client.request('echo', payload()));
    expect(error).toBeInstanceOf(EnhancedWsError);
    expect(error).toMatchObject({ code: 'SERIALIZE_FAILED' });
    expect(sockets.sent()).toEqual([]);
    expect(client.stats.queued).toBe(0);
  });

  it('rejects with SERIALIZE_FAILED before queuing while not open', async () => {
    const sockets = recordSockets();
    const client = makeClient(uniqueUrl(), { autoConnect: false, WebSocket: sockets.WebSocket });
    const { error } = await outcome(client.request('echo', { n: 1n }));
    expect(error).toMatchObject({ code: 'SERIALIZE_FAILED' });
    expect(client.stats.queued).toBe(0);
  });

  it('rejects with NOT_OPEN while not open when the queue is off', async () => {
    const client = makeClient(uniqueUrl(), { autoConnect: false, queue: false });
    const { error } = await outcome(client.request('echo', 'x'));
    expect(error).toMatchObject({ code: 'NOT_OPEN' });
  });

  it('leaves no timer behind once settled', async () => {
    const { client } = await openClient<Events, Replies>({ heartbeat: false }, { handlers: { sum } });
    const result = client.request('sum', [1, 1]);
    await advance(MOCK_DELAY);
    await expect(result).resolves.toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
