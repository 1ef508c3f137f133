// Moves an open long-polling connection to WebSocket: probe, pause, swap — nothing lost or reordered.

import type { Clock, TimerHandle } from './clock.js';
import type { LongPollingTransport } from './transports/long-polling.js';
import type { Transport, TransportCloseEvent } from './transports/transport.js';
import { CloseCode } from './close-codes.js';
import { Upgrade } from './upgrade-protocol.js';

/** How long the server may take to end long-polling after the `upgrade` frame (a server without upgrade support never does). */
const COMMIT_TIMEOUT_MS = 10000;

export interface UpgradeHost {
  /** The probe socket opened: writes must wait (queue) until the swap or a failure. */
  pause(): void;
  /** The probe failed or was refused: write to long-polling again. */
  resume(): void;
  /** The server moved the connection: `socket` is the transport now; `early` arrived on it meanwhile. */
  adopt(socket: Transport, early: unknown[]): void;
  /** The adopted socket delivered a frame, failed or closed (after the swap, it is the connection). */
  message(data: unknown): void;
  error(event: unknown): void;
  close(event: TransportCloseEvent): void;
  /** The `{type:'upgrade'}` frame, encoded. */
  upgradeFrame(sessionId: string): string;
}

/**
 * One upgrade attempt (docs/protocol.md, "Upgrade"):
 * 1. open a WebSocket beside the long-polling connection;
 * 2. once it is open, pause writes and wait until long-polling's POSTs are answered, so every
 *    frame sent so far has reached the server;
 * 3. send `{type:'upgrade', payload:{sid}}`: the server moves the connection to this socket and
 *    ends long-polling with the frames it still held, then `{code:1000, reason:'upgraded'}`;
 * 4. when long-polling has delivered those and closed, adopt the socket and replay what it
 *    received meanwhile. Order holds in both directions.
 */
export class WebSocketUpgrade {
  private readonly _early: unknown[] = [];
  /** App frames `close()` wrote on the probe during the swap. */
  private readonly _written: string[] = [];
  private _committed = false;
  /** The `upgrade` frame, once sent. */
  private _frame: string | undefined;
  private _adopted = false;
  private _done = false;
  private _timer: TimerHandle | undefined;
  /** The socket closed after the `upgrade` frame, but not with a refusal: the server may have switched already. */
  private _closedAfterSwitch: TransportCloseEvent | undefined;

  constructor(
    private readonly _polling: LongPollingTransport,
    private readonly _socket: Transport,
    private readonly _clock: Clock,
    /** A probe not open this long is given up (and the next one scheduled): it must not hang forever. */
    openTimeout: number,
    private readonly _host: UpgradeHost,
  ) {
    _socket.open({
      onOpen: () => {
        this._commit();
      },
      onMessage: (data) => {
        if (this._adopted) _host.message(data);
        else this._early.push(data);
      },
      onClose: (event) => {
        if (this._adopted) _host.close(event);
        // Closed by the server on purpose after the `upgrade` frame (a ban, a restart; not the 4404
        // refusal), or cut after frames came on it (proof the server switched): long-polling's last
        // batch, ending "upgraded", will say, and what came on the socket is delivered after it.
        // A socket cut with nothing on it goes back to long-polling at once, as a failed probe.
        else if (this._committed && (event.wasClean || this._early.length) && event.code !== CloseCode.SESSION_NOT_FOUND) this._closedAfterSwitch = event;
        else this._fail();
      },
      onError: (event) => {
        // A failed probe is expected behind proxies (its close says enough); the connection's are not.
        if (this._adopted) _host.error(event);
      },
    });
    this._timer = _clock.setTimeout(() => {
      this._fail();
    }, openTimeout);
  }

  /**
   * Long-polling closed. Returns true when that was the end this upgrade waited for: the socket
   * is then the connection. Otherwise the upgrade is abandoned and the caller handles the close.
   */
  pollingClosed(event: TransportCloseEvent): boolean {
    if (this._committed && !this._done && event.code === Upgrade.CODE && event.reason === Upgrade.REASON) {
      this._done = this._adopted = true;
      this._clock.clearTimeout(this._timer);
      this._host.adopt(this._socket, this._early.splice(0));
      if (this._closedAfterSwitch) this._host.close(this._closedAfterSwitch);
      return true;
    }
    this.cancel();
    return false;
  }

  /**
   * Where `close()` during the swap writes the held frames: the probe, once the `upgrade` frame
   * went out on it (the server reads it from then on; its switch moves them on), else undefined.
   */
  get writer(): Pick<Transport, 'send'> | undefined {
    return this._committed && !this._done ? this : undefined;
  }

  /** Writes an app frame on the probe, recorded: a server that refuses the upgrade never reads it. */
  send(frame: string): void {
    this._written.push(frame);
    this._socket.send(frame);
  }

  /**
   * What the app's writes on the probe never sent (`Transport.unsent()`): not the `upgrade` frame,
   * which is protocol, never a message to send again. They are the last written (the socket
   * was closing): no longer counted as written.
   */
  unsent(): string[] {
    const frames = this._appFrames(this._socket.unsent?.() ?? []);
    this._written.length -= frames.length;
    return frames;
  }

  /**
   * Abandons the attempt and closes the probe socket (unless it was adopted). The client closing
   * passes its own code and reason: the server may have moved the connection to this socket already.
   * `lost` (close() wrote on the probe): hears of what the server never read, every frame written
   * when it refused the upgrade (4404, its session gone; unless that was the code the app closed
   * with, which the server echoes).
   */
  cancel(code = 1000, reason = 'upgrade cancelled', lost?: (frames: string[]) => void): void {
    if (this._done) return;
    this._done = true;
    this._clock.clearTimeout(this._timer);
    this._socket.close(code, reason, lost && ((frames, event) => {
      lost(event?.code === CloseCode.SESSION_NOT_FOUND && code !== event.code ? this._written : this._appFrames(frames));
    }));
  }

  private _commit(): void {
    if (this._done) return;
    this._clock.clearTimeout(this._timer);
    this._host.pause();
    void this._polling.drain().then(() => {
      if (this._done) return;
      // Long-polling failed meanwhile (drain() settles then too): the server may not have processed
      // what it carried, so the connection must not move; its close event brings the reconnect.
      if (this._polling.ended) {
        this._fail();
        return;
      }
      this._frame = this._host.upgradeFrame(this._polling.sessionId);
      this._socket.send(this._frame);
      this._committed = true;
      this._timer = this._clock.setTimeout(() => {
        this._fail();
      }, COMMIT_TIMEOUT_MS);
    });
  }

  private _appFrames(frames: string[]): string[] {
    return frames.filter((frame) => frame !== this._frame);
  }

  private _fail(): void {
    if (this._done) return;
    this.cancel();
    this._host.resume();
  }
}
