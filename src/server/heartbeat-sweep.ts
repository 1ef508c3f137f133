// Finds dead WebSocket peers: a protocol ping every interval; no pong since the last one, terminated.

import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../clock.js';

/**
 * A peer whose network vanished (laptop lid, mobile handover) never sends a close frame, and TCP
 * may not notice for minutes. Browsers answer protocol pings on their own, so one interval
 * without a pong means the peer is gone: `terminate()` it, which ends its connection with 1006.
 * Long-polling sessions need no pings: they expire when they stop polling.
 */
export class HeartbeatSweep {
  private readonly _alive = new Map<WebSocket, boolean>();
  private _timer: TimerHandle | undefined;

  constructor(
    private readonly _intervalMs: number,
    private readonly _clock: Clock,
  ) {
    this._schedule();
  }

  add(socket: WebSocket): void {
    this._alive.set(socket, true);
    socket.on('pong', () => {
      if (this._alive.has(socket)) this._alive.set(socket, true);
    });
    socket.once('close', () => {
      this._alive.delete(socket);
    });
  }

  stop(): void {
    this._clock.clearTimeout(this._timer);
    this._timer = undefined;
    this._alive.clear();
  }

  private _schedule(): void {
    this._timer = this._clock.setTimeout(this._tick, this._intervalMs);
  }

  private readonly _tick = (): void => {
    for (const [socket, alive] of this._alive) {
      if (!alive) {
        this._alive.delete(socket);
        socket.terminate();
        continue;
      }
      this._alive.set(socket, false);
      socket.ping();
    }
    this._schedule();
  };
}
