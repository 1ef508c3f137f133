// Exponential backoff with jitter, as a pure function of the attempt number.

export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialDelay: number;
  readonly multiplier: number;
  /** Upper bound for any delay, in ms. */
  readonly maxDelay: number;
  /** 0..1: how much of the delay is randomised away (0 = none, 1 = anywhere in [0, delay]). */
  readonly jitter: number;
}

/**
 * Delay before retry number `attempt` (1 for the first retry).
 * The result lies in `[base * (1 - jitter), base]` where
 * `base = min(maxDelay, initialDelay * multiplier ** (attempt - 1))`: jitter only ever
 * shortens a delay, so `maxDelay` stays a true bound, and clients that lost the same server
 * at the same moment spread out instead of returning together.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  // (0 stays 0: 0 * multiplier ** n is NaN once the power overflows to Infinity)
  const grown = policy.initialDelay && policy.initialDelay * policy.multiplier ** (attempt - 1);
  const base = Math.min(policy.maxDelay, grown);
  return Math.round(base * (1 - policy.jitter * random()));
}
