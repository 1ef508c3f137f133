// Runs server code's callbacks (listeners, hooks) so that neither a throw nor a rejection escapes.

/**
 * Calls `callback(...args)`. What it throws, and what a promise (any thenable) it returns rejects
 * with, goes to `report`: an async listener's rejection is reported like a sync throw instead of
 * becoming an unhandled rejection, which ends a Node process by default.
 */
export function callSafely<A extends unknown[]>(report: (error: unknown) => void, callback: (...args: A) => unknown, ...args: A): void {
  try {
    const result = callback(...args);
    if (isThenable(result)) void result.then(undefined, report);
  } catch (error) {
    report(error);
  }
}

/** A Promise, or anything awaitable like one. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
