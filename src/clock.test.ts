// systemClock: the one place real timers come from.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock', () => {
  it('fires a timer after its delay', () => {
    const fired = vi.fn();
    systemClock.setTimeout(fired, 1000);
    vi.advanceTimersByTime(999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('never fires a delay past 2^31 - 1 ms, Infinity included, where a timer would fire at once', () => {
    const fired = vi.fn();
    const handles = [2 ** 31, Infinity].map((ms) => systemClock.setTimeout(fired, ms));
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    for (const handle of handles) systemClock.clearTimeout(handle);
  });
});
