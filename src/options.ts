// Client options: their defaults (one frozen object) and their validation at construction.

import type { BackoffPolicy } from './backoff.js';
import { FINAL_CLOSE_CODES } from './close-codes.js';
import { show } from './errors.js';
import type { Clock } from './clock.js';
import type { Serializer } from './envelope.js';
import type { TransportCloseEvent, TransportName } from './transports/transport.js';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';

export interface ReconnectOptions extends BackoffPolicy {
  /** Retries after a failure before giving up (so at most 1 + maxRetries attempts in a row fail). */
  readonly maxRetries: number;
  /** A connection open this long (ms) counts as stable: the attempt count starts over. */
  readonly resetAfter: number;
  /** Close codes after which reconnecting cannot help: the client stops. Default `FINAL_CLOSE_CODES` (1008, 4401, 4403). */
  readonly finalCodes: readonly number[];
  /** Called for closes whose code is not in `finalCodes`; return false to stop. */
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
  /** Whether closing for good (`close()`, a final code, retries exhausted) empties the queue (counted as dropped) instead of keeping it for `connect()`. */
  readonly dropOnClose: boolean;
}

/** Some settings of `T`; one given as `undefined` counts as not given (its default applies). */
export type Settings<T> = { [K in keyof T]?: T[K] | undefined };

/**
 * What the client needs of a WebSocket class: the browser's, or one shaped like it, such as the
 * `ws` package's in Node (whose types differ from the DOM's in details the client does not use).
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => { binaryType: string; readonly readyState: number; send(data: string): void; close(code?: number, reason?: string): void };

/** Constructor options. Each of `reconnect`, `heartbeat` and `queue` can be `false` (off) or `true` (its defaults). */
export interface ClientOptions {
  /** Connect in the constructor (default) or stay `idle` until `connect()`. */
  autoConnect?: boolean | undefined;
  reconnect?: Settings<ReconnectOptions> | boolean | undefined;
  heartbeat?: Settings<HeartbeatOptions> | boolean | undefined;
  queue?: Settings<QueueOptions> | boolean | undefined;
  /** Default timeout of `request()`, in ms. */
  requestTimeout?: number | undefined;
  /** Bounds each step of an attempt, in ms: resolving `url()`/`auth()`, then the handshake. One that overruns ends the attempt (4008), which is retried. */
  connectTimeout?: number | undefined;
  /** Transports in order of preference. Long-polling needs the companion server (or one speaking docs/protocol.md). */
  transports?: readonly TransportName[] | undefined;
  /**
   * Credentials, fetched before every attempt: sent as the first frame on WebSocket and as an
   * `Authorization: Bearer` header on long-polling — never in the URL, which proxies log.
   */
  auth?: (() => string | Promise<string>) | undefined;
  /** A fetch implementation for long-polling (default: the global one). */
  fetch?: typeof fetch | undefined;
  /** Subprotocols passed to the WebSocket constructor. */
  protocols?: string | readonly string[] | undefined;
  serializer?: Serializer | undefined;
  /** A WebSocket class to use instead of the global one (Node: the `ws` package's; tests). */
  WebSocket?: WebSocketConstructor | undefined;
  /** Timers and clock (tests). */
  clock?: Clock | undefined;
  /** Randomness for jitter (tests). */
  random?: (() => number) | undefined;
}

