// Outbox: writes now while open, queues otherwise, holds while paused, pings first, takes back unsent frames, expires on time.
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { Codec, jsonSerializer, type Envelope } from './envelope.js';
import { ConnectionClosedError, EnhancedWsError, TimeoutError } from './errors.js';
import { DEFAULTS, type QueueOptions } from './options.js';
import { Outbox, type OutboxHost } from './outbox.js';
import { PendingRequests } from './requests.js';
import type { ConnectionState } from './state.js';
import { createStats } from './stats.js';
import { advance, codeOf, useHarness } from './test-utils.js';
import type { Transport } from './transports/transport.js';

const codec = new Codec(jsonSerializer);

/** A transport that records what it is handed; nothing else happens on it. */
function fakeTransport() {
  return { name: 'websocket' as const, open: () => undefined, send: vi.fn<(frame: string) => void>(), close: () => undefined } satisfies Transport;
}

/** An outbox on a fake transport, wired as the client wires it; `queue: false` for none. */
function setup(queue: Partial<QueueOptions> | false = {}) {
  const transport = fakeTransport();
  const host = {
    state: 'open' as ConnectionState,
    transport: transport as Transport | undefined,
    pinged: vi.fn<() => void>(),
    report: vi.fn<(error: Error) => void>(),
  };
  const stats = createStats();
  // As in client.ts: a request that fails before it left takes its frame out of the queue.
  const requests = new PendingRequests(systemClock, (id) => {
    outbox.remove(id);
  });
  const hostView: OutboxHost = {
    state: () => host.state,
    transport: () => host.transport,
    pinged: host.pinged,
    report: host.report,
  };
  const outbox: Outbox = new Outbox(queue && { ...DEFAULTS.queue, ...queue }, systemClock, codec, requests, stats, hostView);
  /** Encodes and sends a plain message. */
  const send = (type: string): string => {
    const frame = codec.encode({ type, payload: type });
    outbox.send(frame, type);
    return frame;
  };
  /** Creates a request (its rejection observed by the test through `settled`) and sends its frame. */
  const request = (type: string, timeout = 10_000) => {
    const { id, promise } = requests.create(type, timeout);
    const settled = promise.then(
      () => undefined,
      (error: unknown) => error,
    );
    const frame = codec.encode({ type, payload: type, id });
    outbox.send(frame, type, id);
    return { id, frame, settled };
  };
  /** What the transport was handed, decoded, in order. */
  const written = (): Envelope[] => transport.send.mock.calls.map(([frame]) => JSON.parse(frame) as Envelope);
  const writtenTypes = (): string[] => written().map((envelope) => envelope.type);
  return { outbox, transport, host, stats, requests, send, request, written, writtenTypes };
}

