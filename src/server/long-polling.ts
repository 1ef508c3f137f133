// The long-polling endpoints on `path`: handshake, held poll, upload, close (wire format: docs/protocol.md).

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCode } from '../close-codes.js';
import type { Clock } from '../clock.js';
import type { Admission, Verdict } from './admission.js';
import { isValidCloseCode, MAX_REASON_BYTES, NO_STATUS, Refusals, type Refusal } from './codes.js';
import type { Connection, Link } from './connection.js';
import { allowCors, bearer, preflight, readBody, refuse, sendJson } from './http-io.js';
import { PollingSession, type CloseItem } from './polling-session.js';

export interface PollingContext {
  readonly admission: Admission;
  readonly clock: Clock;
  readonly maxPayload: number;
  readonly pollTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** Creates and registers the connection, lets `wire` attach the transport, then announces it. */
  open(link: Link, request: IncomingMessage, user: unknown, wire: (conn: Connection) => void): void;
}

interface Entry {
  readonly session: PollingSession;
  conn: Connection | undefined;
}

/**
 * The largest upload body for a given `maxPayload`. `maxPayload` bounds one frame (its UTF-8
 * bytes, as on WebSocket), but in the body each frame travels as a JSON string, escaped again:
 * JSON.stringify grows a string at most 6× (a control character becomes `\u0000`), plus 2 quotes
 * and the array's 2 brackets. So a frame within `maxPayload` always fits alone, however it is
 * escaped, and so does any batch a client keeps within `maxPayload` as sent; each frame is then
 * checked against `maxPayload` on its own (`parseUpload`).
 */
export const uploadLimit = (maxPayload: number): number => 6 * maxPayload + 4;

/**
 * An upload whose `seq` is neither one already processed nor the next: a gap that a client
 * following the protocol never makes (it sends N + 1 only once N was answered 2xx), so the
 * session's order can no longer be trusted. 1002, a protocol error, as `ws` reports its own
 * (websocket.ts); retryable, so the client's next session starts over at 1.
 */
const OUT_OF_SEQUENCE: Refusal = { code: 1002, status: 409, reason: 'long-polling upload out of sequence' };

/**
 * The frames of an upload body, or why it is refused: over `uploadLimit` (read as null) or with
 * a frame over `maxPayload` → 413, not a JSON array → 400. All frames are checked before any is
 * delivered, so a refused batch is never partly processed (docs/protocol.md).
 */
function parseUpload(body: string | null, maxPayload: number): unknown[] | Refusal {
  if (body === null) return Refusals.MESSAGE_TOO_BIG;
  let frames: unknown;
  try {
    frames = JSON.parse(body);
  } catch {
    return Refusals.BAD_BODY;
  }
  if (!Array.isArray(frames)) return Refusals.BAD_BODY;
  // Non-string items are delivered as malformed frames (NOT_TEXT); only text has a size.
  const tooBig = (frame: unknown): boolean => typeof frame === 'string' && Buffer.byteLength(frame) > maxPayload;
  return (frames as unknown[]).some(tooBig) ? Refusals.MESSAGE_TOO_BIG : (frames as unknown[]);
}

/**
 * A `DELETE` body's `{ code, reason }`, read as a close frame would be: a code no close frame may
 * carry (1005, 1006, 99999, …) counts as none, 1005 without a reason, as does no body; a reason
 * that is no string or over 123 bytes is dropped and the code kept (the client's WebSocket
 * transport keeps the code too when the reason does not fit).
 */
function readCloseBody(body: string | null): CloseItem {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    // no body: closed without a status, like a WebSocket close frame without one
  }
  const { code, reason } = (value ?? {}) as { code?: unknown; reason?: unknown };
  if (typeof code !== 'number' || !isValidCloseCode(code)) return { code: NO_STATUS, reason: '' };
  return { code, reason: typeof reason === 'string' && Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : '' };
}

/** What the handshake answers. */
export interface Handshake {
  sid: string;
  pollTimeoutMs: number;
  sessionTimeoutMs: number;
  maxPayload: number;
}

export class LongPollingEndpoint {
  private readonly _sessions = new Map<string, Entry>();
  /** Handshakes not answered yet (body or `authenticate` pending): shutdown answers them at once. */
  private readonly _handshakes = new Set<ServerResponse>();

  constructor(private readonly _context: PollingContext) {}

  /** Live sessions, for tests and metrics. */
  get size(): number {
    return this._sessions.size;
  }

