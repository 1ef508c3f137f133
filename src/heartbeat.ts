// App-level heartbeat: pings on an interval, judges liveness by the clock.

import type { Clock, TimerHandle } from './clock.js';
import type { HeartbeatOptions } from './options.js';

export interface HeartbeatHooks {
  /** Sends a ping, calling `sent()` when it leaves: now, or later if writes are held (a transport swap). */
  sendPing(): void;
  /** Nothing arrived within `timeout` after a ping. */
  onDead(): void;
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
    this._lastPingAt = this._clock.now();
    this._awaiting = true;
    this._tick();
  }

  /** Any inbound frame is proof of life. */
  frame(): void {
    this._awaiting = false;
  }

  /**
   * Round-trip time, given the moment a pong arrived and the `t` it echoes: measured from that ping
   * (a late pong after a newer ping is not measured against the newer one), or from the last ping
   * when the server's pong does not echo it.
   */
  rtt(now: number, sentAt: unknown): number {
    return now - (typeof sentAt === 'number' ? sentAt : this._lastPingAt);
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
    else if (this._awaiting) {
      this.stop();
      this._hooks.onDead();
    } else this._ping();
  };

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
