// The long-polling transport: the Transport interface over fetch — held GETs down, ordered POSTs up.

import { CloseCode } from '../close-codes.js';
import type { Clock, TimerHandle } from '../clock.js';
import { inPagehide, onPagehide } from '../environment.js';
import { show } from '../errors.js';
import type { Transport, TransportCloseEvent, TransportHandlers } from './transport.js';

export interface LongPollingOptions {
  fetch: typeof fetch;
  /** Sent as `Authorization: Bearer <credentials>` on the handshake only; the session id is the key after that. */
  credentials?: string | undefined;
  clock: Clock;
}

/**
 * After the handshake, for refusals without a `{ code }` body (a proxy in front of the server):
 * HTTP status to close code. Never 401/403 to the final 4401/4403: only the server's own body may
 * say the credentials were refused; a bare status is something in between (docs/protocol.md).
 */
const STATUS_CODES: Partial<Record<number, number>> = { 404: 4404, 413: 1009, 429: 4429 };
/** Added to the server's poll timeout (or used alone before the handshake) before a request counts as lost. */
const GRACE_MS = 20000;
/** An upload whose outcome is unknown is sent again this many times, after 250, 500, 1000, 2000 ms (docs/protocol.md). */
const RETRIES = 4;
const RETRY_MS = 250;

/** UTF-8 size, at most overestimated (3 bytes per non-ASCII UTF-16 unit): a batch never exceeds `maxPayload`. */
const byteSize = (text: string): number => text.length + 2 * (text.match(/[\u0080-\uffff]/g)?.length ?? 0);

/**
 * A refused request's close event. The protocol's `{ code, reason }` body (a close code, so not an
 * API's `{ "code": 403 }`) is the server's verdict, kept as sent. Without one the answer came from
 * something that does not speak long-polling: before the handshake (`handshook` false) nothing
 * says this endpoint ever will, so long-polling failed to open (1006: after failed WebSockets, an
 * outage, and WebSocket is tried next), as a WebSocket refused by a proxy is 1006; after it,
 * `STATUS_CODES`, else 1006.
 */
function refusalEvent(status: number, body: unknown, handshook: boolean): TransportCloseEvent {
  return closeEvent(`HTTP ${status}`, isVerdict(body) ? body : undefined, handshook ? STATUS_CODES[status] : undefined);
}

/** Whether a refusal's body is the protocol's `{ code, reason }`: the server's own answer. */
function isVerdict(body: unknown): boolean {
  const { code } = (body ?? {}) as { code?: unknown };
  return typeof code === 'number' && Number.isInteger(code) && code >= 1000 && code <= 4999;
}

/**
 * A close event from the server's `{ code, reason }` (if any); `fallback` when it carries no code.
 * Without either, the connection was lost: 1006, not clean.
 */
function closeEvent(defaultReason: string, value?: unknown, fallback?: number): TransportCloseEvent {
  const { code, reason } = (value ?? {}) as { code?: unknown; reason?: unknown };
  const known = typeof code === 'number' ? code : fallback;
  return { code: known ?? CloseCode.ABNORMAL, reason: typeof reason === 'string' ? reason : defaultReason, wasClean: known !== undefined };
}

/**
 * Behaves like a WebSocket down to the event loop (docs/protocol.md, "Long-polling"):
 * - each inbound frame is its own task (a 0 ms timer per frame, all scheduled at once so none
 *   is clamped as a nested timer): a microtask loop would run a whole batch before any render,
 *   I/O or timer, where a WebSocket yields between messages. A hidden tab aligns timers to 1 s,
 *   so batches may land up to 1 s late there, in order;
 * - frames sent in one synchronous run leave in one POST, flushed by a microtask (never a
 *   timer, which background tabs throttle to seconds); one POST in flight at a time keeps order;
 * - a POST whose outcome is unknown (no answer, a gateway's 502/503/504) is sent again with the
 *   same `seq`, which the server processes once; its frames stay at the front of the outbox until
 *   an answer says what became of them, so if the transport ends first `unsent()` hands them back;
 * - every ending is one `onClose`, delivered after the frames that arrived before it.
 */
export class LongPollingTransport implements Transport {
  readonly name = 'long-polling';
  private _handlers: TransportHandlers | undefined;
  private _done = false;
  /** One per request, so a long session does not pile listeners onto one signal (Node warns, and keeps them). */
  private readonly _requests = new Set<AbortController>();
  private _endpoint = '';
  private _sid = '';
  private _pollMs = 0;
  private _maxBytes = Infinity;
  private readonly _inbox: (string | TransportCloseEvent)[] = [];
  /** Frames handed to `send()` and not yet acknowledged: the upload in flight carries the first ones. */
  private _outbox: string[] = [];
  /** The sequence number of the session's last upload. */
  private _seq = 0;
  /** The timer of an upload waiting to be sent again. */
  private _retry: TimerHandle | undefined;
  /** The poll held now: `close()` ends it at once, while uploads finish. */
  private _poller: AbortController | undefined;
  private _posting = false;
  /** The server's close, held until the upload in flight is answered. */
  private _ending: TransportCloseEvent | undefined;
  private _drained: (() => void)[] = [];