describe('Outbox', () => {
  useHarness();

  describe('send()', () => {
    it('writes in the same call, with no timer, and counts it sent when open and not paused', () => {
      const { outbox, transport, stats, send } = setup();
      const frame = send('chat');
      expect(transport.send).toHaveBeenCalledTimes(1);
      expect(transport.send).toHaveBeenCalledWith(frame);
      expect(stats.sent).toBe(1);
      expect(outbox.size).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('marks a request sent when its frame is written', async () => {
      const { requests, request } = setup();
      const sum = request('sum');
      // Only requests marked sent are rejected when the connection drops.
      requests.rejectSent('gone');
      expect(await sum.settled).toBeInstanceOf(ConnectionClosedError);
      expect(requests.size).toBe(0);
    });

    it('queues without writing when not open', () => {
      const { outbox, transport, host, stats, send } = setup();
      host.state = 'reconnecting';
      send('a');
      send('b');
      expect(transport.send).not.toHaveBeenCalled();
      expect(stats.sent).toBe(0);
      expect(outbox.size).toBe(2);
    });

    it('queues without writing when open but with no transport (a connection being let go)', () => {
      const { outbox, transport, host, send } = setup();
      host.transport = undefined;
      send('a');
      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.size).toBe(1);
    });

    it('leaves a queued request unsent, so a dropped connection does not reject it', () => {
      const { host, requests, request } = setup();
      host.state = 'connecting';
      request('sum');
      requests.rejectSent('gone');
      expect(requests.size).toBe(1);
      requests.rejectAll('cleanup');
    });

    it('throws NOT_OPEN naming the type and the state when not open and there is no queue', () => {
      const { outbox, transport, host, send } = setup(false);
      host.state = 'connecting';
      let thrown: unknown;
      try {
        send('chat');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EnhancedWsError);
      expect(codeOf(thrown)).toBe('NOT_OPEN');
      expect((thrown as Error).message).toContain('"chat"');
      expect((thrown as Error).message).toContain('connecting');
      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.size).toBe(0);
    });

    it('still writes at once when open and there is no queue', () => {
      const { transport, stats, send } = setup(false);
      send('chat');
      expect(transport.send).toHaveBeenCalledTimes(1);
      expect(stats.sent).toBe(1);
    });
  });

  describe('paused', () => {
    it('holds writes beyond the queue bounds while paused and open', () => {
      const { outbox, transport, stats, host, send } = setup({ maxMessages: 1, overflow: 'error' });
      outbox.paused = true;
      send('a');
      send('b');
      send('c');
      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.size).toBe(3);
      expect(stats.dropped).toBe(0);
      expect(host.report).not.toHaveBeenCalled();
    });

    it('writes held frames in order on flush() once no longer paused', () => {
      const { outbox, stats, send, writtenTypes } = setup({ maxMessages: 1 });
      outbox.paused = true;
      send('a');
      send('b');
      send('c');
      outbox.paused = false;
      outbox.flush();
      expect(writtenTypes()).toEqual(['a', 'b', 'c']);
      expect(stats.sent).toBe(3);
      expect(outbox.size).toBe(0);
    });

    it('writes nothing on flush() while paused', () => {
      const { outbox, transport, send } = setup();
      outbox.paused = true;
      send('a');
      outbox.flush();
      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.size).toBe(1);
    });

    it('writes nothing on flush() while not open', () => {
      const { outbox, transport, host, send } = setup();
      host.state = 'reconnecting';
      send('a');
      outbox.flush();
      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.size).toBe(1);
    });

    it('writes to the transport flush() is given instead of the host one', () => {
      const { outbox, transport, host, send } = setup();
      host.state = 'connecting';
      send('a');
      host.state = 'open';
      const probe = fakeTransport();
      outbox.flush(probe);
      expect(probe.send).toHaveBeenCalledTimes(1);
      expect(transport.send).not.toHaveBeenCalled();
    });
  });

  describe('ping()', () => {
    it('writes a ping carrying the clock time ahead of queued frames, and tells the host', () => {
      const { outbox, host, send, written } = setup();
      host.state = 'reconnecting';
      send('a');
      send('b');
      host.state = 'open';
      vi.setSystemTime(1234);
      outbox.ping();
      expect(written()).toEqual([
        { type: 'ping', payload: { t: 1234 } },
        { type: 'a', payload: 'a' },
        { type: 'b', payload: 'b' },
      ]);
      expect(host.pinged).toHaveBeenCalledTimes(1);
    });

    it('waits while paused and goes first, once, on the next flush()', () => {
      const { outbox, host, transport, send, writtenTypes } = setup();
      outbox.paused = true;
      send('a');
      outbox.ping();
      send('b');
      expect(transport.send).not.toHaveBeenCalled();
      expect(host.pinged).not.toHaveBeenCalled();
      outbox.paused = false;
      outbox.flush();
      outbox.flush();
      expect(writtenTypes()).toEqual(['ping', 'a', 'b']);
      expect(host.pinged).toHaveBeenCalledTimes(1);
    });

    it('is not written after reset() (no ping outlives its connection)', () => {
      const { outbox, transport } = setup();
      outbox.paused = true;
      outbox.ping();
      outbox.reset();
      outbox.flush();
      expect(transport.send).not.toHaveBeenCalled();
    });
  });

  describe('takeBack()', () => {
    it('puts frames back at the front in order, before what was queued, and uncounts them', () => {
      const { outbox, host, stats, send, writtenTypes, transport } = setup();
      const a = send('a');
      const b = send('b');
      expect(stats.sent).toBe(2);
      host.state = 'reconnecting';
      send('c');
      outbox.takeBack([a, b]);
      expect(stats.sent).toBe(0);
      expect(outbox.size).toBe(3);
      transport.send.mockClear();
      host.state = 'open';
      outbox.flush();
      expect(writtenTypes()).toEqual(['a', 'b', 'c']);
    });

    it('skips pings, still uncounting them', () => {
      const { outbox, host, stats, send, writtenTypes, transport } = setup();
      outbox.ping();
      const a = send('a');
      const frames = transport.send.mock.calls.map(([frame]) => frame);
      expect(writtenTypes()).toEqual(['ping', 'a']);
      expect(stats.sent).toBe(2);
      host.state = 'reconnecting';
      outbox.takeBack(frames);
      expect(frames[1]).toBe(a);
      expect(stats.sent).toBe(0);
      expect(outbox.size).toBe(1);
      transport.send.mockClear();
      host.state = 'open';
      outbox.flush();
      expect(writtenTypes()).toEqual(['a']);
    });

    it('requeues a request still pending, marked unsent again', () => {
      const { outbox, host, requests, request } = setup();
      const sum = request('sum');
      host.state = 'reconnecting';
      outbox.takeBack([sum.frame]);
      expect(outbox.size).toBe(1);
      // Back in the queue: no longer tied to the connection that dropped.
      requests.rejectSent('gone');
      expect(requests.size).toBe(1);
      requests.rejectAll('cleanup');
    });

    it('skips a request that is no longer pending (it timed out meanwhile)', async () => {
      const { outbox, host, stats, request } = setup();
      const sum = request('sum', 100);
      await advance(100);
      expect(await sum.settled).toBeInstanceOf(TimeoutError);
      host.state = 'reconnecting';
      outbox.takeBack([sum.frame]);
      expect(outbox.size).toBe(0);
      expect(stats.dropped).toBe(0);
      expect(host.report).not.toHaveBeenCalled();
    });

    it('drops each frame, rejecting its request and reporting it, when lost', async () => {
      const { outbox, host, stats, send, request } = setup();
      const a = send('a');
      const sum = request('sum');
      outbox.takeBack([a, sum.frame], 'not delivered after close()');
      expect(outbox.size).toBe(0);
      expect(stats.sent).toBe(0);
      expect(stats.dropped).toBe(2);
      const error = await sum.settled;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect((error as Error).message).toContain('"sum"');
      const reported = host.report.mock.calls.map(([reason]) => reason);
      expect(reported).toHaveLength(2);
      for (const reason of reported) expect(reason).toBeInstanceOf(ConnectionClosedError);
      expect(reported[0]?.message).toContain('"a"');
      expect(reported[0]?.message).toContain('not delivered after close()');
      expect(reported[1]?.message).toContain('"sum"');
    });

    it('drops each frame, rejecting its request and reporting it, when there is no queue', async () => {
      const { outbox, host, stats, send, request } = setup(false);
      const a = send('a');
      const sum = request('sum');
      host.state = 'reconnecting';
      outbox.takeBack([a, sum.frame]);
      expect(outbox.size).toBe(0);
      expect(stats.dropped).toBe(2);
      expect(await sum.settled).toBeInstanceOf(ConnectionClosedError);
      const messages = host.report.mock.calls.map(([reason]) => reason.message);
      expect(messages).toHaveLength(2);
      expect(messages[0]).toContain('"a"');
      expect(messages[0]).toContain('queue: false');
      expect(messages[1]).toContain('"sum"');
    });
  });

  describe('expiry', () => {
    it('expires a queued message by the timer once older than queue.maxAge, not before', async () => {
      const { outbox, host, stats, request } = setup({ maxAge: 1000 });
      host.state = 'reconnecting';
      const sum = request('sum');
      await advance(1000);
      expect(outbox.size).toBe(1);
      expect(stats.expired).toBe(0);
      expect(host.report).not.toHaveBeenCalled();
      await advance(1);
      expect(outbox.size).toBe(0);
      expect(stats.expired).toBe(1);
      expect(stats.dropped).toBe(0);
      expect(host.report).toHaveBeenCalledTimes(1);
      expect(codeOf(host.report.mock.calls[0]?.[0])).toBe('MESSAGE_EXPIRED');
      expect(codeOf(await sum.settled)).toBe('MESSAGE_EXPIRED');
    });

    it('wakes once per deadline: one timer, due just past queue.maxAge', async () => {
      const { host, stats, send } = setup({ maxAge: 1000 });
      const setTimeoutSpy = vi.spyOn(systemClock, 'setTimeout');
      host.state = 'reconnecting';
      send('a');
      await advance(1001);
      expect(stats.expired).toBe(1);
      // No early wake-up that finds nothing stale and arms again; none left armed on an empty queue.
      expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
      expect(setTimeoutSpy).toHaveBeenCalledWith(expect.any(Function), 1001);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('expires each queued message in turn, re-arming for the next', async () => {
      const { outbox, host, stats, send } = setup({ maxAge: 1000 });
      host.state = 'reconnecting';
      send('a');
      await advance(500);
      send('b');
      await advance(501);
      expect(stats.expired).toBe(1);
      expect(outbox.size).toBe(1);
      await advance(499);
      expect(stats.expired).toBe(1);
      await advance(1);
      expect(stats.expired).toBe(2);
      expect(outbox.size).toBe(0);
    });

    it('arms no timer when queue.maxAge is Infinity', () => {
      const { host, send } = setup();
      const setTimeoutSpy = vi.spyOn(systemClock, 'setTimeout');
      host.state = 'reconnecting';
      send('a');
      expect(setTimeoutSpy).not.toHaveBeenCalled();
    });

    it('expires nothing while paused', async () => {
      const { outbox, host, stats, send } = setup({ maxAge: 1000 });
      host.state = 'reconnecting';
      send('a');
      outbox.paused = true;
      await advance(5000);
      expect(outbox.size).toBe(1);
      expect(stats.expired).toBe(0);
      expect(host.report).not.toHaveBeenCalled();
    });

    it('re-arms on reset(), expiring what went stale while paused', async () => {
      const { outbox, host, stats, send } = setup({ maxAge: 1000 });
      host.state = 'reconnecting';
      send('a');
      outbox.paused = true;
      await advance(5000);
      outbox.reset();
      expect(outbox.paused).toBe(false);
      await advance(1);
      expect(outbox.size).toBe(0);
      expect(stats.expired).toBe(1);
    });

    it('expires taken-back frames too', async () => {
      const { outbox, host, stats, send } = setup({ maxAge: 1000 });
      const a = send('a');
      host.state = 'reconnecting';
      outbox.takeBack([a]);
      await advance(1001);
      expect(outbox.size).toBe(0);
      expect(stats.expired).toBe(1);
    });

    it('expire() drops stale messages at once, without waiting for the timer', () => {
      const { outbox, host, stats, send } = setup({ maxAge: 1000 });
      host.state = 'reconnecting';
      send('a');
      vi.setSystemTime(Date.now() + 1001); // a throttled tab: the clock moved, no timer ran
      outbox.expire();
      expect(outbox.size).toBe(0);
      expect(stats.expired).toBe(1);
    });
  });

  describe('dropOnClose()', () => {
    it('returns the queued items and empties the queue under dropOnClose: true', () => {
      const { outbox, host, send } = setup({ dropOnClose: true });
      host.state = 'reconnecting';
      send('a');
      send('b');
      expect(outbox.dropOnClose().map((item) => item.type)).toEqual(['a', 'b']);
      expect(outbox.size).toBe(0);
    });

    it('keeps the queue and returns nothing under dropOnClose: false', () => {
      const { outbox, host, send } = setup({ dropOnClose: false });
      host.state = 'reconnecting';
      send('a');
      send('b');
      expect(outbox.dropOnClose()).toEqual([]);
      expect(outbox.size).toBe(2);
    });

    it('returns nothing when there is no queue', () => {
      const { outbox } = setup(false);
      expect(outbox.dropOnClose()).toEqual([]);
    });
  });

  describe('remove()', () => {
    it('takes a request frame out of the queue, leaving the rest in order', () => {
      const { outbox, host, requests, send, request, writtenTypes } = setup();
      host.state = 'reconnecting';
      send('a');
      const sum = request('sum');
      send('b');
      outbox.remove(sum.id);
      expect(outbox.size).toBe(2);
      host.state = 'open';
      outbox.flush();
      expect(writtenTypes()).toEqual(['a', 'b']);
      requests.rejectAll('cleanup');
    });

    it('leaves no expiry timer behind for a request that timed out in the queue', async () => {
      const { outbox, host, request } = setup({ maxAge: 60_000 });
      host.state = 'closed';
      const sum = request('sum', 100);
      await advance(100);
      expect(await sum.settled).toBeInstanceOf(TimeoutError);
      expect(outbox.size).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('dropped()', () => {
    it('counts a drop, rejects its request and reports the error', async () => {
      const { outbox, host, stats, request } = setup();
      host.state = 'reconnecting';
      const sum = request('sum');
      const error = new ConnectionClosedError('enhanced-ws: queued "sum" message dropped: closed');
      outbox.dropped({ frame: sum.frame, type: 'sum', bytes: 0, queuedAt: 0, id: sum.id }, error);
      expect(stats.dropped).toBe(1);
      expect(stats.expired).toBe(0);
      expect(host.report).toHaveBeenCalledWith(error);
      expect(await sum.settled).toBe(error);
    });
  });

  describe('queues', () => {
    it('says whether there is a queue', () => {
      expect(setup().outbox.queues).toBe(true);
      expect(setup(false).outbox.queues).toBe(false);
    });
  });
});
