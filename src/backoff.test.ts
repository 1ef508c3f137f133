// backoffDelay: the exponential schedule, jitter bounds and the maxDelay cap, with injected randomness.
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

const policy: BackoffPolicy = { initialDelay: 1000, multiplier: 2, maxDelay: 30000, jitter: 0.5 };
const always = (value: number) => () => value;

describe('backoffDelay', () => {
  it('doubles from initialDelay when random returns 0 (no jitter taken off)', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, policy, always(0)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
  });

  it('takes off the whole jitter share when random returns 1', () => {
    const delays = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, always(1)));
    expect(delays).toEqual([500, 1000, 2000, 4000]);
  });

  it('lands halfway through the jitter range when random returns 0.5', () => {
    expect(backoffDelay(1, policy, always(0.5))).toBe(750);
    expect(backoffDelay(3, policy, always(0.5))).toBe(3000);
  });

  it('never exceeds maxDelay, however many attempts', () => {
    for (const attempt of [6, 10, 50, 1000, 5000]) {
      expect(backoffDelay(attempt, policy, always(0))).toBe(30000);
      expect(backoffDelay(attempt, policy, always(1))).toBe(15000);
    }
  });

  it('stays within [base * (1 - jitter), base] for any random value', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const base = Math.min(30000, 1000 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.999, 1]) {
        const delay = backoffDelay(attempt, policy, always(r));
        expect(delay).toBeGreaterThanOrEqual(base * 0.5);
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
  });

  it('is exact when jitter is 0, and may reach 0 when jitter is 1', () => {
    expect(backoffDelay(2, { ...policy, jitter: 0 }, always(1))).toBe(2000);
    expect(backoffDelay(2, { ...policy, jitter: 1 }, always(1))).toBe(0);
    expect(backoffDelay(2, { ...policy, jitter: 1 }, always(0))).toBe(2000);
  });

  it('uses the multiplier and initialDelay given', () => {
    const slow = { initialDelay: 100, multiplier: 3, maxDelay: 10_000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, slow, always(0)))).toEqual([100, 300, 900, 2700, 8100, 10000]);
  });

  it('reads random once per call', () => {
    let calls = 0;
    backoffDelay(3, policy, () => {
      calls++;
      return 0.3;
    });
    expect(calls).toBe(1);
  });
});

describe('backoffDelay with initialDelay 0', () => {
  it('stays 0 for huge attempt numbers (maxRetries: Infinity)', () => {
    expect(backoffDelay(1100, { initialDelay: 0, multiplier: 2, maxDelay: 30000, jitter: 0.5 }, () => 0.5)).toBe(0);
  });
  it('stays 0 on the second retry with multiplier Infinity (accepted by options)', () => {
    expect(backoffDelay(2, { initialDelay: 0, multiplier: Infinity, maxDelay: 30000, jitter: 0.5 }, () => 0.5)).toBe(0);
  });
});
