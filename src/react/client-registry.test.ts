import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientRegistry, type Closable } from './client-registry.js';

const closable = (): Closable & { closed: number } => {
  const item = {
    closed: 0,
    close() {
      item.closed++;
    },
  };
  return item;
};

/** A fresh function each call: only its identity matters. */
const constructor = () =>
  function FakeWebSocket() {
    // never called
  };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ClientRegistry', () => {
  describe('keyOf', () => {
    const registry = new ClientRegistry();
    const key = (url: unknown, options?: unknown) => registry.keyOf(url, options);

    it('gives equal keys to equal plain options, whatever the key order or undefined members', () => {
      expect(key('ws://a', { heartbeat: { interval: 5, timeout: 1 }, queue: false })).toBe(
        key('ws://a', { queue: false, heartbeat: { timeout: 1, interval: 5 }, requestTimeout: undefined }),
      );
      expect(key('ws://a')).toBe(key('ws://a', {}));
      expect(key('ws://a', { protocols: ['x', 'y'] })).toBe(key('ws://a', { protocols: ['x', 'y'] }));
    });

    it('gives one key to options that mean the same: defaults spelled out, true, {} or nothing', () => {
      const base = key('ws://a');
      for (const same of [{}, { heartbeat: true }, { heartbeat: {} }, { heartbeat: { interval: 25000 } }, { autoConnect: true }, { connectTimeout: 10000 }, { queue: { overflow: 'drop-oldest', maxAge: undefined } }]) {
        expect(key('ws://a', same)).toBe(base);
      }
      expect(key('ws://a', { heartbeat: false })).not.toBe(base);
      expect(key('ws://a', { heartbeat: { interval: 1 } })).not.toBe(base);
      expect(key('ws://a', { autoConnect: false })).not.toBe(base);
    });

    it('gives one key to the default transports spelled out and to none, but keeps lists apart by value', () => {
      expect(key('ws://a', { transports: ['websocket', 'long-polling'] })).toBe(key('ws://a'));
      expect(key('ws://a', { transports: ['long-polling'] })).not.toBe(key('ws://a'));
      expect(key('ws://a', { transports: ['long-polling', 'websocket'] })).not.toBe(key('ws://a'));
      // A list is not merged over the default like a section: ['long-polling'] is not [lp, lp].
      expect(key('ws://a', { transports: ['long-polling'] })).not.toBe(key('ws://a', { transports: ['long-polling', 'long-polling'] }));
    });

    it('gives different keys to different urls and values', () => {
      expect(key('ws://a')).not.toBe(key('ws://b'));
      expect(key('ws://a', { requestTimeout: 1 })).not.toBe(key('ws://a', { requestTimeout: 2 }));
      expect(key('ws://a', { requestTimeout: 1 })).not.toBe(key('ws://a', { requestTimeout: '1' }));
      expect(key('ws://a', { protocols: ['x', 'y'] })).not.toBe(key('ws://a', { protocols: ['y', 'x'] }));
      expect(key('ws://a', { reconnect: false })).not.toBe(key('ws://a', { reconnect: {} }));
      expect(key('ws://a', { reconnect: { maxRetries: Infinity } })).not.toBe(key('ws://a', { reconnect: { maxRetries: null } }));
    });

    it('compares functions and class instances by identity', () => {
      const url = () => 'ws://a';
      const FakeSocket = constructor();
      expect(key(url)).toBe(key(url));
      expect(key(url)).not.toBe(key(() => 'ws://a'));
      expect(key('ws://a', { WebSocket: FakeSocket })).toBe(key('ws://a', { WebSocket: FakeSocket }));
      expect(key('ws://a', { WebSocket: FakeSocket })).not.toBe(key('ws://a', { WebSocket: constructor() }));
      const encode = JSON.stringify;
      expect(key('ws://a', { serializer: { encode, decode: JSON.parse } })).toBe(key('ws://a', { serializer: { encode, decode: JSON.parse } }));
      expect(key('ws://a', { clock: new Date(0) })).not.toBe(key('ws://a', { clock: new Date(0) }));
    });

    it('survives cyclic options', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(key('ws://a', { reconnect: cyclic })).toBe(key('ws://a', { reconnect: cyclic }));
    });
  });

  describe('acquire and release', () => {
    it('creates once, shares, and closes one task after the last release', () => {
      const registry = new ClientRegistry();
      const item = closable();
      const create = vi.fn(() => item);
      const a = registry.acquire('k', create);
      const b = registry.acquire('k', create);
      expect(create).toHaveBeenCalledTimes(1);
      expect([a.created, b.created]).toEqual([true, false]);
      expect(b.client).toBe(a.client);
      expect(registry.peek('k')).toBe(item);

      a.release();
      a.release(); // idempotent: does not release b's hold
      vi.runAllTimers();
      expect(item.closed).toBe(0);
      b.release();
      expect(item.closed).toBe(0); // deferred
      vi.advanceTimersByTime(0);
      expect(item.closed).toBe(1);
      expect(registry.size).toBe(0);
      expect(registry.peek('k')).toBeUndefined();
    });

    it('keeps the client when it is acquired again before the deferred close (StrictMode remount)', () => {
      const registry = new ClientRegistry();
      const item = closable();
      registry.acquire('k', () => item).release();
      const again = registry.acquire('k', closable);
      vi.runAllTimers();
      expect(again.client).toBe(item);
      expect(item.closed).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      again.release();
      vi.runAllTimers();
      expect(item.closed).toBe(1);
    });

    it('hands every render of an unheld key the same candidate, which the first acquire takes over', () => {
      const registry = new ClientRegistry();
      const first = registry.candidate('k', closable);
      expect(registry.candidate('k', closable)).toBe(first);
      const lease = registry.acquire('k', closable);
      expect(lease).toMatchObject({ client: first, created: true });
      expect(registry.peek('k')).toBe(first);
      expect(registry.candidate('k', closable)).not.toBe(first); // taken over: renders peek it now
    });

    it('replaces an unheld client that closed for good instead of handing it out again', () => {
      const registry = new ClientRegistry({ closeDelayMs: 5000 });
      const dead = Object.assign(closable(), { state: 'closed' });
      registry.acquire('k', () => dead).release();
      expect(registry.peek('k')).toBeUndefined();
      const fresh = registry.acquire('k', closable);
      expect(fresh.created).toBe(true);
      expect(fresh.client).not.toBe(dead);
      expect(vi.getTimerCount()).toBe(0); // the dead one's deferred close is cancelled
    });

    it('replaces a held client that closed for good for a new acquirer; the old holders keep theirs and their release leaves the new one alone', () => {
      const registry = new ClientRegistry();
      const first = Object.assign(closable(), { state: 'open' });
      const header = registry.acquire('k', () => first);
      first.state = 'closed'; // a final code, while `header` still holds it
      expect(registry.peek('k')).toBeUndefined();

      const chat = registry.acquire('k', closable);
      expect(chat.created).toBe(true);
      expect(chat.client).not.toBe(first);
      expect(header.client).toBe(first);
      expect(registry.peek('k')).toBe(chat.client);

      header.release();
      vi.runAllTimers();
      expect(first.closed).toBe(1); // the holder may have connected it again: closed all the same
      expect(registry.peek('k')).toBe(chat.client);
      expect(registry.size).toBe(1);
      expect(chat.client.closed).toBe(0);
      chat.release();
      vi.runAllTimers();
      expect(registry.size).toBe(0);
    });

    it('waits closeDelayMs before closing', () => {
      const registry = new ClientRegistry({ closeDelayMs: 5000 });
      const item = closable();
      registry.acquire('k', () => item).release();
      vi.advanceTimersByTime(4999);
      expect(item.closed).toBe(0);
      vi.advanceTimersByTime(1);
      expect(item.closed).toBe(1);
    });

    it('rejects a bad closeDelayMs with a TypeError naming it', () => {
      expect(() => new ClientRegistry({ closeDelayMs: -1 })).toThrow(/closeDelayMs/);
      expect(() => new ClientRegistry({ closeDelayMs: Number.NaN })).toThrow(TypeError);
      expect(() => new ClientRegistry({ closeDelayMs: Object.create(null) as number })).toThrow(/"closeDelayMs" must be a number >= 0, got object/);
    });
  });
});
