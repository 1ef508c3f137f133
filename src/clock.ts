// The one place time comes from, so tests drive every timer with fake timers.

export type TimerHandle = ReturnType<typeof setTimeout>;

/** Timers and "now". Every timer the client starts goes through one of these. */
export interface Clock {
  /**
   * `ms` may be `Infinity` (e.g. `requestTimeout: Infinity`) or past 2^31-1, where the global
   * `setTimeout` would fire at once: such a timer must never fire. May return undefined for it.
   */
  setTimeout(callback: () => void, ms: number): TimerHandle | undefined;
  clearTimeout(handle: TimerHandle | undefined): void;
  now(): number;
}

/** Timers fire at once (1 ms) past this delay; a longer one, `Infinity` included, means never. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Reads the globals at call time (not import time), so `vi.useFakeTimers()` installed after
 * the import still takes effect.
 */
export const systemClock: Clock = {
  setTimeout: (callback, ms) => (ms > MAX_DELAY ? undefined : setTimeout(callback, ms)),
  clearTimeout: (handle) => {
    clearTimeout(handle);
  },
  now: () => Date.now(),
};
