// The send path: writes at once while open, queues otherwise, holds writes while paused, expires
// stale messages on time, and takes back what a transport never sent. Nothing is dropped silently.

import type { Clock, TimerHandle } from './clock.js';
import { isEnvelope, type Codec } from './envelope.js';
import { ConnectionClosedError, EnhancedWsError } from './errors.js';
import type { QueueOptions } from './options.js';
import { SendQueue, type QueuedFrame } from './queue.js';
import type { PendingRequests } from './requests.js';
import type { ConnectionState } from './state.js';
import type { ClientStats } from './stats.js';
import type { Transport } from './transports/transport.js';

/** What the outbox reads from, and tells, the client that owns it. */
export interface OutboxHost {
  state(): ConnectionState;
  /** The transport of the connection (none while an attempt is under way or one is let go). */
  transport(): Transport | undefined;
  /** A heartbeat ping left. */
  pinged(): void;
  report(error: Error): void;
}

export class Outbox {
  /**
   * Writes wait in the queue (if there is one): while an upgrade moves the connection, and while
   * state listeners hear of an open (only the onOpen listeners may send ahead of the queue).
   */
  paused = false;
  /** A heartbeat ping fell due while writes were held. */
  private _pingDue = false;
  /** Expires queued messages as they pass `queue.maxAge`, not only when the queue is next touched. */
  private _expiryTimer: TimerHandle | undefined;
  private readonly _queue: SendQueue | undefined;

  constructor(
    options: QueueOptions | false,
    private readonly _clock: Clock,
    private readonly _codec: Codec,
    private readonly _requests: PendingRequests,
    private readonly _stats: ClientStats,
    private readonly _host: OutboxHost,
  ) {
    if (options) this._queue = new SendQueue(options, (item, error, expired) => { this.dropped(item, error, expired); });
  }

  /** Messages waiting in the queue. */
  get size(): number {
    return this._queue?.size ?? 0;
  }

  /** Whether there is a queue (somewhere to hold writes while a swap moves the connection). */
  get queues(): boolean {
    return Boolean(this._queue);
  }

  /**
   * Writes now when open (in the same task), otherwise queues; throws `NOT_OPEN` without a queue,
   * and what the queue throws (`QUEUE_OVERFLOW`).
   */
  send(frame: string, type: string, id?: string): void {
    const host = this._host;
    const queue = this._queue;
    // (no transport while open: a connection being let go, its listeners told of what it never sent)
    if (host.state() !== 'open' || !host.transport()) {
      if (!queue) throw new EnhancedWsError('NOT_OPEN', `enhanced-ws: cannot send "${type}" while ${host.state()} with queue: false`);
      queue.push(frame, type, this._clock.now(), id);
      this._expireLater();
    } else if (this.paused && queue) {
      // Held writes wait outside the queue's bounds: a pause is short and must not cost a message.
      queue.hold(frame, type, this._clock.now(), id);
    } else this._write(frame, id);
  }

  /** A heartbeat ping is due: it goes out now, or first once held writes are let go (never queued: it must neither take a message's place nor outlive the connection). */
  ping(): void {
    this._pingDue = true;
    this.flush();
  }

  /**
   * Writes a due ping, then the queue in order. No listener runs meanwhile: stale messages were
   * expired at the open, and writes held during a swap never expire (the connection never went
   * down). `to`: the connection's transport unless said otherwise (the probe of a swap cut short by close()).
   */
  flush(to?: Pick<Transport, 'send'>): void {
    if (this._host.state() !== 'open' || this.paused) return;
    if (this._pingDue) {
      this._pingDue = false;
      this._write(this._codec.encode({ type: 'ping', payload: { t: this._clock.now() } }), undefined, to);
      this._host.pinged();
    }
    let item: QueuedFrame | undefined;
    while ((item = this._queue?.next())) this._write(item.frame, item.id, to);
  }

  /** Expires stale messages now (at an open: a throttled background-tab timer may not have yet). */
  expire(): void {
    this._queue?.expire(this._clock.now());
  }

  /** The connection is let go: nothing held any more, no ping due; held writes are ordinary queued messages now. */
  reset(): void {
    this.paused = this._pingDue = false;
    this._expireLater();
  }

  /**
   * Frames the transport accepted but the server did not acknowledge (`Transport.unsent()`) go
   * back to the front of the queue; with no queue to hold them, or `lost` (the transport gave up
   * on them after `close()`), they are dropped and reported.
   */
  takeBack(frames: string[], lost?: string): void {
    const now = this._clock.now();
    const items: QueuedFrame[] = [];
    this._stats.sent -= frames.length; // counted when handed over, but they never left
    for (const frame of frames) {
      const message = this._codec.decode(frame); // our own frames: always envelopes
      if (!isEnvelope(message) || message.type === 'ping') continue;
      // A request that failed meanwhile (timed out behind a slow upload) is not sent after all.
      if (message.id && !this._requests.markSent(message.id, false)) continue;
      // bytes 0: not counted against queue.maxBytes again, they were accepted once
      items.push({ frame, type: message.type, bytes: 0, queuedAt: now, id: message.id });
    }
    if (this._queue && !lost) {
      this._queue.requeue(items);
      this._expireLater();
    } else for (const item of items) this.dropped(item, new ConnectionClosedError(`enhanced-ws: "${item.type}" was not sent: ${lost ?? 'the connection dropped (queue: false)'}`));
  }

  /** Closing for good: under `queue.dropOnClose`, empties the queue and returns what it held (the caller reports each with `dropped()`); otherwise keeps it, still expiring. */
  dropOnClose(): QueuedFrame[] {
    const dropped = this._queue?.dropOnClose() ?? [];
    this._expireLater();
    return dropped;
  }

  /** Takes a request's frame out of the queue (the request already failed; it must not be sent). */
  remove(id: string): void {
    this._queue?.remove(id);
    this._expireLater(); // (it may have been the oldest: its expiry timer must not outlive it)
  }

  /** A message given up on: counted, its request rejected, reported. */
  dropped(item: QueuedFrame, error: EnhancedWsError, expired = false): void {
    if (expired) this._stats.expired++;
    else this._stats.dropped++;
    if (item.id) this._requests.reject(item.id, error);
    this._host.report(error);
  }

  private _write(frame: string, id?: string, to: Pick<Transport, 'send'> | undefined = this._host.transport()): void {
    (to as Transport).send(frame);
    this._stats.sent++;
    if (id) this._requests.markSent(id);
  }

  /** (Re)arms the expiry timer for the oldest queued message; none when nothing can expire. */
  private _expireLater(): void {
    const queue = this._queue;
    if (!queue) return;
    const clock = this._clock;
    clock.clearTimeout(this._expiryTimer);
    this._expiryTimer = undefined;
    const delay = queue.deadline() - clock.now();
    if (delay === Infinity) return;
    this._expiryTimer = clock.setTimeout(() => {
      this._expiryTimer = undefined;
      // Paused: the queue holds writes held during a swap, which never expire; the swap's end flushes
      // them, or its failure drops the connection, which arms this again.
      if (this.paused) return;
      queue.expire(clock.now());
      this._expireLater();
    }, Math.max(delay, 0) + 1); // (+1: a message expires once *older* than maxAge)
  }
}
