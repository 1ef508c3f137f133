// The send queue: frames waiting for an open connection, in order, bounded, expiring.

import type { QueueOptions } from './options.js';
import { EnhancedWsError } from './errors.js';
import { utf8Length } from './utf8.js';

export interface QueuedFrame {
  readonly frame: string;
  readonly type: string;
  readonly bytes: number;
  readonly queuedAt: number;
  /** The request id, when the frame is a `request()` (its promise rejects if the frame is dropped). */
  readonly id?: string | undefined;
}

/** Receives every frame the queue gives up on, with the reason; never silent. */
export type DropReporter = (item: QueuedFrame, error: EnhancedWsError, expired: boolean) => void;

export class SendQueue {
  private _items: QueuedFrame[] = [];
  private _bytes = 0;

  constructor(
    private readonly _options: QueueOptions,
    private readonly _report: DropReporter,
  ) {}

  get size(): number {
    return this._items.length;
  }

  /** Adds a frame, applying the overflow policy. Throws QUEUE_OVERFLOW under `overflow: 'error'`. */
  push(frame: string, type: string, now: number, id?: string): void {
    const { maxMessages, maxBytes, overflow } = this._options;
    const bytes = maxBytes === Infinity ? 0 : utf8Length(frame);
    const item: QueuedFrame = { frame, type, bytes, queuedAt: now, id };
    const stale = this._takeStale(now);
    const full = (): boolean => this._items.length >= maxMessages || this._bytes + bytes > maxBytes;
    const overflowed = (what: string): EnhancedWsError =>
      new EnhancedWsError('QUEUE_OVERFLOW', `enhanced-ws: send queue full (queue.maxMessages ${maxMessages}, queue.maxBytes ${maxBytes}); ${what}`);
    if (full() && (overflow === 'error' || bytes > maxBytes)) {
      this._reportExpired(stale);
      throw overflowed(`"${type}" was not queued`);
    }
    const victims: QueuedFrame[] = [];
    while (overflow === 'drop-oldest' && full() && this._items.length > 0) victims.push(this._shift());
    // drop-newest, or a queue that cannot hold even one message (maxMessages 0)
    const refused = full();
    if (!refused) {
      this._items.push(item);
      this._bytes += bytes;
    }
    // Reported once the queue is whole again: a listener told of a drop may send meanwhile, and
    // what it sends must queue behind this message, in the order of the reports.
    this._reportExpired(stale);
    for (const victim of victims) this._report(victim, overflowed(`dropped the oldest "${victim.type}" message`), false);
    if (refused) this._report(item, overflowed(`dropped the new "${type}" message`), false);
  }

  /** Drops messages older than `maxAge`, reporting each. */
  expire(now: number): void {
    this._reportExpired(this._takeStale(now));
  }

  /** When the oldest frame expires (Infinity: never, or nothing queued). */
  deadline(): number {
    return this._items[0] ? this._items[0].queuedAt + this._options.maxAge : Infinity;
  }

  /** Removes and returns the oldest frame (the caller expires stale ones first), or undefined when empty. */
  next(): QueuedFrame | undefined {
    return this._items.length > 0 ? this._shift() : undefined;
  }

  /** Closing for good: under `queue.dropOnClose`, empties the queue and returns what it held (the caller reports each); otherwise keeps it. */
  dropOnClose(): QueuedFrame[] {
    if (!this._options.dropOnClose) return [];
    this._bytes = 0;
    return this._items.splice(0);
  }

  /** Appends outside the bounds: writes held for a moment while the connection is open (never dropped for room). */
  hold(frame: string, type: string, now: number, id?: string): void {
    this._items.push({ frame, type, bytes: 0, queuedAt: now, id });
  }

  /** Puts frames that never left a dropped connection back at the front, in order (no bound: they were accepted once). */
  requeue(items: QueuedFrame[]): void {
    // Sent before anything still queued, so at least as old: the queue stays in age order, which
    // expire() and deadline() rely on (a message behind them must not outlive maxAge).
    const oldest = this._items[0]?.queuedAt ?? Infinity;
    this._items.unshift(...items.map((item) => ({ ...item, queuedAt: Math.min(item.queuedAt, oldest) })));
    for (const item of items) this._bytes += item.bytes;
  }

  /** Takes a request's frame out of the queue (the request already failed; it must not be sent). */
  remove(id: string): void {
    const index = this._items.findIndex((item) => item.id === id);
    if (index < 0) return;
    const [item] = this._items.splice(index, 1);
    this._bytes -= (item as QueuedFrame).bytes;
  }

  /** Takes out, all at once, the messages older than `maxAge` (before any listener is told of one). */
  private _takeStale(now: number): QueuedFrame[] {
    const stale: QueuedFrame[] = [];
    while (this._items[0] && now - this._items[0].queuedAt > this._options.maxAge) stale.push(this._shift());
    return stale;
  }

  private _reportExpired(stale: QueuedFrame[]): void {
    const { maxAge } = this._options;
    for (const item of stale) {
      this._report(item, new EnhancedWsError('MESSAGE_EXPIRED', `enhanced-ws: queued "${item.type}" message expired after queue.maxAge ${maxAge} ms`), true);
    }
  }

  private _shift(): QueuedFrame {
    const item = this._items.shift() as QueuedFrame;
    this._bytes -= item.bytes;
    return item;
  }
}
