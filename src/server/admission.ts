// Who gets in, for both transports: the Origin allowlist, the connection cap, the authenticate hook.

import type { IncomingMessage } from 'node:http';
import { isThenable } from './call-safely.js';
import { MAX_REASON_BYTES, Refusals, type Refusal } from './codes.js';
import type { Authenticate } from './options.js';

/**
 * Throw this (or any error with `status: 403`) from `authenticate` to refuse a peer that is
 * known but not allowed: 4403 on WebSocket, HTTP 403 on long-polling. Its message, when at most
 * 123 bytes, becomes the close reason.
 *
 * @example
 * authenticate: async (request, token) => {
 *   const user = await users.byToken(token);
 *   if (user?.banned) throw new ForbiddenError('banned');
 *   return user; // undefined: 4401
 * }
 */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  readonly status = 403;
}

export interface AdmissionOptions {
  readonly allowedOrigins?: readonly string[] | ((origin: string) => boolean);
  readonly authenticate?: Authenticate;
  readonly maxConnections: number;
}

export type Verdict = Refusal | { readonly user: unknown };

/** A thrown error's message as the close reason, when it fits a close frame. */
const reasonOf = (error: unknown, fallback: string): string => {
  const message = error instanceof Error ? error.message : '';
  return message && Buffer.byteLength(message) <= MAX_REASON_BYTES ? message : fallback;
};

/** Every `reserve()` that succeeds is matched by exactly one `release()`; the same for `reserveProbe()`. */
export class Admission {
  private _count = 0;
  private _probes = 0;
  /** Set by `server.close()`: nobody new gets in. */
  closed = false;

  constructor(
    private readonly _options: AdmissionOptions,
    private readonly _report: (error: unknown) => void,
  ) {}

  get hasAuthenticate(): boolean {
    return this._options.authenticate !== undefined;
  }

  /**
   * Browsers always send `Origin`; requests without one (native clients, which could forge it
   * anyway) pass. A predicate that throws refuses with 1011 / HTTP 500 (retryable) and is reported,
   * like an `authenticate` hook that fails.
   */
  origin(request: IncomingMessage): Refusal | undefined {
    const { allowedOrigins } = this._options;
    const origin = request.headers.origin;
    if (allowedOrigins === undefined || origin === undefined) return undefined;
    if (typeof allowedOrigins !== 'function') return allowedOrigins.includes(origin) ? undefined : Refusals.ORIGIN;
    try {
      const allowed: unknown = allowedOrigins(origin);
      // A Promise is truthy: an async predicate must not allow every origin.
      if (isThenable(allowed)) throw new TypeError('enhanced-ws: allowedOrigins must return a boolean, got a Promise');
      return allowed ? undefined : Refusals.ORIGIN;
    } catch (error) {
      this._report(error);
      return Refusals.ORIGIN_CHECK_FAILED;
    }
  }

  /** Takes a slot under `maxConnections` (authenticating peers count too). */
  reserve(): Refusal | undefined {
    if (this.closed) return Refusals.SHUTTING_DOWN;
    if (this._count >= this._options.maxConnections) return Refusals.TOO_MANY_CONNECTIONS;
    this._count++;
    return undefined;
  }

  release(): void {
    this._count--;
  }

  /**
   * A socket marked as an upgrade probe will carry a connection that already holds a slot, so it
   * takes none (the cap counts the connection once, also at the cap). Instead, at most as many
   * probes as there are live long-polling sessions may wait for their first frame; past that, one
   * of them has no session left to take over: 4404, as for an unknown sid.
   */
  reserveProbe(sessions: number): Refusal | undefined {
    if (this.closed) return Refusals.SHUTTING_DOWN;
    if (this._probes >= sessions) return Refusals.BAD_UPGRADE;
    this._probes++;
    return undefined;
  }

  releaseProbe(): void {
    this._probes--;
  }

  /**
   * Runs the hook: truthy accepts, falsy is 401, `status: 401/403` is thrown refusals, the rest 500.
   * Once closed, refuses (1001 / 503) without running it: a peer admitted before `close()` may
   * still get here (a WebSocket whose first frame crossed the close frame, a long-polling
   * handshake whose body was still arriving), and the app's hook does not run for a closed server.
   */
  async authenticate(request: IncomingMessage, credentials: string | undefined): Promise<Verdict> {
    if (this.closed) return Refusals.SHUTTING_DOWN;
    const hook = this._options.authenticate;
    if (!hook) return { user: undefined };
    try {
      const user: unknown = await hook(request, credentials);
      return user ? { user } : Refusals.UNAUTHORIZED;
    } catch (error) {
      const status = (error as { status?: unknown } | null)?.status;
      if (status === 401) return { ...Refusals.UNAUTHORIZED, reason: reasonOf(error, Refusals.UNAUTHORIZED.reason) };
      if (status === 403) return { ...Refusals.FORBIDDEN, reason: reasonOf(error, Refusals.FORBIDDEN.reason) };
      this._report(error);
      return Refusals.AUTH_FAILED;
    }
  }
}
