// One peer as server code sees it, whichever transport carries it: routing, requests, rooms.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../close-codes.js';
import { isEnvelope, type Envelope } from '../envelope.js';
import { show } from '../errors.js';
import type { TransportName } from '../transports/transport.js';
import { callSafely } from './call-safely.js';
import { FrameErrorCode, isValidCloseCode, MAX_REASON_BYTES, NO_HANDLER } from './codes.js';

/** What a transport gives a connection: write one text frame, close with a code. */
export interface Link {
  readonly transport: TransportName;
  send(frame: string): void;
  close(code: number, reason: string): void;
}

/** What the server does for its connections. */
export interface ConnectionHost {
  readonly maxMalformed: number;
  readonly report: (error: unknown) => void;
  join(conn: Connection, room: string): void;
  leave(conn: Connection, room: string): void;
  /** The connection ended: forget it. */
  ended(conn: Connection): void;
}

export interface ConnectionCloseEvent {
  readonly code: number;
  readonly reason: string;
}

/**
 * Peer input is untrusted: payloads are `unknown` until server code checks them. May be async:
 * what it throws or rejects with is reported on the server's `'error'`.
 */
export type MessageHandler = (payload: unknown, message: Envelope) => unknown;
/** Like a `MessageHandler`, may be async; what it throws or rejects with is reported on `'error'`. */
type CloseListener = (event: ConnectionCloseEvent) => unknown;
/** Its result (or awaited result) is the reply's payload; what it throws rejects the client's request. */
export type RequestHandler = (payload: unknown, message: Envelope) => unknown;

/** Encodes one envelope; a payload JSON cannot hold (cycle, BigInt) throws a TypeError naming the type. */
export function encodeFrame(message: Envelope): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    throw new TypeError(`enhanced-ws/server: cannot serialize the payload of "${message.type}": ${show(error)}`, { cause: error });
  }
}

