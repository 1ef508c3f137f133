// Which transport the next attempt uses, and why the client fell back (if it did).

import type { TransportName } from './transports/transport.js';

/**
 * WebSocket attempts that must fail to open, in a row, before long-polling is tried. One
 * handshake that hung past `connectTimeout` is enough: a server that is down refuses at once,
 * while a hang is the signature of a proxy swallowing the upgrade, and waiting for a second one
 * would double the wait before the first connection.
 */
const WEBSOCKET_FAILURES_BEFORE_FALLBACK = 2;

/**
 * The policy, in one place:
 * - WebSocket first, when it exists and is in `preferences`.
 * - After repeated WebSocket failures, try long-polling. If it opens, WebSocket is being blocked
 *   (e.g. a proxy refusing the upgrade): stay on long-polling (also across its reconnects) until
 *   an upgrade probe succeeds. If long-polling fails too, the server is simply down: an outage,
 *   not a reason to fall back, so the next attempt is WebSocket again.
 */
export class TransportSelection {
  private _websocketFailures = 0;
  /** The last WebSocket failure was a hung handshake (for `fallbackReason`). */
  private _hung = false;
  /**
   * Long-polling opened: it stays the choice across its reconnects. Not the failure count: a
   * fallback because WebSocket was missing leaves that at 0, and WebSocket may appear later.
   */
  private _sticky: TransportName | undefined;
  /** Why the client is on long-polling; null while on WebSocket. */
  fallbackReason: string | null = null;

  constructor(
    private readonly _preferences: readonly TransportName[],
    private readonly _hasWebSocket: () => boolean,
  ) {}

  /** The transport for the next attempt. */
  next(): TransportName {
    if (!this._preferences.includes('long-polling')) return 'websocket';
    if (!this.canUpgrade()) {
      this.fallbackReason = this._preferences[0] === 'long-polling' ? 'the transports option puts long-polling first' : 'WebSocket is not available';
      return 'long-polling';
    }
    return this._sticky ?? (this._websocketFailures >= WEBSOCKET_FAILURES_BEFORE_FALLBACK ? 'long-polling' : 'websocket');
  }

  /** An attempt with `name` opened. */
  opened(name: TransportName): void {
    if (name === 'websocket') {
      this._websocketFailures = 0;
      this._sticky = undefined;
      this.fallbackReason = null;
    } else {
      this._sticky = 'long-polling';
      this.fallbackReason ??= this._hung
        ? 'a WebSocket handshake hung past connectTimeout while HTTP worked'
        : `WebSocket failed to open ${this._websocketFailures} times while HTTP worked`;
    }
  }

  /** An attempt with `name` ended before it opened; `hung`: it was given up after `connectTimeout`. */
  failed(name: TransportName, hung = false): void {
    if (name === 'websocket') {
      this._hung = hung;
      this._websocketFailures = hung ? WEBSOCKET_FAILURES_BEFORE_FALLBACK : this._websocketFailures + 1;
    } else {
      // Both failed: an outage. Start over with WebSocket.
      this._websocketFailures = 0;
      this._sticky = undefined;
    }
  }

  /** Whether WebSocket comes first and exists: so an open long-polling connection should probe for an upgrade. */
  canUpgrade(): boolean {
    return this._preferences[0] === 'websocket' && this._hasWebSocket();
  }
}