  constructor(
    private readonly _url: string,
    private readonly _options: LongPollingOptions,
  ) {}

  open(handlers: TransportHandlers): void {
    this._handlers = handlers;
    const url = new URL(this._url);
    url.protocol = url.protocol.replace(/^ws/, 'http');
    url.searchParams.set('transport', 'polling');
    this._endpoint = url.href;
    const { credentials } = this._options;
    const headers: Record<string, string> = credentials === undefined ? {} : { Authorization: `Bearer ${credentials}` };
    this._request({ method: 'POST', headers }, (body) => {
      const { sid, pollTimeoutMs, maxPayload } = (body ?? {}) as { sid?: unknown; pollTimeoutMs?: unknown; maxPayload?: unknown };
      if (typeof sid !== 'string') throw new TypeError('not a long-polling handshake');
      url.searchParams.set('sid', (this._sid = sid));
      this._endpoint = url.href;
      if (typeof pollTimeoutMs === 'number') this._pollMs = pollTimeoutMs;
      if (typeof maxPayload === 'number') this._maxBytes = maxPayload;
      this._poll();
      if (this._posting) this._flush(); // frames sent before the handshake finished
      // Outside the fetch chain, so a throwing listener is reported as such, not as a failed handshake.
      queueMicrotask(() => {
        if (!this._done) handlers.onOpen();
      });
    });
  }

  /** The session id from the handshake ('' before it); a WebSocket upgrade presents it. */
  get sessionId(): string {
    return this._sid;
  }

  /** Whether the transport has ended (failed, closed, or the server ended the session): its close event may still be on its way. */
  get ended(): boolean {
    return this._done;
  }