  /** Handles one request on `path` that is not a WebSocket upgrade; `query` is its parsed query string. */
  handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    allowCors(req, res);
    if (req.method === 'OPTIONS') {
      preflight(res);
      return;
    }
    if (query.get('transport') !== 'polling') {
      sendJson(res, 400, { code: CloseCode.POLICY_VIOLATION, reason: 'expected a WebSocket upgrade, or ?transport=polling' });
      return;
    }
    void this._route(req, res, query.get('sid'), query.get('seq'))?.catch(() => {
      res.destroy(); // the body failed: the client vanished mid-request, nobody to answer
    });
  }

  private _route(req: IncomingMessage, res: ServerResponse, sid: string | null, seq: string | null): Promise<void> | undefined {
    if (sid === null && req.method === 'POST') return this._handshake(req, res);
    const entry = sid === null ? undefined : this._sessions.get(sid);
    if (!entry) refuse(res, Refusals.SESSION_NOT_FOUND);
    else if (req.method === 'GET') entry.session.poll(res);
    else if (req.method === 'POST') return this._upload(req, res, entry, seq);
    else if (req.method === 'DELETE') return this._close(req, res, entry);
    else sendJson(res, 405, { code: CloseCode.POLICY_VIOLATION, reason: 'use GET, POST or DELETE' });
    return undefined;
  }

  /**
   * The long-polling → WebSocket upgrade, in one synchronous step: the connection of session
   * `sid` sends over `link` from now on, and the session ends with 1000 "upgraded" after the
   * frames it still holds (docs/protocol.md). Undefined, and nothing changed, when no open
   * session has that sid.
   */
  upgrade(sid: string, link: Link): Connection | undefined {
    const entry = this._sessions.get(sid);
    if (!entry?.conn || entry.session.closed || !entry.conn.moveTo(link)) return undefined;
    entry.session.handOver();
    return entry.conn;
  }

  /**
   * Server shutdown: stop every timer, forget every session (their connections are closed
   * already), and answer each handshake still authenticating with 503, 1001 now, before the
   * server cuts its connection; its hook's late verdict then finds it answered.
   */
  dispose(): void {
    for (const res of this._handshakes) refuse(res, Refusals.SHUTTING_DOWN);
    this._handshakes.clear();
    for (const { session } of this._sessions.values()) session.dispose();
    this._sessions.clear();
  }

  private async _handshake(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { admission } = this._context;
    const refusal = admission.origin(req) ?? admission.reserve();
    if (refusal) {
      refuse(res, refusal);
      return;
    }
    this._handshakes.add(res);
    let authenticated: Verdict;
    try {
      const body = await readBody(req, this._context.maxPayload);
      authenticated = body === null ? Refusals.MESSAGE_TOO_BIG : await admission.authenticate(req, bearer(req));
    } catch (error) {
      admission.release();
      throw error;
    } finally {
      this._handshakes.delete(res);
    }
    // The server may have begun shutting down while the hook ran: no session may outlive it.
    const verdict = admission.closed ? Refusals.SHUTTING_DOWN : authenticated;
    if ('code' in verdict) {
      admission.release();
      refuse(res, verdict);
      return;
    }
    const { clock, pollTimeoutMs, sessionTimeoutMs, maxPayload } = this._context;
    const sid = randomUUID();
    const entry: Entry = {
      session: new PollingSession(sid, { clock, pollTimeoutMs, sessionTimeoutMs, onGone: () => this._sessions.delete(sid) }),
      conn: undefined,
    };
    this._sessions.set(sid, entry);
    this._context.open(entry.session, req, verdict.user, (conn) => {
      entry.conn = conn;
      entry.session.onEnd = (code, reason) => {
        conn.ended(code, reason);
      };
      const handshake: Handshake = { sid, pollTimeoutMs, sessionTimeoutMs, maxPayload };
      sendJson(res, 200, handshake);
    });
  }

  /**
   * A `POST` of frames. With `seq` (docs/protocol.md, "Retries"), at most once: a `seq` already
   * processed is a retry whose first try got through (or that try, arriving late), answered 204
   * with nothing processed again, even once the session is closed (it is the truth, and saves the
   * client from sending it again on a new session); the next `seq` is processed; any other is
   * refused. Without `seq` (a client that does not number its uploads), processed as it comes.
   */
  private async _upload(req: IncomingMessage, res: ServerResponse, entry: Entry, seq: string | null): Promise<void> {
    const { session, conn } = entry;
    const body = await readBody(req, uploadLimit(this._context.maxPayload));
    // Expired (or gone) while the body arrived: an unknown session from then on, not a closed one.
    if (this._sessions.get(session.sid) !== entry) {
      refuse(res, Refusals.SESSION_NOT_FOUND);
      return;
    }
    const n = seq === null ? 0 : Number(seq);
    if (n >= 1 && n <= session.seq && Number.isInteger(n)) {
      sendJson(res, 204);
      return;
    }
    if (session.closed) {
      refuse(res, { status: 410, ...session.closed });
      return;
    }
    const frames = seq !== null && n !== session.seq + 1 ? OUT_OF_SEQUENCE : parseUpload(body, this._context.maxPayload);
    if ('code' in frames) {
      refuse(res, frames);
      conn?.close(frames.code, frames === Refusals.BAD_BODY ? 'bad long-polling body' : frames.reason);
      return;
    }
    if (seq !== null) session.seq = n;
    for (const frame of frames) conn?.receive(frame);
    sendJson(res, 204);
  }

  private async _close(req: IncomingMessage, res: ServerResponse, { session }: Entry): Promise<void> {
    const { code, reason } = readCloseBody(await readBody(req, this._context.maxPayload));
    session.end(code, reason);
    sendJson(res, 204);
  }
}