/** Every default in one place; the README's options table is written from this object. */
export const DEFAULTS: {
  readonly autoConnect: boolean;
  readonly reconnect: Readonly<Omit<ReconnectOptions, 'shouldReconnect'>>;
  readonly heartbeat: Readonly<HeartbeatOptions>;
  readonly queue: Readonly<QueueOptions>;
  readonly requestTimeout: number;
  readonly connectTimeout: number;
  readonly transports: readonly TransportName[];
} = Object.freeze({
  autoConnect: true,
  reconnect: Object.freeze({
    initialDelay: 1000,
    multiplier: 2,
    maxDelay: 30000,
    jitter: 0.5,
    maxRetries: Infinity,
    resetAfter: 5000,
    finalCodes: FINAL_CLOSE_CODES,
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
  connectTimeout: 10000,
  transports: Object.freeze<TransportName[]>(['websocket', 'long-polling']),
});

/** The options after validation: defaults filled in, sections whole or `false`; the rest as given. */
export interface ResolvedOptions extends Omit<ClientOptions, 'autoConnect' | 'reconnect' | 'heartbeat' | 'queue' | 'requestTimeout' | 'connectTimeout' | 'transports' | 'random'> {
  autoConnect: boolean;
  reconnect: ReconnectOptions | false;
  heartbeat: HeartbeatOptions | false;
  queue: QueueOptions | false;
  requestTimeout: number;
  connectTimeout: number;
  transports: readonly TransportName[];
  random: () => number;
}

/**
 * A plain object (from any realm): what an options object, or a section of one, must be. Not an
 * array, a Promise (a forgotten `await`), a Map or a class instance, whose settings would be
 * silently missed: only own enumerable keys are read.
 */
const isRecord = (value: unknown): value is object => {
  const proto: unknown = typeof value === 'object' && value !== null && Object.getPrototypeOf(value);
  return proto === null || (proto !== false && Object.getPrototypeOf(proto) === null);
};

const fail = (name: string, expected: string, value: unknown): never => {
  throw new TypeError(`enhanced-ws: option "${name}" must be ${expected}, got ${show(value)}`);
};

/** An RFC 6455 subprotocol: an HTTP token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~\w]+$/;

/** A check an option must pass, and what the error says it must be. */
type Rule = readonly [test: (value: never) => boolean, expected: string];

/** Every transport there is (what `transports` may list), whatever the default. */
const TRANSPORTS: readonly TransportName[] = ['websocket', 'long-polling'];
const aFunction: Rule = [(value: unknown) => typeof value === 'function', 'a function'];
const positive: Rule = [(value: number) => value > 0, 'a number > 0'];
const withMethods = (...names: string[]): Rule => [
  (value: Record<string, unknown> | null) => typeof value === 'object' && value !== null && names.every((name) => typeof value[name] === 'function'),
  `an object with ${names.join('(), ')}()`,
];

/**
 * Checks beyond the type of an option's default (numbers: >= 0), and the checks of options that
 * have no default. An option with neither a default nor a rule is unknown.
 */
const RULES: Partial<Record<string, Rule>> = {
  'reconnect.jitter': [(value: number) => value <= 1, 'between 0 and 1'],
  'reconnect.multiplier': [(value: number) => value >= 1, 'a number >= 1'],
  'reconnect.shouldReconnect': aFunction,
  'reconnect.finalCodes': [(value: unknown) => Array.isArray(value) && value.every((code) => Number.isInteger(code)), 'an array of close codes'],
  'heartbeat.interval': positive,
  'heartbeat.timeout': positive,
  'queue.overflow': [(value: string) => ['drop-oldest', 'drop-newest', 'error'].includes(value), '"drop-oldest", "drop-newest" or "error"'],
  requestTimeout: positive,
  connectTimeout: positive,
  transports: [
    (value: unknown) => Array.isArray(value) && value.length > 0 && value.every((name) => TRANSPORTS.includes(name as TransportName)),
    'a non-empty array of "websocket" and "long-polling"',
  ],
  protocols: [
    (value: unknown) => {
      const list: unknown[] = Array.isArray(value) ? value : [value];
      return list.every((p) => typeof p === 'string' && TOKEN.test(p)) && new Set(list).size === list.length;
    },
    'a subprotocol token or an array of distinct ones',
  ],
  serializer: withMethods('encode', 'decode'),
  clock: withMethods('setTimeout', 'clearTimeout', 'now'),
  auth: aFunction,
  fetch: aFunction,
  WebSocket: aFunction,
  random: aFunction,
};

/** `object[key]` when the key is the object's own: `toString` and the like stay unknown options. */
const own = <T>(object: Partial<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(object, key) ? object[key] : undefined);

/** Validates `given` key by key against `defaults` and RULES, and merges it over `defaults`. */
function merge(prefix: string, given: object, defaults: object): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
    const name = prefix + key;
    const fallback = own(defaults as Record<string, unknown>, key);
    const type = typeof fallback;
    const rule = own(RULES, name);
    if (fallback === undefined && !rule) throw new TypeError(`enhanced-ws: unknown option "${name}"`);
    if (value === undefined) continue;
    if (isRecord(fallback)) {
      // A section: false turns it off, true keeps its defaults, an object is merged over them.
      if (value === false) merged[key] = false;
      else if (isRecord(value)) merged[key] = merge(`${name}.`, value, fallback);
      else if (value !== true) fail(name, 'an object or false', value);
      continue;
    }
    // A plain default's type is required; numbers must also be >= 0 (which refuses NaN). A list
    // default (`transports`) is checked by its rule alone, so its message stays the rule's.
    if (fallback !== undefined && type !== 'object' && (typeof value !== type || (type === 'number' && !((value as number) >= 0)))) {
      fail(name, type === 'number' ? 'a number >= 0' : `a ${type}`, value);
    }
    if (rule && !rule[0](value as never)) fail(name, rule[1], value);
    merged[key] = value;
  }
  return merged;
}

/** Validates options once, at construction: a `TypeError` names the first bad option. */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  if (!isRecord(options)) fail('options', 'an object', options);
  return { random: Math.random, ...merge('', options, DEFAULTS) } as ResolvedOptions;
}
