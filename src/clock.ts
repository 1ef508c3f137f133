// The one place time comes from, so tests drive every timer with fake timers.

export type TimerHandle = ReturnType<typeof setTimeout>;

/** Timers and "now". Every timer the client starts goes through one of these. */
export interface Clock {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  now(): number;
}

/**
 * Reads the globals at call time (not import time), so `vi.useFakeTimers()` installed after
 * the import still takes effect.
 */
export const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle);
  },
  now: () => Date.now(),
};
