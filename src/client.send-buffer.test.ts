// Messages still in a WebSocket's send buffer when its connection dies or the app closes it: sent again on the next connection, reported, or kept in order across close() and connect() (fake time, a buffering socket).

import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import type { ClientOptions } from './options.js';
import type { Envelope } from './envelope.js';
import { bufferingSockets } from './transports/buffering-socket-test-utils.js';
import { utf8Length } from './utf8.js';

const decode = (frame: string): Envelope => JSON.parse(frame) as Envelope;

/** A client on buffering sockets; heartbeat off (pings would count as sent), retries after 10 ms. */
function makeClient(options: ClientOptions = {}) {
  const sockets = bufferingSockets();
  const client = new EnhancedWebSocketClient('ws://example.test/ws', {
    WebSocket: sockets.WebSocket,
    transports: ['websocket'],
    heartbeat: false,
    reconnect: { initialDelay: 10, maxDelay: 10, jitter: 0 },
    ...options,
  });
  onTestFinished(() => {
    client.close();
  });
  return { client, sockets };
}

/** A client open on its first buffering socket. */
async function openClient() {
  const { client, sockets } = makeClient();
  await vi.advanceTimersByTimeAsync(0);
  sockets.last().open();
  expect(client.state).toBe('open');
  return { client, sockets };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('messages in the send buffer of a connection that dies', () => {

  it('go out again first on the next connection, in order, before messages sent meanwhile, each counted once', async () => {
    const { client, sockets } = await openClient();
    const first = sockets.last();
    client.send('chat', 'left');
    client.send('chat', 'stuck, half sent');
    client.send('chat', 'stuck');
    first.transmit(utf8Length(first.sent[0]!) + 10);
    first.closed(1006);
    expect(client.state).toBe('reconnecting');
    client.send('chat', 'meanwhile');

    await vi.advanceTimersByTimeAsync(10);
    sockets.last().open();
    expect(sockets.made).toHaveLength(2);
    expect(first.sent.map((frame) => decode(frame).payload)).toEqual(['left', 'stuck, half sent', 'stuck']);
    expect(sockets.last().sent.map((frame) => decode(frame).payload)).toEqual(['stuck, half sent', 'stuck', 'meanwhile']);
    expect(client.stats).toMatchObject({ sent: 4, queued: 0, dropped: 0, reconnects: 1 });
  });

  it('keep a request waiting for its reply instead of failing it, when its frame never left', async () => {
    const { client, sockets } = await openClient();
    const first = sockets.last();
    const settled: unknown[] = [];
    const record = (request: Promise<unknown>): void => {
      request.then((value) => settled.push(value), (error: unknown) => settled.push((error as Error).name));
    };
    record(client.request('sum', [1, 2]));
    record(client.request('sum', [3]));
    first.transmit(utf8Length(first.sent[0]!)); // the first request left, the second did not
    first.closed(1006);
    await vi.advanceTimersByTimeAsync(0);
    // The reply to the one that left can no longer come.
    expect(settled).toEqual(['ConnectionClosedError']);

    await vi.advanceTimersByTimeAsync(10);
    const second = sockets.last();
    second.open();
    expect(second.sent.map(decode)).toEqual([decode(first.sent[1]!)]);
    second.deliver({ type: 'reply', id: decode(second.sent[0]!).id, payload: [3] });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toEqual(['ConnectionClosedError', [3]]);
  });

  it('leave the auth frame out: the next connection sends credentials of its own', async () => {
    const { client, sockets } = makeClient({ auth: () => 'token' });
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    first.open();
    await vi.advanceTimersByTimeAsync(5000); // a stalled link: no answer to the auth frame, the client opens anyway
    expect(client.state).toBe('open');
    client.send('chat', 'stuck');
    first.closed(1006); // nothing left: auth and chat still in the buffer
    await vi.advanceTimersByTimeAsync(10);
    const second = sockets.last();
    second.open();
    second.deliver({ type: 'auth', payload: { ok: true } });
    await vi.advanceTimersByTimeAsync(0);
    expect(second.sent.map((frame) => decode(frame).type)).toEqual(['auth', 'chat']);
  });

  it('are not sent twice after a clean close (everything in the buffer left before the close frame)', async () => {
    const { client, sockets } = await openClient();
    const first = sockets.last();
    client.send('chat', 'one');
    first.transmit(first.bufferedAmount);
    first.closed(1001);
    await vi.advanceTimersByTimeAsync(10);
    sockets.last().open();
    expect(sockets.last().sent).toEqual([]);
    expect(client.stats).toMatchObject({ sent: 1, queued: 0 });
  });

  it('are reported, not lost without a word, when the link dies after close() before the buffer went out', async () => {
    const { client, sockets } = await openClient();
    const errors: string[] = [];
    client.onError((error) => errors.push(error.message));
    const socket = sockets.last();
    client.send('chat', 'left');
    client.send('chat', 'stuck');
    socket.transmit(utf8Length(socket.sent[0]!));
    client.close();
    expect(errors).toEqual([]); // the buffer may still go out before the close frame
    socket.closed(1006);
    expect(errors).toEqual(['enhanced-ws: "chat" was not sent: not delivered after close()']);
    expect(client.stats).toMatchObject({ sent: 1, dropped: 1, queued: 0 });
  });

  it('report no auth frame after close(): it is protocol, not an app message', async () => {
    const { client, sockets } = makeClient({ auth: () => 'token' });
    const errors: string[] = [];
    client.onError((error) => errors.push(error.message));
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.open();
    await vi.advanceTimersByTimeAsync(5000); // no answer to the auth frame: the client opens anyway
    client.send('chat', 'stuck');
    client.close();
    socket.closed(1006); // auth and chat never left
    expect(errors).toEqual(['enhanced-ws: "chat" was not sent: not delivered after close()']);
  });
});

describe('messages in the send buffer of a socket the heartbeat gave up on', () => {
  /** Open, the link takes nothing: a, a ping and b wait in the buffer (it grew), and the heartbeat closes (4000). */
  async function heartbeatGaveUp(options: ClientOptions = {}) {
    const { client, sockets } = makeClient({ heartbeat: { interval: 1000, timeout: 300 }, ...options });
    const errors: string[] = [];
    client.onError((error) => errors.push(error.message));
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    first.open();
    client.send('chat', 'a');
    await vi.advanceTimersByTimeAsync(1000); // the ping goes behind a
    client.send('chat', 'b'); // the buffer grew: the link takes nothing
    await vi.advanceTimersByTimeAsync(300);
    expect(client.state).toBe('reconnecting');
    expect(first.readyState).toBe(2); // closing: the browser would still send its buffer first
    return { client, sockets, first, errors };
  }

  it('go out again first on the next connection when the old link dies before it opens', async () => {
    const { sockets, first, errors } = await heartbeatGaveUp();
    first.closed(1006); // a, the ping and b never left
    await vi.advanceTimersByTimeAsync(10);
    const second = sockets.last();
    second.open();
    expect(second.sent.map((frame) => decode(frame).payload)).toEqual(['a', 'b']); // not the old ping
    expect(errors).toEqual([]);
  });

  it('are reported when the old link dies only after the next connection opened (sending them then would reorder)', async () => {
    const { client, sockets, first, errors } = await heartbeatGaveUp();
    await vi.advanceTimersByTimeAsync(10);
    sockets.last().open(); // the retry did not wait for the old socket
    client.send('chat', 'c');
    first.closed(1006);
    expect(errors).toEqual(['a', 'b'].map(() => 'enhanced-ws: "chat" was not sent: the connection died before it was sent'));
    expect(sockets.last().sent.map((frame) => decode(frame).payload)).toEqual(['c']);
    expect(client.stats).toMatchObject({ dropped: 2, queued: 0 });
  });

  it('are reported when a newer connection opened meanwhile, even if it is down again (c went out before them)', async () => {
    const { client, sockets, first, errors } = await heartbeatGaveUp();
    await vi.advanceTimersByTimeAsync(10);
    const second = sockets.last();
    second.open();
    client.send('chat', 'c');
    second.transmit(second.bufferedAmount);
    second.closed(1006);
    expect(client.state).toBe('reconnecting');
    first.closed(1006);
    expect(errors).toEqual(['a', 'b'].map(() => 'enhanced-ws: "chat" was not sent: the connection died before it was sent'));
    await vi.advanceTimersByTimeAsync(10);
    sockets.last().open();
    expect(sockets.last().sent).toEqual([]);
    expect(client.stats).toMatchObject({ dropped: 2, queued: 0 });
  });

  it('are reported, not queued again, once the client closed for good with queue.dropOnClose', async () => {
    const { client, first, errors } = await heartbeatGaveUp({ queue: { dropOnClose: true } });
    client.close();
    first.closed(1006);
    expect(errors).toEqual(['a', 'b'].map(() => 'enhanced-ws: "chat" was not sent: the connection died before it was sent'));
    expect(client.stats).toMatchObject({ dropped: 2, queued: 0 });
  });

  it('wait in the kept queue of a client closed for good meanwhile, ahead of what it queues later', async () => {
    const { client, sockets, first } = await heartbeatGaveUp();
    client.close();
    first.closed(1006);
    client.send('chat', 'c');
    expect(client.stats.queued).toBe(3);
    client.connect();
    await vi.advanceTimersByTimeAsync(0);
    sockets.last().open();
    expect(sockets.last().sent.map((frame) => decode(frame).payload)).toEqual(['a', 'b', 'c']);
  });

  it('are neither resent nor reported when the old link recovers and sends them after all', async () => {
    const { sockets, first, errors } = await heartbeatGaveUp();
    first.transmit(first.bufferedAmount);
    first.closed(1000); // its buffer, then the close frame: the server has a and b
    await vi.advanceTimersByTimeAsync(10);
    sockets.last().open();
    expect(sockets.last().sent).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('connect() right after close()', () => {

  it('opens the new socket once the old one closed, so its first message cannot overtake the last one sent before close()', async () => {
    const { client, sockets } = await openClient();
    const first = sockets.last();
    client.send('chat', 'last before close');
    client.close();
    client.connect();
    client.send('chat', 'first after connect');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets.made).toHaveLength(1); // the old socket is still sending its buffer
    first.transmit(first.bufferedAmount);
    first.closed(1000); // the server echoed the close: it has read everything before it
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.made).toHaveLength(2);
    sockets.last().open();
    expect(first.sent.map((frame) => decode(frame).payload)).toEqual(['last before close']);
    expect(sockets.last().sent.map((frame) => decode(frame).payload)).toEqual(['first after connect']);
  });

  it('waits no longer than connectTimeout for an old socket that never reports its close', async () => {
    const { client, sockets } = makeClient({ connectTimeout: 3000 });
    await vi.advanceTimersByTimeAsync(0);
    sockets.last().open();
    client.send('chat', 'on a link that takes nothing');
    client.close();
    client.connect();
    await vi.advanceTimersByTimeAsync(2999);
    expect(sockets.made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets.made).toHaveLength(2);
    sockets.last().open();
    expect(client.state).toBe('open');
  });

  it('does not wait for an old socket whose buffer was empty: what it sent is on the wire, ahead of any new handshake', async () => {
    const { client, sockets } = await openClient();
    client.send('chat', 'gone');
    sockets.last().transmit(sockets.last().bufferedAmount);
    client.close();
    client.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.made).toHaveLength(2); // the old one's close event has not come yet
  });

  it('leaves no timer behind when close() comes again while it waits', async () => {
    const { client, sockets } = await openClient();
    client.send('chat', 'still buffered');
    client.close();
    client.connect();
    client.close();
    expect(vi.getTimerCount()).toBe(0);
    sockets.made[0]!.closed(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.made).toHaveLength(1);
    expect(client.state).toBe('closed');
  });
});

