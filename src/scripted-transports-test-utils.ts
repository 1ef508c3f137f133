// Scripted transports for unit tests that must own every step: a long-polling server behind
// `fetch` and a WebSocket class whose server side the test drives by hand. Nothing happens on
// its own (no timers of their own): with vitest's fake timers, the test decides what comes when.
// For a plain WebSocket server, test-utils.ts (mock-socket) is simpler; these exist for what it
// cannot do: hold a socket connecting until the test accepts it, a socket left CLOSING with no
// close event, a probe URL with a query, a long-polling session answered batch by batch.

import type { Envelope } from './envelope.js';

/** The envelope an encoded frame carries. */
export const decode = (frame: string): Envelope => JSON.parse(frame) as Envelope;

export interface ScriptedPollingOptions {
  /** The `maxPayload` the handshake announces. */
  maxPayload?: number;
  /** Answer each `ping` uploaded with a `pong` (on the next poll). Off by default: a plain server. */
  answerPings?: boolean;
  /**
   * Answers an upload in the server's place, unprocessed (its frames are not recorded), when it
   * returns a response; `undefined` lets the server process it.
   */
  refuse?: (sid: string, body: string) => Response | undefined;
}

/**
 * A long-polling server in a fetch stub (pass `fetch` as the client's option): each handshake
 * opens a session, s1, s2…; uploads are processed (frames recorded) and answered 204 at once,
 * unless `holdUploads`; a poll is held until `push()` gives it something; a DELETE is answered 204.
 * An aborted request rejects with an AbortError, as `fetch` does.
 */
export class ScriptedPollingServer {
  /** Every request as `METHOD sid` (`-` for the handshake), in the order made. */
  readonly requests: string[] = [];
  /** Each handshake's URL and `Authorization` header, in order: one per session. */
  readonly handshakes: { url: string; authorization: string | null }[] = [];
  /** Every frame the server processed, as uploaded, in order. */
  readonly posted: string[] = [];
  /** Uploads wait for `releaseUploads()` or `refuseHeldUploads()` while set. */
  holdUploads = false;
  private readonly _heldUploads: { process: () => void; answer: (response: Response) => void }[] = [];
  private _outbox: unknown[] = [];
  private _poll: { sid: string; answer: (batch: unknown[]) => void } | undefined;

  constructor(private readonly _options: ScriptedPollingOptions = {}) {}

  /** Every frame the server processed, decoded. */
  get received(): Envelope[] {
    return this.posted.map(decode);
  }

  /** The newest session's id ('' before the first handshake). */
  get sid(): string {
    return this.handshakes.length ? `s${String(this.handshakes.length)}` : '';
  }

  readonly fetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const sid = url.searchParams.get('sid');
    const method = init?.method ?? 'GET';
    this.requests.push(`${method} ${sid ?? '-'}`);
    if (!sid) {
      this.handshakes.push({ url: url.href, authorization: new Headers(init?.headers).get('authorization') });
      return Promise.resolve(Response.json({ sid: this.sid, pollTimeoutMs: 25000, maxPayload: this._options.maxPayload ?? 100000 }));
    }
    if (method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
    return new Promise<Response>((resolve, reject) => {
      init?.signal?.addEventListener('abort', () => { reject(new DOMException('aborted', 'AbortError')); });
      if (method === 'GET') {
        this._poll = { sid, answer: (batch) => { resolve(Response.json(batch)); } };
        this._answerPoll();
        return;
      }
      const body = typeof init?.body === 'string' ? init.body : '';
      const refusal = this._options.refuse?.(sid, body);
      if (refusal) {
        resolve(refusal);
        return;
      }
      const process = (): void => {
        for (const frame of JSON.parse(body) as string[]) this._receive(frame);
        resolve(new Response(null, { status: 204 }));
      };
      if (this.holdUploads) this._heldUploads.push({ process, answer: resolve });
      else process();
    });
  };

  /** Gives the newest session's poll (now, or the next one) these frames (encoded) or close items (`{ code, reason }`). */
  push(...items: unknown[]): void {
    this._outbox.push(...items);
    this._answerPoll();
  }

  /** Processes the uploads held so far and answers them 204. */
  releaseUploads(): void {
    for (const { process } of this._heldUploads.splice(0)) process();
  }

  /** Answers the uploads held so far with `response()`, unprocessed. */
  refuseHeldUploads(response: () => Response): void {
    for (const { answer } of this._heldUploads.splice(0)) answer(response());
  }

  private _receive(frame: string): void {
    this.posted.push(frame);
    const { type, payload } = decode(frame);
    if (type === 'ping' && this._options.answerPings) this.push(JSON.stringify({ type: 'pong', payload }));
  }

  private _answerPoll(): void {
    const poll = this._poll;
    if (poll?.sid !== this.sid || !this._outbox.length) return; // (a poll of an older session is never answered)
    this._poll = undefined;
    poll.answer(this._outbox.splice(0));
  }
}

/** A WebSocket whose server side the test drives: it stays connecting until `accept()`. */
export class ScriptedSocket {
  readyState = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  /** Every frame written while open, in order. */
  readonly sent: string[] = [];
  /** What the client's `close()` asked for; the close event waits for `end()`, as the closing handshake does. */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(readonly url: string) {}

  /** An upgrade probe (`?transport=upgrade`), not a first connection. */
  get isProbe(): boolean {
    return new URL(this.url).searchParams.get('transport') === 'upgrade';
  }

  /** The types of the frames written, in order. */
  get sentTypes(): string[] {
    return this.sent.map((frame) => decode(frame).type);
  }

  send(data: string): void {
    if (this.readyState !== 1) return; // discarded, nothing thrown: as browsers do once closing
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2; // CLOSING, and no close event until the test ends it
    this.closedWith = { code, reason };
  }

  // The server's side:

  /** The handshake succeeds: OPEN, `open` fires. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  /** A frame arrives. */
  deliver(frame: Envelope): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The connection ends: CLOSED, `close` fires (1006 is a cut, not clean, unless told). */
  end(code: number, reason = '', wasClean = code !== 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean });
  }
}

export interface ScriptedSockets {
  /** Pass as the client's `WebSocket` option. */
  readonly WebSocket: typeof WebSocket;
  /** Every socket constructed, in order. */
  readonly created: ScriptedSocket[];
  /** The newest socket. */
  last(): ScriptedSocket;
}

/** A `WebSocket` class of scripted sockets; `behave` runs on each new one (open it, fail it, later). */
export function scriptedSockets(behave: (socket: ScriptedSocket) => void = () => undefined): ScriptedSockets {
  const created: ScriptedSocket[] = [];
  class Scripted extends ScriptedSocket {
    constructor(url: string) {
      super(url);
      created.push(this);
      behave(this);
    }
  }
  return {
    WebSocket: Scripted as unknown as typeof WebSocket,
    created,
    last: () => {
      const socket = created.at(-1);
      if (!socket) throw new Error('scripted sockets: none constructed yet');
      return socket;
    },
  };
}