  /** Resolves once every frame handed to `send()` has been answered by the server (or the transport ended). */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      if (this._posting && !this._done) this._drained.push(resolve);
      else resolve();
    });
  }

  send(frame: string): void {
    this._outbox.push(frame);
    // Ended (the close is on its way to the client): the frame waits for `unsent()`, not for a POST.
    if (this._posting || this._done) return;
    this._posting = true;
    queueMicrotask(this._flush);
  }

  /**
   * Frames handed to `send()` that the server did not acknowledge: none carried them, a POST
   * refused them, or one's outcome stayed unknown (then they may arrive twice: at least once,
   * docs/protocol.md, "Retries"). The client queues them again. None while `close()` still sends them.
   */
  unsent(): string[] {
    return this._handlers || this._done ? this._outbox.splice(0) : [];
  }

  /**
   * Stops all I/O and deletes the session. With `lost` (the app's `close()`), frames already handed
   * to `send()` go out first, as a WebSocket sends its buffer before its close frame: polling
   * stops, uploads finish (aborting one would leave unknown whether the server got it), the
   * session is deleted after them, and frames the server refused go to `lost`. Without it (a drop,
   * leaving the page: the `DELETE` must leave now), they stay for `unsent()`. Already ended: `lost`
   * hears at once, of nothing (what it held is for `unsent()`). The page left while uploads
   * finish: nothing of it runs afterwards, so the session is deleted then, and what the uploads
   * carried goes to `lost` (the server may have it: the outcome is unknown).
   */
  close(code: number, reason: string, lost?: (frames: string[]) => void): void {
    if (this._done || !this._handlers) {
      lost?.([]);
      return;
    }
    this._handlers = undefined;
    let ended = false;
    const end = (): void => {
      if (ended) return; // (at pagehide, then again once the drain settles)
      ended = true;
      unwatch();
      this._stop();
      lost?.(this._outbox.splice(0));
      // Best effort; `keepalive` lets it outlive a closing page. Called unbound: a native fetch
      // called as a method of another object throws "Illegal invocation".
      const { fetch } = this._options;
      if (this._sid) {
        fetch(this._endpoint, { method: 'DELETE', body: JSON.stringify({ code, reason }), keepalive: true }).catch(() => undefined);
      }
    };
    const unwatch = lost ? onPagehide(end) : () => undefined;
    // (closed by an app's own pagehide listener: that event will not reach one added now)
    if (lost && !inPagehide()) {
      this._poller?.abort();
      void this.drain().then(end);
    } else end();
  }

  private _poll(): void {
    if (!this._handlers) return; // closing
    this._poller = this._request({ method: 'GET' }, (batch) => {
      if (!Array.isArray(batch)) throw new TypeError('not a long-polling batch');
      const close = (batch as unknown[]).find((item) => typeof item !== 'string');
      for (const item of batch as unknown[]) if (typeof item === 'string') this._deliver(item);
      if (close === undefined) this._poll();
      else this._end(closeEvent('closed by the server', close, 1005));
    });
  }

  private readonly _flush = (): void => {
    if (this._ending) {
      this._finish(this._ending); // the upload the server's close waited for is answered
      return;
    }
    if (this._done || !this._sid) return;
    if (!this._outbox.length) {
      this._posting = false;
      this._settleDrains();
      return;
    }
    const parts: string[] = [];
    let size = 1;
    for (const frame of this._outbox) {
      const part = JSON.stringify(frame);
      size += byteSize(part) + 1;
      if (parts.length && size > this._maxBytes) break;
      parts.push(part);
    }
    this._upload(`[${parts.join(',')}]`, parts.length, `&seq=${String(++this._seq)}`, 0);
  };

  /**
   * One POST of the first `count` frames. Answered 2xx, they were processed. Refused, they were
   * not (docs/protocol.md) and stay for `unsent()`, except on 413: a frame over `maxPayload`
   * (alone in its batch) would be refused forever; it is lost, as on WebSocket, where the server
   * closes with 1009 too. No answer, or a gateway's: sent again, the same `seq` in the URL, a few
   * times, unless the session ended meanwhile (a retry can then only be refused).
   */
  private _upload(body: string, count: number, seq: string, tries: number): void {
    const sent = (): void => {
      this._outbox.splice(0, count);
      this._flush();
    };
    this._request({ method: 'POST', body }, sent, (status, answer) => {
      if (status === 413) this._outbox.splice(0, count);
      if (tries >= RETRIES || this._ending || (status && (status < 502 || status > 504 || isVerdict(answer)))) return false;
      this._retry = this._options.clock.setTimeout(() => {
        if (this._ending) this._flush(); // (which reports the server's close)
        else this._upload(body, count, seq, tries + 1);
      }, RETRY_MS << tries);
      return true;
    }, seq);
  }

  /**
   * One abortable fetch with a deadline; `then` runs on a 2xx answer, `failed` on another status
   * (0: no answer, the error as `answer`) and returns true when it takes the failure over.
   */
  private _request(init: RequestInit, then: (body: unknown) => void, failed?: (status: number, answer: unknown) => boolean, query = ''): AbortController {
    const { fetch, clock } = this._options;
    const abort = new AbortController();
    this._requests.add(abort);
    const timer = clock.setTimeout(() => {
      this._finish(closeEvent('long-polling request timed out'));
    }, this._pollMs + GRACE_MS);
    fetch(this._endpoint + query, { ...init, signal: abort.signal, cache: 'no-store' })
      .then(
        async (response) => {
          const body: unknown = await response.json().catch(() => undefined);
          if (this._done || (!response.ok && failed?.(response.status, body))) return;
          if (response.ok) then(body);
          else this._finish(refusalEvent(response.status, body, this._sid !== ''));
        },
        // No answer (only this: an error thrown by `then` must not send an answered upload again).
        (error: unknown) => {
          if (this._done || !failed?.(0, error)) throw error;
        },
      )
      .catch((error: unknown) => {
        if (this._done || abort.signal.aborted) return; // (aborted: by `close()`, on purpose)
        this._handlers?.onError(error);
        this._finish(closeEvent(show(error)));
      })
      .finally(() => {
        clock.clearTimeout(timer);
        this._requests.delete(abort);
      });
    return abort;
  }

  /** Queues `item` for its own task; `close()` detaches the handlers, so nothing runs after it. */
  private _deliver(item: string | TransportCloseEvent): void {
    this._inbox.push(item);
    this._options.clock.setTimeout(() => {
      const next = this._inbox.shift();
      const handlers = this._handlers;
      if (next === undefined || !handlers) return;
      if (typeof next === 'string') {
        handlers.onMessage(next);
      } else {
        this._handlers = undefined;
        handlers.onClose(next);
      }
    }, 0);
  }

  /**
   * The server closed the session. An upload still in flight may or may not have been processed:
   * its answer says (2xx: it was; refused: its frames go back for `unsent()`), so the close waits
   * for it rather than aborting it, and nothing new is posted meanwhile.
   */
  private _end(event: TransportCloseEvent): void {
    if (this._posting) this._ending = event;
    else this._finish(event);
  }

  /** Stops all I/O now; `onClose` (the server's, if it closed first) follows the frames already received. */
  private _finish(event: TransportCloseEvent): void {
    if (this._done) return;
    this._stop();
    this._deliver(this._ending ?? event);
  }

  private _stop(): void {
    this._done = true;
    this._options.clock.clearTimeout(this._retry);
    for (const abort of this._requests) abort.abort();
    this._settleDrains();
  }

  private _settleDrains(): void {
    for (const resolve of this._drained.splice(0)) resolve();
  }
}
