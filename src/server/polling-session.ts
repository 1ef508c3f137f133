// One long-polling session: the downstream outbox, the held poll, expiry, the last upload processed. The Link of its connection.

import type { ServerResponse } from 'node:http';
import { CloseCode } from '../close-codes.js';
import type { Clock, TimerHandle } from '../clock.js';
import { Upgrade } from './codes.js';
import type { Link } from './connection.js';
import { sendJson } from './http-io.js';

export interface SessionOptions {
  readonly clock: Clock;
  readonly pollTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** The session is over and delivered (or expired): forget its sid. */
  readonly onGone: () => void;
}

/** How a session ended, as the last item of the final batch: `{ code, reason }`. */
export interface CloseItem {
  readonly code: number;
  readonly reason: string;
}

/**
 * Frames wait in the outbox until a poll is held; sends in the same tick leave in one batch.
 * The expiry timer runs whenever no poll is held: a client that stops polling is gone.
 */
export class PollingSession implements Link {
  readonly transport = 'long-polling';
  /** Set once the connection exists; called once when the session ends, with its close code. */
  onEnd: (code: number, reason: string) => void = () => undefined;
  /** The `seq` of the last upload processed (0: none yet); the endpoint processes each `seq` once. */
  seq = 0;
  private _outbox: string[] = [];
  private _held: ServerResponse | undefined;
  private _holdTimer: TimerHandle | undefined;
  private _expiryTimer: TimerHandle | undefined;
  private _closed: CloseItem | undefined;
  private _flushQueued = false;

  constructor(
    readonly sid: string,
    private readonly _options: SessionOptions,
  ) {
    this._startExpiry();
  }

  /** How the session ended, while its final batch waits for a poll. */
  get closed(): CloseItem | undefined {
    return this._closed;
  }

  send(frame: string): void {
    if (this._closed) return;
    this._outbox.push(frame);
    if (this._flushQueued) return;
    this._flushQueued = true;
    queueMicrotask(() => {
      this._flushQueued = false;
      this._flush();
    });
  }

  /** The server closes: the frames still queued, then `{ code, reason }`, go out with the next poll. */
  close(code: number, reason: string): void {
    if (this._closed) return;
    this._closed = { code, reason };
    this._flush();
    this.onEnd(code, reason);
  }

  /**
   * The connection moved to a WebSocket: like `close(1000, "upgraded")` (the frames still queued
   * go out first), but the connection lives on, so neither this nor expiry ends it. Until the
   * last batch is fetched an expiry timer still runs, only to forget the sid and that batch.
   */
  handOver(): void {
    this.onEnd = () => undefined;
    if (!this._held) this._startExpiry(); // a full session timeout to fetch the last batch
    this.close(Upgrade.CODE, Upgrade.REASON);
  }

  /** The client closed (DELETE): nothing more is delivered. */
  end(code: number, reason: string): void {
    if (this._closed) return;
    this._closed = { code, reason };
    this._outbox = [];
    if (this._held) this._respond([]);
    this._gone();
    this.onEnd(code, reason);
  }

  /** A `GET`: held until there is something to send or `pollTimeoutMs` passes. A newer poll releases an older one. */
  poll(res: ServerResponse): void {
    if (this._held) this._respond([]);
    this._options.clock.clearTimeout(this._expiryTimer);
    this._held = res;
    res.on('close', () => {
      if (this._held !== res) return;
      this._held = undefined; // the client gave up on this poll
      this._options.clock.clearTimeout(this._holdTimer);
      this._startExpiry();
    });
    if (this._outbox.length || this._closed) this._flush();
    else this._holdTimer = this._options.clock.setTimeout(() => { this._respond([]); }, this._options.pollTimeoutMs);
  }

  /** Stops every timer (server shutdown). */
  dispose(): void {
    this._options.clock.clearTimeout(this._holdTimer);
    this._options.clock.clearTimeout(this._expiryTimer);
  }

  private _flush(): void {
    if (!this._held) return;
    const batch: (string | CloseItem)[] = this._outbox;
    this._outbox = [];
    if (this._closed) batch.push(this._closed);
    this._respond(batch);
    if (this._closed) this._gone();
  }

  private _respond(batch: (string | CloseItem)[]): void {
    const res = this._held;
    if (!res) return;
    this._held = undefined;
    this._options.clock.clearTimeout(this._holdTimer);
    sendJson(res, 200, batch);
    this._startExpiry();
  }

  private _startExpiry(): void {
    this._options.clock.clearTimeout(this._expiryTimer);
    this._expiryTimer = this._options.clock.setTimeout(() => {
      this._gone();
      if (this._closed) return;
      this._closed = { code: CloseCode.ABNORMAL, reason: 'session expired' };
      this.onEnd(CloseCode.ABNORMAL, 'session expired');
    }, this._options.sessionTimeoutMs);
  }

  private _gone(): void {
    this.dispose();
    this._options.onGone();
  }
}
