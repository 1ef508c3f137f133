// EnhancedWebSocketClient send queue: order, flush after onOpen, overflow policies, bytes, expiry, close().
import { describe, expect, it, vi } from 'vitest';
import type { Envelope } from './envelope.js';
import { EnhancedWsError } from './errors.js';
import type { ClientOptions } from './options.js';
import {
  MOCK_DELAY,
  advance,
  codeOf,
  collect,
  makeClient,
  openClient,
  recordSockets,
  settle,
  startServer,
  uniqueUrl,
  useHarness,
} from './test-utils.js';

useHarness();

/** A client that is not connected yet, and the way to connect it. */
function waiting(options: ClientOptions = {}) {
  const url = uniqueUrl();
  const sockets = recordSockets();
  const client = makeClient(url, { autoConnect: false, WebSocket: sockets.WebSocket, ...options });
  const errors = collect<Error>();
  client.onError(errors.push);
  const codes = (): (string | undefined)[] => errors.items.map(codeOf);
  const open = async () => {
    const server = startServer(url);
    client.connect();
    await settle();
    expect(client.state).toBe('open');
    return server;
  };
  /** Frames the client handed to its sockets, as `type:payload`. */
  const out = (): string[] => sockets.sent().map((frame: Envelope) => `${frame.type}${frame.payload === undefined ? '' : `:${typeof frame.payload === 'string' ? frame.payload : JSON.stringify(frame.payload)}`}`);
  return { url, sockets, client, errors, codes, open, out };
}

