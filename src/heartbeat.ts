// App-level heartbeat: pings on an interval, judges liveness by the clock.

import type { Clock, TimerHandle } from './clock.js';
import type { HeartbeatOptions } from './options.js';

export interface HeartbeatHooks {
  /** Sends a ping, calling `sent()` when it leaves: now, or later if writes are held (a transport swap). */
  sendPing(): void;
  /** Nothing arrived within `timeout` after a ping. */
  onDead(): void;
  /** Bytes written but still waiting in the connection's send buffer (WebSocket `bufferedAmount`); absent: none known. */
  buffered?(): number;
}

/**
 * One heartbeat per open connection. Browsers throttle timers in background tabs (Chrome: to
 * once a minute), so a timer firing late proves nothing: the connection is dead only when the
 * clock says a ping has gone unanswered by *any* frame for `timeout` ms. Frames keep arriving
 * in background tabs, so a late timer then finds recent life and carries on.
 */
export class Heartbeat {
  private _lastPingAt: number;
  /** A ping is out and no frame has come since. A flag, not timestamps: a frame in the same millisecond as the ping must not answer it. */
  private _awaiting = false;
  private _timer: TimerHandle | undefined;
  /**
   * Unanswered pings, oldest first, each `[due, sent]`: the `t` in its payload was read from the
   * clock between the two, so a pong's `t` outside all of them is not ours (a server's own clock).
   */
  private _out: [number, number][] = [];
  /** The send buffer when last looked at: as the ping left, then at each expiry. */
  private _backlog = 0;

  constructor(
    private readonly _options: HeartbeatOptions,
    private readonly _clock: Clock,
    private readonly _hooks: HeartbeatHooks,
  ) {
    this._lastPingAt = _clock.now();
    this._schedule(_options.interval);
  }

  /** The ping left now: its answer is due from now (a held ping left late; until then none was due). */
  sent(): void {
    const now = this._clock.now();
    // A few: a server that never echoes `t` must not make this grow.
    this._out = [...this._out.slice(-3), [this._lastPingAt, now]];
    this._lastPingAt = now;
    this._backlog = this._hooks.buffered?.() ?? 0; // what the ping waits behind, itself included
    this._awaiting = true;
    this._tick();
  }

  /** Any inbound frame is proof of life. */
  frame(): void {
    this._awaiting = false;
  }

  /**
   * Round-trip time, given the moment a pong arrived and the `t` it carries: measured from that
   * ping when `t` is one of ours still unanswered (a late pong after a newer ping is not measured
   * against the newer one), else from the last ping (a pong without `t`, or stamped with the
   * server's own clock, whose skew is no round trip). Never negative, whatever the clocks do.
   */
  rtt(now: number, t: unknown): number {
    const i = this._out.findIndex(([due, sent]) => typeof t === 'number' && t >= due && t <= sent);
    // Answered: that ping and older ones; a pong naming none answers the oldest (pongs come in order).
    this._out.splice(0, i < 0 ? 1 : i + 1);
    return Math.max(0, now - (i < 0 ? this._lastPingAt : (t as number)));
  }

  /** Check now and, unless a ping is already out, ping at once (tab visible again, back online, or gone offline: a socket the network dropped is found out in `timeout`, not at the next interval). */
  probe(): void {
    if (this._awaiting) this._tick();
    else this._ping();
  }

  stop(): void {
    this._clock.clearTimeout(this._timer);
  }

  private _tick = (): void => {
    // A ping unanswered by any frame so far has `timeout` from it; otherwise the next ping is due `interval` after it.
    const left = this._lastPingAt + (this._awaiting ? this._options.timeout : this._options.interval) - this._clock.now();
    // While a ping is out, look again every interval too: a late answer puts the next ping back on time.
    if (left > 0) this._schedule(Math.min(left, this._options.interval));
    else if (this._awaiting && this._behind()) {
      // The ping may still wait behind an upload: no server could have answered it yet.
      this._lastPingAt = this._clock.now();
      this._tick();
    } else if (this._awaiting) {
      this.stop();
      this._hooks.onDead();
    } else this._ping();
  };

  /**
   * The ping may still wait behind bytes handed over before it: the send buffer holds no more than
   * at the last look (an upload on its way; not "went down": `ws`, and a browser may, count a
   * message as buffered until all of it has left), or emptied only since then (the ping left with
   * it). A buffer that grew means the app keeps writing into a link that takes nothing: dead.
   */
  private _behind(): boolean {
    const before = this._backlog;
    const now = (this._backlog = this._hooks.buffered?.() ?? 0);
    return now > 0 ? now <= before : before > 0;
  }

  private _ping(): void {
    this._lastPingAt = this._clock.now(); // (held: the next ping is due an interval from now)
    this._hooks.sendPing();
    if (!this._awaiting) this._tick(); // held: look again in an interval (sent() schedules otherwise)
  }

  private _schedule(ms: number): void {
    this._clock.clearTimeout(this._timer);
    this._timer = this._clock.setTimeout(this._tick, ms);
  }
}
