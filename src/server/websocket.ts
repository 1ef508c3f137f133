// The WebSocket side: admits a socket (origin, cap, `auth` or `upgrade` first frame) and links it to a Connection.

import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { CloseCode } from '../close-codes.js';
import type { Clock, TimerHandle } from '../clock.js';
import { isEnvelope } from '../envelope.js';
import type { Admission } from './admission.js';
import { Refusals, Upgrade, type Refusal } from './codes.js';
import type { Connection, Link } from './connection.js';
import type { HeartbeatSweep } from './heartbeat-sweep.js';
import { SERVER_DEFAULTS } from './options.js';

export interface WebSocketContext {
  readonly admission: Admission;
  readonly authTimeoutMs: number;
  readonly clock: Clock;
  readonly sweep: HeartbeatSweep | undefined;
  /** Creates and registers the connection, lets `wire` attach the transport, then announces it. */
  open(link: Link, request: IncomingMessage, user: unknown, wire: (conn: Connection) => void): void;
  /** The long-polling sessions an `upgrade` first frame can take over. */
  readonly sessions: UpgradableSessions;
}

/** What the long-polling endpoint offers the WebSocket side (see `LongPollingEndpoint.upgrade`). */
export interface UpgradableSessions {
  /** Live sessions: bounds the probes waiting for their first frame. */
  readonly size: number;
  /** Moves the connection of session `sid` to `link` and ends the session; undefined when there is none open. */
  upgrade(sid: string, link: Link): Connection | undefined;
}

const PROTOCOL_ERROR = 1002;
/** The close code ws sends for its errors (the rest are protocol errors, 1002). */
const WS_ERROR_CODES: Partial<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.MESSAGE_TOO_BIG,
  WS_ERR_INVALID_UTF8: CloseCode.INVALID_PAYLOAD,
};

/** A text frame as a string; binary data stays as it is (the connection answers NOT_TEXT). */
const toFrame = (data: RawData, isBinary: boolean): unknown => (isBinary ? data : (data as Buffer).toString('utf8'));

/** Sent once a socket whose first frame was `auth` is accepted: the client opens only then. */
const AUTH_ACCEPTED = JSON.stringify({ type: 'auth', payload: { ok: true } });

/** What a socket's first frame asks for, when the server waits for one. */
type FirstFrame =
  | { readonly kind: 'auth'; readonly credentials: string | undefined }
  | { readonly kind: 'upgrade'; readonly sid: string | undefined }
  | { readonly kind: 'other' };

const OTHER: FirstFrame = { kind: 'other' };

/** `{"type":"auth","payload":"<credential>"}`, `{"type":"upgrade","payload":{"sid":"<sid>"}}`, or anything else. */
function readFirstFrame(frame: unknown): FirstFrame {
  if (typeof frame !== 'string') return OTHER;
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return OTHER;
  }
  if (!isEnvelope(value)) return OTHER;
  if (value.type === 'auth') return { kind: 'auth', credentials: typeof value.payload === 'string' ? value.payload : undefined };
  if (value.type !== Upgrade.FRAME) return OTHER;
  const sid = (value.payload as { sid?: unknown } | null | undefined)?.sid;
  return { kind: 'upgrade', sid: typeof sid === 'string' ? sid : undefined };
}

/** `?transport=upgrade`: the client promises an `upgrade` first frame, so the server waits for it even without a hook. */
const isProbe = (query: URLSearchParams): boolean => query.get('transport') === Upgrade.QUERY;

function webSocketLink(socket: WebSocket): Link {
  return {
    transport: 'websocket',
    send(frame) {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    },
    close(code, reason) {
      socket.close(code, reason);
    },
  };
}

/**
 * Refusals are sent as close frames after accepting the upgrade: a browser cannot read a
 * refused handshake's status (it sees 1006 and would retry forever), but it reads 1008/4401.
 * With an `authenticate` hook, the first frame is awaited (up to `authTimeoutMs`): an `auth`
 * frame carries the credentials and is consumed; any other frame means "no credentials" and is
 * delivered after acceptance, like every frame that arrives while the hook runs. An `upgrade`
 * first frame instead moves a long-polling connection onto this socket (no hook: the sid is the
 * credential); a socket marked `?transport=upgrade` is awaited for it even without a hook.
 */
export function admitWebSocket(socket: WebSocket, request: IncomingMessage, query: URLSearchParams, context: WebSocketContext): void {
  new SocketAdmission(socket, request, isProbe(query), context).start();
}

/** One socket until it carries a connection: holds its slot, waits for its first frame, decides. */
class SocketAdmission {
  private _conn: Connection | undefined;
  private _pending: unknown[] = [];
  private _waiting = false;
  private _frames = 0;
  /** The first frame was `auth`: acknowledge it once accepted, so the client opens (and flushes its queue) only then. */
  private _ackOnAccept = false;
  private _timer: TimerHandle | undefined;
  /** Gives back what `start()` reserved; undefined once a connection holds it (or it was given back). */
  private _release: (() => void) | undefined;
  /** ws closes on peer errors itself (and stops reading, so no close frame comes back): keep the code it sent. */
  private _failure: number | undefined;

