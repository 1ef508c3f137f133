// Server options: their defaults (one frozen object) and their validation in createServer().

import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Clock } from '../clock.js';
import { show } from '../errors.js';

/**
 * Accepts or refuses a peer. `credentials` is the `auth` frame's payload (WebSocket) or the
 * `Authorization: Bearer` value (long-polling), `undefined` when the client sent none.
 * Return a truthy value to accept (it becomes `conn.user`), falsy to refuse with 4401 / HTTP 401;
 * throw an error with `status: 403` (e.g. `ForbiddenError`) to refuse with 4403 / HTTP 403.
 * Any other thrown error refuses with 1011 / HTTP 500 (retryable) and is reported on `'error'`.
 */
export type Authenticate = (request: IncomingMessage, credentials: string | undefined) => unknown;

export interface ServerOptions {
  /** Listen on this port (0 picks a free one). Either `port` or `server`. */
  port?: number;
  /** Interface to listen on with `port`, e.g. `'127.0.0.1'`. Node's default (all) when absent. */
  host?: string;
  /** Attach to this existing `http`/`https` server instead of listening; its other routes keep working. */
  server?: HttpServer;
  /** The one path serving both the WebSocket upgrade and the long-polling endpoints. */
  path?: string;
  /** Allowed `Origin` values, or a predicate. Requests without an `Origin` header are allowed. */
  allowedOrigins?: readonly string[] | ((origin: string) => boolean);
  authenticate?: Authenticate;
  /** WebSocket: wait this long for the first frame (the `auth` frame). 0: authenticate at once. */
  authTimeoutMs?: number;
  /** Largest frame, in UTF-8 bytes, on either transport (a long-polling upload body may take 6 × maxPayload + 4: docs/protocol.md). */
  maxPayload?: number;
  /** Open (and authenticating) connections over both transports, at most. */
  maxConnections?: number;
  /** Malformed frames a connection may send before it is closed with 1007. */
  maxMalformed?: number;
  /** Protocol-level ping sweep for dead WebSocket peers; `false` turns it off. */
  pingIntervalMs?: number | false;
  /** How long a long-polling `GET` is held before it returns an empty batch. */
  pollTimeoutMs?: number;
  /** A long-polling session with no poll held for this long expires. */
  sessionTimeoutMs?: number;
  /** Timers (tests). */
  clock?: Clock;
}

type Defaults = Required<Pick<ServerOptions, 'path' | 'authTimeoutMs' | 'maxPayload' | 'maxConnections' | 'maxMalformed' | 'pingIntervalMs' | 'pollTimeoutMs' | 'sessionTimeoutMs'>>;

/** Every server default in one place. */
export const SERVER_DEFAULTS: Readonly<Defaults> = Object.freeze({
  path: '/ws',
  authTimeoutMs: 5000,
  maxPayload: 1024 * 1024,
  maxConnections: Infinity,
  maxMalformed: 10,
  pingIntervalMs: 30000,
  pollTimeoutMs: 25000,
  sessionTimeoutMs: 30000,
});

export type ResolvedServerOptions = Defaults & Omit<ServerOptions, keyof Defaults>;

const fail = (name: string, expected: string, value: unknown): never => {
  throw new TypeError(`enhanced-ws/server: option "${name}" must be ${expected}, got ${show(value)}`);
};

const KNOWN = ['port', 'host', 'server', 'allowedOrigins', 'authenticate', 'clock', ...Object.keys(SERVER_DEFAULTS)];
const isCount = (value: unknown): boolean => typeof value === 'number' && value >= 0 && (Number.isInteger(value) || value === Infinity);

/** Validates once: a `TypeError` names the first bad option. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new TypeError(`enhanced-ws/server: unknown option "${key}"`);
  }
  const resolved: ResolvedServerOptions = { ...SERVER_DEFAULTS };
  for (const [key, value] of Object.entries(options) as [string, unknown][]) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }
  const { port, server, path, allowedOrigins, authenticate } = resolved;
  if ((port === undefined) === (server === undefined)) fail('port', 'set, or `server` (exactly one of them)', port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) fail('port', 'an integer 0-65535', port);
  if (server !== undefined && typeof server.on !== 'function') fail('server', 'an http or https server', server);
  if (typeof path !== 'string' || !path.startsWith('/')) fail('path', 'a string starting with "/"', path);
  if (allowedOrigins !== undefined && typeof allowedOrigins !== 'function' && !Array.isArray(allowedOrigins)) {
    fail('allowedOrigins', 'an array of origins or a function', allowedOrigins);
  }
  if (authenticate !== undefined && typeof authenticate !== 'function') fail('authenticate', 'a function', authenticate);
  for (const key of ['maxConnections', 'maxMalformed'] as const) {
    if (!isCount(resolved[key])) fail(key, 'an integer >= 0 or Infinity', resolved[key]);
  }
  for (const key of ['authTimeoutMs', 'pollTimeoutMs', 'sessionTimeoutMs'] as const) {
    const value = resolved[key];
    if (!(Number.isFinite(value) && value >= (key === 'sessionTimeoutMs' ? 1 : 0))) fail(key, 'a finite number of ms', value);
  }
  if (!(Number.isInteger(resolved.maxPayload) && resolved.maxPayload > 0)) fail('maxPayload', 'an integer > 0', resolved.maxPayload);
  const ping = resolved.pingIntervalMs;
  if (ping !== false && !(typeof ping === 'number' && ping > 0)) fail('pingIntervalMs', 'a number > 0 or false', ping);
  return resolved;
}