function replyError(error: unknown): { message: string; code?: string } {
  const message = error instanceof Error ? error.message : show(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { message, code } : { message };
}

/**
 * A connected, authenticated peer. Created by the server and handed to `'connection'` listeners.
 *
 * @example
 * server.on('connection', (conn) => {
 *   conn.join('lobby');
 *   conn.on('chat', (text) => server.to('lobby').send('chat', text, { except: conn }));
 *   conn.handle('sum', (numbers) => (numbers as number[]).reduce((a, b) => a + b, 0));
 * });
 */
export class Connection {
  /** Unique id (a random UUID). */
  readonly id = randomUUID();
  private _state: 'open' | 'closing' | 'closed' = 'open';
  private _malformed = 0;
  private readonly _rooms = new Set<string>();
  private readonly _listeners = new Map<string, Set<MessageHandler>>();
  private readonly _handlers = new Map<string, RequestHandler>();
  private readonly _closeListeners = new Set<CloseListener>();

  constructor(
    private _link: Link,
    /** The upgrade (WebSocket) or handshake (long-polling) request: headers, remote address. */
    readonly request: IncomingMessage,
    /** What `authenticate` returned (`undefined` without the hook). */
    readonly user: unknown,
    private readonly _host: ConnectionHost,
  ) {}

  get transport(): TransportName {
    return this._link.transport;
  }
  /** True until `close()` is called or the peer goes away. */
  get isOpen(): boolean {
    return this._state === 'open';
  }
  get rooms(): ReadonlySet<string> {
    return this._rooms;
  }
  /** Malformed frames received so far. */
  get malformed(): number {
    return this._malformed;
  }

  /** Calls `handler(payload, message)` for each message of `type`. Returns the unsubscribe function. */
  on(type: string, handler: MessageHandler): () => void {
    let set = this._listeners.get(type);
    if (!set) this._listeners.set(type, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /** Answers requests of `type` (one handler per type; a new one replaces it). Returns the unregister function. */
  handle(type: string, handler: RequestHandler): () => void {
    this._handlers.set(type, handler);
    return () => {
      if (this._handlers.get(type) === handler) this._handlers.delete(type);
    };
  }

  /** Called once when the connection ends, with the close code. Returns the unsubscribe function. */
  onClose(listener: CloseListener): () => void {
    this._closeListeners.add(listener);
    return () => {
      this._closeListeners.delete(listener);
    };
  }

  /** Sends `{ type, payload }`. Returns false (and sends nothing) once the connection is closing. */
  send(type: string, payload?: unknown): boolean {
    return this.sendFrame(encodeFrame({ type, payload }));
  }

  /** Sends an already encoded frame (broadcasts encode once). @internal */
  sendFrame(frame: string): boolean {
    if (this._state !== 'open') return false;
    this._link.send(frame);
    return true;
  }

  /**
   * Moves the connection to another transport (the long-polling → WebSocket upgrade): every
   * later send, reply and broadcast goes over `link`. Server code sees nothing else change.
   * Returns false (and moves nothing) once the connection is closing. @internal
   */
  moveTo(link: Link): boolean {
    if (this._state !== 'open') return false;
    this._link = link;
    return true;
  }

  join(room: string): void {
    if (this._state === 'closed' || this._rooms.has(room)) return;
    this._rooms.add(room);
    this._host.join(this, room);
  }

  leave(room: string): void {
    if (this._rooms.delete(room)) this._host.leave(this, room);
  }

  /** Closes with `code` (1000 or 3000-4999, or another code a server may send) and `reason` (at most 123 bytes). */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (!isValidCloseCode(code)) throw new RangeError(`enhanced-ws/server: close code ${String(code)} cannot be sent to a peer`);
    if (Buffer.byteLength(reason) > MAX_REASON_BYTES) throw new RangeError('enhanced-ws/server: close reason must be at most 123 bytes');
    if (this._state !== 'open') return;
    this._state = 'closing';
    this._link.close(code, reason);
  }

  /** One inbound frame from the transport: a string, or anything else for binary data. @internal */
  receive(data: unknown): void {
    if (this._state !== 'open') return;
    const message = this._decode(data);
    if (!message) return;
    if (message.type === 'ping') {
      this.send('pong', message.payload);
      return;
    }
    const { id } = message;
    const handler = id === undefined ? undefined : this._handlers.get(message.type);
    if (handler && id !== undefined) {
      this._answer(handler, message, id);
      return;
    }
    const listeners = this._listeners.get(message.type);
    if (id !== undefined && !listeners?.size) {
      this._reply(id, { error: { message: `no handler for "${message.type}"`, code: NO_HANDLER } });
    }
    for (const listener of [...(listeners ?? [])]) callSafely(this._host.report, listener, message.payload, message);
  }

  /** The transport is gone (peer closed, we closed, or it died). @internal */
  ended(code: number, reason: string): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    for (const room of this._rooms) this._host.leave(this, room);
    this._rooms.clear();
    this._host.ended(this);
    for (const listener of [...this._closeListeners]) callSafely(this._host.report, listener, { code, reason });
  }

  private _decode(data: unknown): Envelope | undefined {
    if (typeof data !== 'string') {
      this._malformedFrame(FrameErrorCode.NOT_TEXT, 'binary frames are not supported: send JSON text');
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      this._malformedFrame(FrameErrorCode.BAD_JSON, 'the frame is not valid JSON');
      return undefined;
    }
    if (!isEnvelope(value) || (value.id !== undefined && typeof value.id !== 'string')) {
      this._malformedFrame(FrameErrorCode.BAD_ENVELOPE, 'expected {"type": string, "payload"?: any, "id"?: string}');
      return undefined;
    }
    return value;
  }

  /** Answers with an error frame; past `maxMalformed` the peer is closed with 1007. */
  private _malformedFrame(code: FrameErrorCode, message: string): void {
    this._malformed++;
    this.send('error', { code, message });
    if (this._malformed > this._host.maxMalformed) this.close(CloseCode.INVALID_PAYLOAD, 'too many malformed frames');
  }

  private _answer(handler: RequestHandler, message: Envelope, id: string): void {
    void (async () => {
      try {
        this._reply(id, { payload: await handler(message.payload, message) });
      } catch (error) {
        this._reply(id, { error: replyError(error) });
      }
    })();
  }

  private _reply(id: string, body: Pick<Envelope, 'payload' | 'error'>): void {
    try {
      this.sendFrame(encodeFrame({ type: 'reply', id, ...body }));
    } catch (error) {
      this._host.report(error);
      this.sendFrame(encodeFrame({ type: 'reply', id, error: { message: 'the reply could not be serialized' } }));
    }
  }
}
