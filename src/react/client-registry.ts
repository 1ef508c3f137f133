// ClientRegistry: shares one client per (url, options) key between components, ref-counted, with a deferred close.

import { DEFAULTS } from '../index.js';

/** What the registry holds: anything it can close (an `EnhancedWebSocketClient`). */
export interface Closable {
  close(): void;
  /** `'closed'` once closed for good: such a client is never handed out again, but replaced. */
  readonly state?: string;
}

/** One component's hold on a shared client; `release()` is idempotent. */
export interface Lease<C> {
  readonly client: C;
  /** Whether this acquire created the entry (the caller then starts the connection). */
  readonly created: boolean;
  readonly release: () => void;
}

export interface ClientRegistryOptions {
  /**
   * How long a client with no users stays open before it is closed, in ms. The close is
   * deferred (0 ms: the next task) so StrictMode's unmount → remount, and a component replaced
   * by another with the same url in one commit, keep the same socket.
   */
  closeDelayMs?: number;
}

interface Entry {
  readonly client: Closable;
  refs: number;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The clients shared by `useWebSocket` and `WebSocketProvider`, keyed by url + options. The last
 * `release()` closes the client after `closeDelayMs`, unless someone acquires it again first.
 * A client that closed for good is replaced by the next `acquire`, also while others hold it:
 * they keep their lease, whose last release closes their client and leaves the new one alone.
 *
 * Keys: options are completed with their defaults (`heartbeat: true`, `{}` and none are one key);
 * plain values (strings, numbers, booleans, arrays, plain objects) are compared by value, with
 * object keys sorted and `undefined` members ignored; functions and class instances (a
 * `WebSocket` constructor, a `serializer`'s functions, a url function) by identity. So define
 * such options outside the component, or memoize them: an inline arrow function is a new key on
 * every render, and so a new connection.
 *
 * @example
 * const registry = new ClientRegistry({ closeDelayMs: 5000 }); // survive a route change
 * <ClientRegistryContext.Provider value={registry}><App /></ClientRegistryContext.Provider>
 */
export class ClientRegistry {
  private readonly _entries = new Map<string, Entry>();
  /**
   * Clients handed to renders of a key no one holds yet: every component rendering it gets the
   * same one. Weakly held: a render that never commits must not keep its idle client alive.
   */
  private readonly _pending = new Map<string, WeakRef<Closable>>();
  private readonly _ids = new WeakMap<object, number>();
  private _nextId = 0;
  private readonly _closeDelayMs: number;

  constructor(options: ClientRegistryOptions = {}) {
    const { closeDelayMs = 0 } = options;
    if (!(typeof closeDelayMs === 'number' && closeDelayMs >= 0)) {
      throw new TypeError(`enhanced-ws: option "closeDelayMs" must be a number >= 0, got ${typeof closeDelayMs === 'number' ? String(closeDelayMs) : typeof closeDelayMs}`);
    }
    this._closeDelayMs = closeDelayMs;
  }

  /** Number of live clients (held, or waiting for their deferred close). */
  get size(): number {
    return this._entries.size;
  }

  /** The key under which `url` + `options` share a client. */
  keyOf(url: unknown, options: unknown): string {
    return `${this._serialize(url, [])} ${this._serialize(withDefaults(options), [])}`;
  }

  /** The live client under `key`, without holding it: for reading during render. */
  peek(key: string): Closable | undefined {
    const entry = this._entries.get(key);
    return entry && !isDead(entry) ? entry.client : undefined;
  }

  /**
   * The client to render for `key` before anyone holds one: created once and shared by every
   * component rendering the key, so two mounting in one commit use (and connect) the same
   * client; the first `acquire` takes it over. It must be inert until then (`autoConnect: false`).
   */
  candidate<C extends Closable>(key: string, create: () => C): C {
    let client = this._pending.get(key)?.deref();
    if (!client) {
      for (const [other, ref] of this._pending) if (!ref.deref()) this._pending.delete(other);
      this._pending.set(key, new WeakRef((client = create())));
    }
    return client as C;
  }

  /** Holds the client under `key`: the shared one, else the key's candidate, else `create()`'s. */
  acquire<C extends Closable>(key: string, create: () => C): Lease<C> {
    let entry = this._entries.get(key);
    if (entry && isDead(entry)) {
      clearTimeout(entry.closeTimer);
      this._entries.delete(key);
      entry = undefined;
    }
    const created = !entry;
    if (!entry) {
      const client = this._pending.get(key)?.deref() ?? create();
      this._pending.delete(key);
      entry = { client, refs: 0, closeTimer: undefined };
      this._entries.set(key, entry);
    }
    const held = entry;
    held.refs++;
    clearTimeout(held.closeTimer);
    held.closeTimer = undefined;
    let released = false;
    return {
      client: held.client as C,
      created,
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs === 0) held.closeTimer = setTimeout(() => { this._closeIfUnused(key, held); }, this._closeDelayMs);
      },
    };
  }

  private _closeIfUnused(key: string, entry: Entry): void {
    entry.closeTimer = undefined;
    if (entry.refs > 0) return;
    // A replaced entry is no longer under its key; its client is still closed, as a holder may
    // have connected it again.
    if (this._entries.get(key) === entry) this._entries.delete(key);
    entry.client.close();
  }

  /** A stable text form of an option value; `path` holds the objects being serialized (cycles go by identity). */
  private _serialize(value: unknown, path: object[]): string {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'object':
      case 'function':
        break;
      default:
        return String(value);
    }
    if (value === null) return 'null';
    if (path.includes(value) || !isPlain(value)) return `#${String(this._idOf(value))}`;
    const inner = [...path, value];
    if (Array.isArray(value)) return `[${value.map((item) => this._serialize(item, inner)).join(',')}]`;
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${this._serialize(record[name], inner)}`);
    return `{${members.join(',')}}`;
  }

  private _idOf(value: object): number {
    let id = this._ids.get(value);
    if (id === undefined) this._ids.set(value, (id = ++this._nextId));
    return id;
  }
}

/**
 * Options as the client reads them, so that requests meaning the same share a key: no options,
 * `{}`, `heartbeat: true` and `heartbeat: { interval: 25000 }` are one client. (Invalid options
 * are left to the client's constructor to refuse.)
 */
function withDefaults(options: unknown): unknown {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) return options;
  const full = defined(options);
  // Every option with a default, read from DEFAULTS so that a new one needs no change here.
  for (const [name, fallback] of Object.entries(DEFAULTS) as [string, unknown][]) {
    const value = full[name];
    if (value === undefined || (value === true && isSection(fallback))) full[name] = fallback;
    else if (isSection(fallback) && isSection(value)) full[name] = { ...fallback, ...defined(value) };
  }
  return full;
}

/** The members that are set: an `undefined` option means its default. */
const defined = (object: object): Record<string, unknown> => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/** An option section (`reconnect`, …): a plain object, not a list such as `transports`. */
const isSection = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A client that closed for good: replaced, never handed out again, whoever still holds it. */
const isDead = (entry: Entry): boolean => entry.client.state === 'closed';

function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
