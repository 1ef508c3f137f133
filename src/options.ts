// Client options: their defaults (one frozen object) and their validation at construction.

import type { BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import type { Serializer } from './envelope';
import type { TransportCloseEvent, TransportName } from './transports/transport';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';

export interface ReconnectOptions extends BackoffPolicy {
  /** Retries after a failure before giving up (so at most 1 + maxRetries attempts in a row fail). */
  readonly maxRetries: number;
  /** A connection open this long (ms) counts as stable: the attempt count starts over. */
  readonly resetAfter: number;
  /** Called for closes not covered by the final-code table; return false to stop. */
  readonly shouldReconnect?: (event: TransportCloseEvent) => boolean;
}

export interface HeartbeatOptions {
  /** Send an app-level ping this often (ms). */
  readonly interval: number;
  /** Declare the connection dead when nothing arrives this long (ms) after a ping. */
  readonly timeout: number;
}

export interface QueueOptions {
  readonly maxMessages: number;
  /** Bound on the queued frames' total UTF-8 size. */
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
  /** A queued message older than this (ms) expires instead of being sent stale. */
  readonly maxAge: number;
  /** Whether `close()` empties the queue (counted as dropped) instead of keeping it for `connect()`. */
  readonly dropOnClose: boolean;
}

/** Constructor options. Each of `reconnect`, `heartbeat` and `queue` can be `false`. */
export interface ClientOptions {
  /** Connect in the constructor (default) or stay `idle` until `connect()`. */
  autoConnect?: boolean;
  reconnect?: Partial<ReconnectOptions> | false;
  heartbeat?: Partial<HeartbeatOptions> | false;
  queue?: Partial<QueueOptions> | false;
  /** Default timeout of `request()`, in ms. */
  requestTimeout?: number;
  /** Transports in order of preference. Long-polling needs the companion server (or one speaking docs/protocol.md). */
  transports?: TransportName[];
  /**
   * Credentials, fetched before every attempt: sent as the first frame on WebSocket and as an
   * `Authorization: Bearer` header on long-polling — never in the URL, which proxies log.
   */
  auth?: () => string | Promise<string>;
  /** A fetch implementation for long-polling (default: the global one). */
  fetch?: typeof fetch;
  /** Subprotocols passed to the WebSocket constructor. */
  protocols?: string | string[];
  serializer?: Serializer;
  /** A WebSocket constructor to use instead of the global one (Node, tests). */
  WebSocket?: typeof WebSocket;
  /** Timers and clock (tests). */
  clock?: Clock;
  /** Randomness for jitter (tests). */
  random?: () => number;
}

/** Every default in one place; the README's options table is written from this object. */
export const DEFAULTS: {
  readonly autoConnect: boolean;
  readonly reconnect: Readonly<Omit<ReconnectOptions, 'shouldReconnect'>>;
  readonly heartbeat: Readonly<HeartbeatOptions>;
  readonly queue: Readonly<QueueOptions>;
  readonly requestTimeout: number;
} = Object.freeze({
  autoConnect: true,
  reconnect: Object.freeze({
    initialDelay: 1000,
    multiplier: 2,
    maxDelay: 30000,
    jitter: 0.5,
    maxRetries: Infinity,
    resetAfter: 5000,
  }),
  heartbeat: Object.freeze({ interval: 25000, timeout: 10000 }),
  queue: Object.freeze({
    maxMessages: 1000,
    maxBytes: Infinity,
    overflow: 'drop-oldest',
    maxAge: Infinity,
    dropOnClose: false,
  }),
  requestTimeout: 10000,
});

export interface ResolvedOptions {
  autoConnect: boolean;
  reconnect: ReconnectOptions | false;
  heartbeat: HeartbeatOptions | false;
  queue: QueueOptions | false;
  requestTimeout: number;
  transports: TransportName[];
  auth: (() => string | Promise<string>) | undefined;
  fetch: typeof fetch | undefined;
  protocols: string | string[] | undefined;
  serializer: Serializer | undefined;
  WebSocket: typeof WebSocket | undefined;
  clock: Clock | undefined;
  random: () => number;
}

const fail = (name: string, expected: string, value: unknown): never => {
  throw new TypeError(`enhanced-ws: option "${name}" must be ${expected}, got ${String(value)}`);
};

/** Checks every key of `given` against `defaults`, validates its type, and merges. */
function section<T extends object>(name: string, given: unknown, defaults: T): T | false {
  if (given === false) return false;
  if (given === undefined || given === true) return { ...defaults };
  if (typeof given !== 'object' || given === null) return fail(name, 'an object or false', given);
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const fallback = (defaults as Record<string, unknown>)[key];
    if (key === 'shouldReconnect' && name === 'reconnect') {
      if (typeof value !== 'function') fail(`${name}.${key}`, 'a function', value);
    } else if (fallback === undefined) {
      throw new TypeError(`enhanced-ws: unknown option "${name}.${key}"`);
    } else if (typeof fallback === 'number' && !(typeof value === 'number' && value >= 0)) {
      fail(`${name}.${key}`, 'a number >= 0', value);
    } else if (typeof fallback !== typeof value) {
      fail(`${name}.${key}`, `a ${typeof fallback}`, value);
    }
    merged[key] = value;
  }
  return merged as T;
}

