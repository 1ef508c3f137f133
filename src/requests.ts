// Pending request/response pairs: ids, timeouts, settling from `reply` frames.

import type { Clock, TimerHandle } from './clock.js';
import type { Envelope } from './envelope.js';
import { ConnectionClosedError, ServerError, TimeoutError } from './errors.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: TimerHandle | undefined;
  /** Whether the request frame has left over a connection (its reply is tied to that connection). */
  sent: boolean;
}

export class PendingRequests {
  private readonly _pending = new Map<string, Pending>();
  private _nextId = 0;

  /**
   * @param _onAbandoned told when a request that never left is rejected (timeout, close()): its
   * frame must not be sent later, or the server would act on a request the caller saw fail.
   */
  constructor(
    private readonly _clock: Clock,
    private readonly _onAbandoned: (id: string) => void = () => undefined,
  ) {}

  get size(): number {
    return this._pending.size;
  }

  /** Registers a request; returns its id and the promise the caller awaits. */
  create(type: string, timeout: number): { id: string; promise: Promise<unknown> } {
    const id = String(++this._nextId);
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = this._clock.setTimeout(() => {
        this.reject(id, new TimeoutError(`enhanced-ws: request "${type}" got no reply within ${timeout} ms`, timeout));
      }, timeout);
      this._pending.set(id, { resolve, reject, timer, sent: false });
    });
    return { id, promise };
  }

  /** The request's frame left over a connection (or, `false`, went back into the send queue); false when the request is no longer pending (it failed meanwhile). */
  markSent(id: string, sent = true): boolean {
    const pending = this._pending.get(id);
    if (pending) pending.sent = sent;
    return Boolean(pending);
  }

  reject(id: string, error: Error): void {
    const pending = this._settle(id);
    if (!pending) return;
    if (!pending.sent) this._onAbandoned(id);
    pending.reject(error);
  }

  /** Settles the request a `reply` frame answers. Returns false when no request matches. */
  settle(reply: Envelope): boolean {
    const pending = reply.id === undefined ? undefined : this._settle(reply.id);
    if (!pending) return false;
    const { error } = reply;
    if (error) {
      // Servers in other languages send other shapes (`"error": "not found"`): the reason must not be lost.
      const { message, code } = error as Partial<Record<string, unknown>>;
      pending.reject(new ServerError(typeof message === 'string' && message ? message : `server error: ${JSON.stringify(error)}`, typeof code === 'string' || typeof code === 'number' ? String(code) : undefined));
    } else pending.resolve(reply.payload);
    return true;
  }

  /** The connection dropped: requests already sent over it can no longer be answered. */
  rejectSent(reason: string): void {
    for (const [id, pending] of this._pending) {
      if (pending.sent) this.reject(id, new ConnectionClosedError(`enhanced-ws: connection lost before the reply (${reason})`));
    }
  }

  rejectAll(reason: string): void {
    for (const id of [...this._pending.keys()]) this.reject(id, new ConnectionClosedError(`enhanced-ws: ${reason}`));
  }

  private _settle(id: string): Pending | undefined {
    const pending = this._pending.get(id);
    if (!pending) return undefined;
    this._pending.delete(id);
    this._clock.clearTimeout(pending.timer);
    return pending;
  }
}