describe('EnhancedWebSocketClient queue', () => {
  it('keeps messages sent before open and sends them in order on open', async () => {
    const { client, open, out } = waiting();
    client.send('m', 1);
    client.send('m', 2);
    client.send('m', 3);
    expect(client.stats.queued).toBe(3);
    const server = await open();
    expect(out()).toEqual(['m:1', 'm:2', 'm:3']);
    expect(client.stats.queued).toBe(0);
    expect(client.stats.sent).toBe(3);
    await advance(MOCK_DELAY);
    expect(server.received.map((frame) => frame.payload)).toEqual([1, 2, 3]);
  });

  it('flushes after the onOpen listeners ran: a send inside onOpen goes first', async () => {
    const { client, open, out } = waiting();
    const queuedDuringOpen = collect<number>();
    client.onOpen(() => {
      queuedDuringOpen.push(client.stats.queued);
      client.send('hello');
    });
    client.send('m', 1);
    client.send('m', 2);
    await open();
    expect(queuedDuringOpen.items).toEqual([2]);
    expect(out()).toEqual(['hello', 'm:1', 'm:2']);
  });

  it('flushes before anything sent after open', async () => {
    const { client, open, out } = waiting();
    client.send('m', 1);
    const queuedAtOpen = collect<number>();
    client.onStateChange(({ state }) => {
      if (state === 'open') queuedAtOpen.push(client.stats.queued);
    });
    await open();
    expect(queuedAtOpen.items).toEqual([1]);
    expect(client.stats.queued).toBe(0);
    client.send('m', 2);
    expect(out()).toEqual(['m:1', 'm:2']);
  });

  it('stops flushing when an onOpen listener closes the client, keeping the rest', async () => {
    const { url, client, out } = waiting();
    startServer(url);
    client.onOpen(() => { client.close(); });
    client.send('m', 1);
    client.send('m', 2);
    client.connect();
    await settle();
    expect(client.state).toBe('closed');
    expect(out()).toEqual([]);
    expect(client.stats.queued).toBe(2);
  });

  it('sends messages queued during a reconnect once the connection is back', async () => {
    const { client, server, sockets } = await openClient({ random: () => 0 });
    server.kill();
    await advance(MOCK_DELAY);
    client.send('m', 'while away');
    expect(client.stats.queued).toBe(1);
    await advance(1000);
    await settle();
    expect(sockets.created).toHaveLength(2);
    expect(sockets.created[1]?.sent).toEqual(['{"type":"m","payload":"while away"}']);
  });

  it('sends in the same task while open: nothing is queued, no timer needed', async () => {
    const { client, sockets } = await openClient();
    client.send('now', 1);
    expect(sockets.created[0]?.sent).toEqual(['{"type":"now","payload":1}']);
    expect(client.stats.queued).toBe(0);
  });

  it('drops the oldest under drop-oldest, counting and reporting each drop', async () => {
    const { client, codes, open, out } = waiting({ queue: { maxMessages: 2, overflow: 'drop-oldest' } });
    for (const n of [1, 2, 3, 4]) client.send('m', n);
    expect(client.stats).toMatchObject({ queued: 2, dropped: 2 });
    expect(codes()).toEqual(['QUEUE_OVERFLOW', 'QUEUE_OVERFLOW']);
    await open();
    expect(out()).toEqual(['m:3', 'm:4']);
  });

  it('drops the new message under drop-newest, counting and reporting it', async () => {
    const { client, codes, open, out } = waiting({ queue: { maxMessages: 2, overflow: 'drop-newest' } });
    for (const n of [1, 2, 3]) client.send('m', n);
    expect(client.stats).toMatchObject({ queued: 2, dropped: 1 });
    expect(codes()).toEqual(['QUEUE_OVERFLOW']);
    await open();
    expect(out()).toEqual(['m:1', 'm:2']);
  });

  it('throws QUEUE_OVERFLOW from send under error, keeping what was queued', async () => {
    const { client, codes, open, out } = waiting({ queue: { maxMessages: 2, overflow: 'error' } });
    client.send('m', 1);
    client.send('m', 2);
    let thrown: unknown;
    try {
      client.send('m', 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnhancedWsError);
    expect(thrown).toMatchObject({ code: 'QUEUE_OVERFLOW' });
    expect(client.stats).toMatchObject({ queued: 2, dropped: 0 });
    expect(codes()).toEqual([]);
    await open();
    expect(out()).toEqual(['m:1', 'm:2']);
  });

  it('bounds the queue by maxBytes', async () => {
    const frame = '{"type":"m","payload":1}';
    const { client, codes, open, out } = waiting({ queue: { maxBytes: frame.length * 2 } });
    for (const n of [1, 2, 3]) client.send('m', n);
    expect(client.stats).toMatchObject({ queued: 2, dropped: 1 });
    expect(codes()).toEqual(['QUEUE_OVERFLOW']);
    await open();
    expect(out()).toEqual(['m:2', 'm:3']);
  });

  it('expires messages older than maxAge instead of sending them, counting and reporting each', async () => {
    const { client, codes, open, out } = waiting({ queue: { maxAge: 1000 } });
    client.send('m', 'stale');
    await advance(600);
    client.send('m', 'fresh');
    await advance(600);
    await open();
    expect(out()).toEqual(['m:fresh']);
    expect(client.stats).toMatchObject({ expired: 1, dropped: 0, queued: 0 });
    expect(codes()).toEqual(['MESSAGE_EXPIRED']);
  });

  it('expires a message once it is older than maxAge while the connection stays down, not at the next connection', async () => {
    const { client, codes } = waiting({ queue: { maxAge: 1000 } });
    client.send('m', 'stale soon');
    await advance(1000);
    expect(client.stats).toMatchObject({ queued: 1, expired: 0 });
    await advance(1);
    expect(client.stats).toMatchObject({ queued: 0, expired: 1 });
    expect(codes()).toEqual(['MESSAGE_EXPIRED']);
  });

  it('rejects a queued request with MESSAGE_EXPIRED once it waited past maxAge, before its own timeout', async () => {
    const { client } = waiting({ queue: { maxAge: 1000 } });
    const outcome = client.request('sum', [1, 2], { timeout: 60_000 }).catch((error: unknown) => error);
    await advance(1001);
    expect(await outcome).toMatchObject({ code: 'MESSAGE_EXPIRED' });
  });

  it('expires at the flush what a throttled timer has not yet; what an onError listener sends then goes after the queue', async () => {
    const { client, open, out } = waiting({ queue: { maxAge: 1000 } });
    client.onError(() => {
      client.send('resync'); // e.g. ask the server again for what the stale message was about
    });
    client.send('m', 'stale');
    await advance(500);
    client.send('m', 'fresh-1');
    client.send('m', 'fresh-2');
    vi.setSystemTime(Date.now() + 700); // a background tab: the clock moved on, no timer ran
    await open();
    expect(out()).toEqual(['m:fresh-1', 'm:fresh-2', 'resync']);
    expect(client.stats).toMatchObject({ expired: 1, queued: 0 });
  });

  it('reports every expiry, also one caused by what an onError listener sends', async () => {
    const { client, codes } = waiting({ queue: { maxAge: 1000 } });
    client.onError(() => {
      client.send('notice'); // its push expires the next stale message, while this listener runs
    });
    client.send('m', 'a');
    await advance(100);
    client.send('m', 'b');
    vi.setSystemTime(Date.now() + 1050); // both past maxAge, no timer ran (a background tab)
    client.send('m', 'c');
    expect(client.stats.expired).toBe(2);
    expect(codes()).toEqual(['MESSAGE_EXPIRED', 'MESSAGE_EXPIRED']);
  });

  it('keeps the queue across close() for a later connect()', async () => {
    const { client, open, out } = waiting();
    client.connect();
    client.send('m', 1);
    client.close();
    expect(client.stats.queued).toBe(1);
    await open();
    expect(out()).toEqual(['m:1']);
  });

  it('empties the queue on close() with dropOnClose, counting and reporting each message', async () => {
    const { client, codes, open, out } = waiting({ queue: { dropOnClose: true } });
    client.connect();
    client.send('m', 1);
    client.send('m', 2);
    client.close();
    expect(client.stats).toMatchObject({ queued: 0, dropped: 2 });
    expect(codes()).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED']);
    await open();
    expect(out()).toEqual([]);
  });

  it('reports each message dropOnClose drops, also when close() is called from an onError listener', async () => {
    const client = makeClient(() => Promise.reject(new Error('no token service')), { autoConnect: false, queue: { dropOnClose: true } });
    const errors = collect<Error>();
    client.onError((error) => {
      errors.push(error);
      if (client.state !== 'closed') client.close(); // the app gives up when it cannot connect
    });
    client.send('m', 1);
    client.send('m', 2);
    client.connect();
    await advance(10);
    expect(client.state).toBe('closed');
    expect(client.stats).toMatchObject({ queued: 0, dropped: 2 });
    expect(errors.items.map((error) => codeOf(error) ?? error.message)).toEqual(['no token service', 'CONNECTION_CLOSED', 'CONNECTION_CLOSED']);
  });

  it('leaves no expiry timer after close() once the queue it was armed for is empty', async () => {
    const { client, open } = waiting({ queue: { maxAge: 60_000 }, heartbeat: false });
    client.send('m', 1); // queued while not open: arms the expiry timer
    await open();
    expect(client.stats.queued).toBe(0); // flushed: nothing left to expire
    client.close();
    await advance(MOCK_DELAY);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each(['drop-newest', 'drop-oldest'] as const)('stops reporting, but still counts, when an onError listener sends into a full %s queue on every drop', (overflow) => {
    const client = makeClient(uniqueUrl(), { autoConnect: false, queue: { maxMessages: 2, overflow } });
    let calls = 0;
    client.onError((error) => {
      calls++;
      if (calls < 1_000) client.send('client-error', error.message); // an app that logs its errors to the server (bounded only so a failure ends)
    });
    client.send('m', 1);
    client.send('m', 2);
    client.send('m', 3); // a drop: reported; the listener's send drops another: reported; and so on
    expect(calls).toBe(2); // the drop, and the one its listener caused; not what that one caused
    expect(client.stats.dropped).toBe(3);
    expect(client.stats.queued).toBe(2);
  });

  it('rejects a queued request that the queue drops', async () => {
    const { client } = waiting({ queue: { maxMessages: 1, overflow: 'drop-oldest' } });
    const request = client.request('sum', [1, 2]);
    client.send('m', 1);
    await expect(request).rejects.toMatchObject({ code: 'QUEUE_OVERFLOW' });
  });
});