const KNOWN = Object.keys(DEFAULTS).concat('transports', 'auth', 'fetch', 'protocols', 'serializer', 'WebSocket', 'clock', 'random');
const TRANSPORTS: TransportName[] = ['websocket', 'long-polling'];

/** Validates options once, at construction: a `TypeError` names the first bad option. */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) fail('options', 'an object', given);
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new TypeError(`enhanced-ws: unknown option "${key}"`);
  }
  const reconnect = section('reconnect', options.reconnect, DEFAULTS.reconnect);
  if (reconnect) {
    if (reconnect.jitter > 1) fail('reconnect.jitter', 'between 0 and 1', reconnect.jitter);
    if (reconnect.multiplier < 1) fail('reconnect.multiplier', 'a number >= 1', reconnect.multiplier);
  }
  const heartbeat = section('heartbeat', options.heartbeat, DEFAULTS.heartbeat);
  if (heartbeat && !(heartbeat.interval > 0)) fail('heartbeat.interval', 'a number > 0', heartbeat.interval);
  if (heartbeat && !(heartbeat.timeout > 0)) fail('heartbeat.timeout', 'a number > 0', heartbeat.timeout);
  const queue = section('queue', options.queue, DEFAULTS.queue);
  if (queue && !['drop-oldest', 'drop-newest', 'error'].includes(queue.overflow)) {
    fail('queue.overflow', '"drop-oldest", "drop-newest" or "error"', queue.overflow);
  }
  const { requestTimeout = DEFAULTS.requestTimeout, autoConnect = DEFAULTS.autoConnect } = options;
  if (!(typeof requestTimeout === 'number' && requestTimeout > 0)) fail('requestTimeout', 'a number > 0', requestTimeout);
  if (typeof autoConnect !== 'boolean') fail('autoConnect', 'a boolean', autoConnect);
  const { transports = TRANSPORTS } = options as { transports?: unknown };
  if (!Array.isArray(transports) || !transports.length || !transports.every((name) => TRANSPORTS.includes(name as TransportName))) {
    fail('transports', 'a non-empty array of "websocket" and "long-polling"', transports);
  }
  for (const key of ['WebSocket', 'random', 'auth', 'fetch'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') fail(key, 'a function', options[key]);
  }
  const hasMethods = (value: unknown, names: string[]): boolean =>
    typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
  if (options.serializer !== undefined && !hasMethods(options.serializer, ['encode', 'decode'])) {
    fail('serializer', 'an object with encode() and decode()', options.serializer);
  }
  if (options.clock !== undefined && !hasMethods(options.clock, ['setTimeout', 'clearTimeout', 'now'])) {
    fail('clock', 'an object with setTimeout(), clearTimeout() and now()', options.clock);
  }
  const { protocols } = options as { protocols?: unknown };
  if (protocols !== undefined && typeof protocols !== 'string' && !(Array.isArray(protocols) && protocols.every((p) => typeof p === 'string'))) {
    fail('protocols', 'a string or an array of strings', protocols);
  }
  return {
    autoConnect,
    reconnect,
    heartbeat,
    queue,
    requestTimeout,
    transports: transports as TransportName[],
    auth: options.auth,
    fetch: options.fetch,
    protocols: options.protocols,
    serializer: options.serializer,
    WebSocket: options.WebSocket,
    clock: options.clock,
    random: options.random ?? Math.random,
  };
}