  constructor(
    private readonly _socket: WebSocket,
    private readonly _request: IncomingMessage,
    /** Marked `?transport=upgrade`. */
    private readonly _probe: boolean,
    private readonly _context: WebSocketContext,
  ) {}

  start(): void {
    const { admission, authTimeoutMs } = this._context;
    // First, so that an error on a refused socket is handled too.
    this._socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) this._failure = WS_ERROR_CODES[error.code] ?? PROTOCOL_ERROR;
    });
    const refusal = admission.origin(this._request) ?? (this._probe ? admission.reserveProbe(this._context.sessions.size) : admission.reserve());
    if (refusal) {
      this._socket.close(refusal.code, refusal.reason);
      return;
    }
    this._release = this._probe ? () => { admission.releaseProbe(); } : () => { admission.release(); };
    this._listen();
    this._waiting = this._probe || (admission.hasAuthenticate && authTimeoutMs > 0);
    if (!this._waiting) {
      this._decide(undefined);
      return;
    }
    // A probe always waits for its `upgrade` frame, even with authTimeoutMs 0 (which is about `auth`).
    const ms = this._probe ? authTimeoutMs || SERVER_DEFAULTS.authTimeoutMs : authTimeoutMs;
    this._timer = this._context.clock.setTimeout(() => {
      if (this._probe) this._upgrade(undefined);
      else this._decide(undefined);
    }, ms);
  }

  private _listen(): void {
    this._socket.on('message', (data, isBinary) => {
      this._receive(toFrame(data, isBinary));
    });
    this._socket.on('close', (code, reason) => {
      this._context.clock.clearTimeout(this._timer);
      if (this._conn) this._conn.ended(this._failure ?? code, reason.toString());
      else this._giveBack();
    });
  }

  private _receive(frame: unknown): void {
    const first = readFirstFrame(this._frames++ === 0 ? frame : undefined);
    if (this._conn) {
      // No hook: the server decided before the first frame; an `auth` frame is still consumed and acknowledged.
      if (first.kind === 'auth') this._acknowledge();
      else this._conn.receive(frame);
      return;
    }
    if (!this._waiting) {
      if (first.kind === 'auth') this._ackOnAccept = true;
      else this._pending.push(frame); // delivered once the hook accepts
      return;
    }
    if (first.kind === 'upgrade' || this._probe) {
      this._upgrade(first.kind === 'upgrade' ? first.sid : undefined);
      return;
    }
    if (first.kind === 'other') this._pending.push(frame);
    this._ackOnAccept = first.kind === 'auth';
    this._decide(first.kind === 'auth' ? first.credentials : undefined);
  }

  private _decide(credentials: string | undefined): void {
    const { admission, clock } = this._context;
    const socket = this._socket;
    this._waiting = false;
    clock.clearTimeout(this._timer);
    socket.pause(); // backpressure while the hook runs; frames already read wait in `_pending`
    void admission.authenticate(this._request, credentials).then((verdict) => {
      socket.resume();
      if (socket.readyState !== WebSocket.OPEN) return; // gone meanwhile; 'close' gave the slot back
      if ('code' in verdict) {
        this._refuse(verdict);
        return;
      }
      this._release = undefined; // the connection holds the slot now; its end gives it back
      this._context.open(webSocketLink(socket), this._request, verdict.user, (accepted) => {
        this._conn = accepted;
        this._context.sweep?.add(socket);
        // Before the 'connection' listeners run, so the answer precedes anything they send.
        if (this._ackOnAccept) this._acknowledge();
      });
      for (const frame of this._pending.splice(0)) this._conn?.receive(frame);
    });
  }

  /** The switch itself is one synchronous step (`LongPollingEndpoint.upgrade`); later frames go to the connection. */
  private _upgrade(sid: string | undefined): void {
    this._waiting = false;
    this._context.clock.clearTimeout(this._timer);
    const moved = sid === undefined ? undefined : this._context.sessions.upgrade(sid, webSocketLink(this._socket));
    if (!moved) {
      this._refuse(Refusals.BAD_UPGRADE);
      return;
    }
    this._conn = moved;
    this._giveBack(); // the connection has held its own slot since its long-polling handshake
    this._context.sweep?.add(this._socket);
  }

  private _acknowledge(): void {
    this._socket.send(AUTH_ACCEPTED);
  }

  private _refuse(refusal: Refusal): void {
    this._pending = [];
    this._socket.close(refusal.code, refusal.reason);
  }

  private _giveBack(): void {
    const release = this._release;
    this._release = undefined;
    release?.();
  }
}
