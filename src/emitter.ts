// A tiny typed event emitter: `on` returns its unsubscribe, handlers run over a snapshot.

type Handler = (...args: never[]) => void;

/** `Map` from event name to its handler's signature. */
export type EventHandlers = Record<string, Handler>;

export class Emitter<E extends EventHandlers> {
  /** One entry per subscription (not a set of handlers): the same handler subscribed twice is two subscriptions, each with its own unsubscribe. */
  private readonly _handlers = new Map<keyof E, Set<{ fn: E[keyof E] }>>();

  /** @param _onHandlerError receives whatever a handler throws (and the event it was handling), so one bad handler never breaks the loop. */
  constructor(private readonly _onHandlerError: (error: unknown, name: keyof E) => void) {}

  on<K extends keyof E>(name: K, handler: E[K]): () => void {
    const set = this._handlers.get(name) ?? new Set();
    const entry = { fn: handler };
    this._handlers.set(name, set.add(entry));
    // This subscription only: not another of the same handler, as `off(name, handler)` would.
    return () => {
      set.delete(entry);
      if (!set.size && this._handlers.get(name) === set) this._handlers.delete(name);
    };
  }

  off<K extends keyof E>(name: K, handler?: E[K]): void {
    const set = this._handlers.get(name);
    // `once` wrappers carry the handler they wrap as `listener`.
    if (handler && set) for (const entry of set) if (entry.fn === handler || (entry.fn as { listener?: unknown }).listener === handler) set.delete(entry);
    if (!handler || !set?.size) this._handlers.delete(name); // all of them went, or the last one
  }

  emit<K extends keyof E>(name: K, ...args: Parameters<E[K]>): void {
    const set = this._handlers.get(name);
    if (!set) return;
    // A snapshot: handlers that (un)subscribe while we iterate affect the next emit only.
    for (const { fn } of [...set]) {
      try {
        (fn as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        this._onHandlerError(error, name);
      }
    }
  }

  /** Number of handlers registered, for leak tests. */
  count(): number {
    let total = 0;
    for (const set of this._handlers.values()) total += set.size;
    return total;
  }
}
