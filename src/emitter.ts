// A tiny typed event emitter: `on` returns its unsubscribe, handlers run over a snapshot.

type Handler = (...args: never[]) => void;

/** `Map` from event name to its handler's signature. */
export type EventHandlers = Record<string, Handler>;

export class Emitter<E extends EventHandlers> {
  private readonly _handlers = new Map<keyof E, Set<E[keyof E]>>();

  /** @param _onHandlerError receives whatever a handler throws, so one bad handler never breaks the loop. */
  constructor(private readonly _onHandlerError: (error: unknown) => void) {}

  on<K extends keyof E>(name: K, handler: E[K]): () => void {
    let set = this._handlers.get(name);
    if (!set) this._handlers.set(name, (set = new Set()));
    set.add(handler);
    const subscribed = set;
    // This subscription only: not a `once` of the same handler, as `off(name, handler)` would.
    return () => {
      subscribed.delete(handler);
      if (!subscribed.size && this._handlers.get(name) === subscribed) this._handlers.delete(name);
    };
  }

  off<K extends keyof E>(name: K, handler?: E[K]): void {
    const set = this._handlers.get(name);
    if (!handler) this._handlers.delete(name);
    else if (set) {
      // `once` wrappers carry the handler they wrap as `listener`.
      for (const h of set) if (h === handler || (h as { listener?: unknown }).listener === handler) set.delete(h);
      if (!set.size) this._handlers.delete(name);
    }
  }

  emit<K extends keyof E>(name: K, ...args: Parameters<E[K]>): void {
    const set = this._handlers.get(name);
    if (!set) return;
    // A snapshot: handlers that (un)subscribe while we iterate affect the next emit only.
    for (const handler of [...set]) {
      try {
        (handler as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        this._onHandlerError(error);
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
