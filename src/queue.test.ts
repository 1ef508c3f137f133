// SendQueue: order, the three overflow policies, maxBytes, maxAge expiry, clear, and that every drop is reported.
import { describe, expect, it } from 'vitest';
import type { EnhancedWsError } from './errors.js';
import { DEFAULTS, type QueueOptions } from './options.js';
import { SendQueue, type QueuedFrame } from './queue.js';

interface Drop {
  type: string;
  code: string;
  expired: boolean;
  id: string | undefined;
}

function make(options: Partial<QueueOptions> = {}) {
  const drops: Drop[] = [];
  const queue = new SendQueue({ ...DEFAULTS.queue, ...options }, (item: QueuedFrame, error: EnhancedWsError, expired: boolean) => {
    drops.push({ type: item.type, code: error.code, expired, id: item.id });
  });
  const drain = (): string[] => {
    const out: string[] = [];
    for (let item = queue.next(); item; item = queue.next()) out.push(item.type);
    return out;
  };
  return { queue, drops, drain };
}

describe('SendQueue', () => {
  it('gives frames back in the order they were pushed', () => {
    const { queue, drain } = make();
    for (const type of ['a', 'b', 'c', 'd']) queue.push(`{"type":"${type}"}`, type, 0);
    expect(queue.size).toBe(4);
    expect(drain()).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.size).toBe(0);
    expect(queue.next()).toBeUndefined();
  });

  it('keeps the frame text and the request id', () => {
    const { queue } = make();
    queue.push('{"type":"sum","id":"7"}', 'sum', 5, '7');
    expect(queue.next()).toMatchObject({ frame: '{"type":"sum","id":"7"}', type: 'sum', id: '7', queuedAt: 5 });
  });

  it('drops the oldest frames when full under drop-oldest, reporting each', () => {
    const { queue, drops, drain } = make({ maxMessages: 2, overflow: 'drop-oldest' });
    queue.push('a', 'a', 0);
    queue.push('b', 'b', 0, '1');
    queue.push('c', 'c', 0);
    queue.push('d', 'd', 0);
    expect(drops).toEqual([
      { type: 'a', code: 'QUEUE_OVERFLOW', expired: false, id: undefined },
      { type: 'b', code: 'QUEUE_OVERFLOW', expired: false, id: '1' },
    ]);
    expect(drain()).toEqual(['c', 'd']);
  });

  it('drops the new frame when full under drop-newest, reporting it', () => {
    const { queue, drops, drain } = make({ maxMessages: 2, overflow: 'drop-newest' });
    queue.push('a', 'a', 0);
    queue.push('b', 'b', 0);
    queue.push('c', 'c', 0, '9');
    expect(drops).toEqual([{ type: 'c', code: 'QUEUE_OVERFLOW', expired: false, id: '9' }]);
    expect(drain()).toEqual(['a', 'b']);
  });

  it('throws QUEUE_OVERFLOW and keeps the queue as it was when full under error', () => {
    const { queue, drops, drain } = make({ maxMessages: 2, overflow: 'error' });
    queue.push('a', 'a', 0);
    queue.push('b', 'b', 0);
    expect(() => { queue.push('c', 'c', 0); }).toThrow(expect.objectContaining({ code: 'QUEUE_OVERFLOW' }) as Error);
    expect(() => { queue.push('c', 'c', 0); }).toThrow(/"c" was not queued/);
    expect(drops).toEqual([]);
    expect(drain()).toEqual(['a', 'b']);
  });

  it('bounds the total UTF-8 size by maxBytes, dropping as many old frames as needed', () => {
    // 'é' is 2 bytes in UTF-8: each of these frames is 4 bytes, 'big' is 8.
    const { queue, drops, drain } = make({ maxBytes: 10, overflow: 'drop-oldest' });
    queue.push('éé', 'a', 0);
    queue.push('éé', 'b', 0);
    expect(drops).toEqual([]);
    queue.push('éééé', 'big', 0);
    expect(drops.map((drop) => drop.type)).toEqual(['a', 'b']);
    expect(drain()).toEqual(['big']);
  });

  it('counts bytes, not characters, against maxBytes', () => {
    const { queue, drops } = make({ maxBytes: 5, overflow: 'drop-newest' });
    queue.push('abc', 'ascii', 0); // 3 bytes
    queue.push('é', 'accent', 0); // 2 bytes: exactly 5, fits
    expect(drops).toEqual([]);
    queue.push('x', 'one-more', 0);
    expect(drops.map((drop) => drop.type)).toEqual(['one-more']);
  });

  it('frees the bytes of frames taken out', () => {
    const { queue, drops } = make({ maxBytes: 4, overflow: 'drop-newest' });
    queue.push('abcd', 'a', 0);
    queue.next();
    queue.push('efgh', 'b', 0);
    expect(drops).toEqual([]);
    expect(queue.size).toBe(1);
  });

  it('refuses a single frame larger than maxBytes whatever the policy', () => {
    for (const overflow of ['drop-oldest', 'drop-newest', 'error'] as const) {
      const { queue, drain } = make({ maxBytes: 3, overflow });
      queue.push('ab', 'small', 0);
      expect(() => { queue.push('abcdef', 'huge', 0); }).toThrow(expect.objectContaining({ code: 'QUEUE_OVERFLOW' }) as Error);
      expect(drain()).toEqual(['small']);
    }
  });

  it('expire() drops frames older than maxAge, reporting each as expired; deadline() says when the oldest expires', () => {
    const { queue, drops, drain } = make({ maxAge: 1000 });
    expect(queue.deadline()).toBe(Infinity);
    queue.push('a', 'a', 0);
    queue.push('b', 'b', 100);
    queue.push('c', 'c', 900);
    expect(queue.deadline()).toBe(1000);
    queue.expire(1000); // exactly maxAge old: still fresh
    expect(drops).toEqual([]);
    queue.expire(1101);
    expect(drops).toEqual([
      { type: 'a', code: 'MESSAGE_EXPIRED', expired: true, id: undefined },
      { type: 'b', code: 'MESSAGE_EXPIRED', expired: true, id: undefined },
    ]);
    expect(queue.deadline()).toBe(1900);
    expect(drain()).toEqual(['c']);
    expect(queue.deadline()).toBe(Infinity);
  });

  it('requeue() keeps the queue in age order: what went back to the front is no younger than what waits behind it', () => {
    const { queue, drops } = make({ maxAge: 1000 });
    queue.push('a', 'a', 0);
    queue.requeue([{ frame: 'x', type: 'x', bytes: 0, queuedAt: 900 }]); // handed back at 900, sent before 'a' was queued
    expect(queue.deadline()).toBe(1000);
    queue.expire(1001);
    expect(drops.map((drop) => drop.type)).toEqual(['x', 'a']); // 'a' did not outlive maxAge behind a younger head
  });

  it('never expires anything with the default maxAge', () => {
    const { queue, drops } = make();
    queue.push('a', 'a', 0);
    queue.expire(Number.MAX_SAFE_INTEGER);
    expect({ drops, size: queue.size, deadline: queue.deadline() }).toEqual({ drops: [], size: 1, deadline: Infinity });
  });

  it('expires stale frames before judging the queue full', () => {
    const { queue, drops, drain } = make({ maxMessages: 1, maxAge: 100, overflow: 'error' });
    queue.push('old', 'old', 0);
    expect(() => { queue.push('new', 'new', 200); }).not.toThrow();
    expect(drops.map((drop) => [drop.type, drop.code])).toEqual([['old', 'MESSAGE_EXPIRED']]);
    expect(drain()).toEqual(['new']);
  });

  it('reports what expired in push() once the new frame is in: what a listener sends then queues behind it, in the order of the reports', () => {
    const options = { ...DEFAULTS.queue, maxAge: 100 };
    const queue: SendQueue = new SendQueue(options, (item) => {
      queue.push(`retry-${item.type}`, `retry-${item.type}`, 200); // an onError listener sending again
    });
    queue.push('a', 'a', 0);
    queue.push('b', 'b', 0);
    queue.push('c', 'c', 200); // a and b expire together
    const order: string[] = [];
    for (let item = queue.next(); item; item = queue.next()) order.push(item.type);
    expect(order).toEqual(['c', 'retry-a', 'retry-b']);
  });

  it('reports what expired in push() even when the push itself is refused under overflow: error', () => {
    const { queue, drops } = make({ maxMessages: 1, maxBytes: 4, maxAge: 100, overflow: 'error' });
    queue.push('old', 'old', 0);
    expect(() => { queue.push('too big', 'big', 200); }).toThrow(/"big" was not queued/);
    expect(drops.map((drop) => [drop.type, drop.code])).toEqual([['old', 'MESSAGE_EXPIRED']]);
    expect(queue.size).toBe(0);
  });

  it('dropOnClose() keeps the queue unless queue.dropOnClose is set', () => {
    const { queue } = make();
    queue.push('a', 'a', 0);
    expect(queue.dropOnClose()).toEqual([]);
    expect(queue.size).toBe(1);
  });

  it('dropOnClose() under queue.dropOnClose empties the queue and hands back what it held, reporting nothing itself', () => {
    const { queue, drops } = make({ maxBytes: 100, dropOnClose: true });
    queue.push('a', 'a', 0);
    queue.push('b', 'b', 0, '3');
    expect(queue.dropOnClose().map((item) => [item.type, item.id])).toEqual([['a', undefined], ['b', '3']]);
    expect(queue.size).toBe(0);
    expect(drops).toEqual([]);
    queue.push('0123456789'.repeat(10), 'full-size', 0); // the byte count was reset too
    expect(queue.size).toBe(1);
  });

  it('hold() appends past every bound and drops nothing (writes held while open)', () => {
    const { queue, drops, drain } = make({ maxMessages: 1, maxBytes: 5, overflow: 'error' });
    queue.push('a', 'a', 0);
    queue.hold('held-frame', 'b', 0);
    expect(drops).toEqual([]);
    expect(drain()).toEqual(['a', 'b']); // drain() lists types
  });
});
