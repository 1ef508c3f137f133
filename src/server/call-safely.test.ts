import { describe, expect, it, vi } from 'vitest';
import { callSafely } from './call-safely.js';

describe('callSafely', () => {
  it('calls the callback with the arguments and reports nothing when it returns', () => {
    const report = vi.fn();
    const callback = vi.fn((text: string, count: number) => text.length + count);
    callSafely(report, callback, 'a', 1);
    expect(callback).toHaveBeenCalledWith('a', 1);
    expect(report).not.toHaveBeenCalled();
  });

  it('reports what the callback throws', () => {
    const report = vi.fn();
    const error = new Error('sync');
    callSafely(report, () => {
      throw error;
    });
    expect(report).toHaveBeenCalledWith(error);
  });

  it('reports what a returned promise rejects with, and nothing when it fulfils', async () => {
    const report = vi.fn();
    const error = new Error('async');
    callSafely(report, async () => {
      await Promise.resolve();
      throw error;
    });
    callSafely(report, () => Promise.resolve('fine'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(report.mock.calls).toEqual([[error]]);
  });

  it('reports the rejection of any thenable, and a then() that throws', async () => {
    const report = vi.fn();
    callSafely(report, () => ({ then: (_: unknown, reject: (reason: unknown) => void) => { reject('thenable'); } }));
    callSafely(report, () => ({ then: () => { throw new Error('then threw'); } }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(report.mock.calls).toEqual([['thenable'], [new Error('then threw')]]);
  });
});
