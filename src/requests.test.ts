// PendingRequests: ids, settling from replies, timeouts, and rejection when the connection goes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { ConnectionClosedError, ServerError, TimeoutError } from './errors.js';
import type { Envelope } from './envelope.js';
import { PendingRequests } from './requests.js';

/** Creates a request whose eventual rejection the test does not care about. */
function createQuiet(requests: PendingRequests, type: string, timeout: number): string {
  const { id, promise } = requests.create(type, timeout);
  promise.catch(() => undefined);
  return id;
}

describe('PendingRequests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives each request a distinct string id', () => {
    const requests = new PendingRequests(systemClock);
    const ids = [1, 2, 3].map(() => createQuiet(requests, 'sum', 1000));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(typeof id).toBe('string');
    expect(requests.size).toBe(3);
    requests.rejectAll('done');
  });

  it('resolves with the payload of the matching reply and clears its timer', async () => {
    const requests = new PendingRequests(systemClock);
    const { id, promise } = requests.create('sum', 1000);
    const other = requests.create('sum', 1000);
    expect(requests.settle({ type: 'reply', id, payload: 3 })).toBe(true);
    await expect(promise).resolves.toBe(3);
    expect(requests.size).toBe(1);
    expect(vi.getTimerCount()).toBe(1); // only the other request's timeout remains
    requests.reject(other.id, new Error('cleanup'));
    await expect(other.promise).rejects.toThrow('cleanup');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with ServerError carrying message and code on an error reply', async () => {
    const requests = new PendingRequests(systemClock);
    const { id, promise } = requests.create('join', 1000);
    requests.settle({ type: 'reply', id, error: { message: 'no such room', code: 'NOT_FOUND' } });
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ message: 'no such room', serverCode: 'NOT_FOUND', code: 'SERVER_ERROR' });
  });

  it('keeps a numeric error code (servers in other languages send HTTP-like ones) as serverCode', async () => {
    const requests = new PendingRequests(systemClock);
    const { id, promise } = requests.create('join', 1000);
    requests.settle({ type: 'reply', id, error: { message: 'no such room', code: 404 } } as unknown as Envelope);
    await expect(promise).rejects.toMatchObject({ message: 'no such room', serverCode: '404' });
  });

  it.each([
    ['a string', 'not found', 'server error: "not found"'],
    ['an object without a message', { code: 'E42' }, 'server error: {"code":"E42"}'],
    ['a number', 500, 'server error: 500'],
  ])('rejects with a ServerError that keeps the reason when the error is %s', async (_what, error, message) => {
    const requests = new PendingRequests(systemClock);
    const { id, promise } = requests.create('join', 1000);
    requests.settle({ type: 'reply', id, error } as unknown as Envelope);
    await expect(promise).rejects.toMatchObject({ name: 'ServerError', message });
  });

  it('ignores replies with an unknown or missing id', () => {
    const requests = new PendingRequests(systemClock);
    createQuiet(requests, 'sum', 1000);
    expect(requests.settle({ type: 'reply', id: 'nope', payload: 1 })).toBe(false);
    expect(requests.settle({ type: 'reply', payload: 1 })).toBe(false);
    expect(requests.size).toBe(1);
    requests.rejectAll('done');
  });

  it('settles a request once: a second reply with the same id is ignored', async () => {
    const requests = new PendingRequests(systemClock);
    const { id, promise } = requests.create('sum', 1000);
    expect(requests.settle({ type: 'reply', id, payload: 1 })).toBe(true);
    expect(requests.settle({ type: 'reply', id, payload: 2 })).toBe(false);
    await expect(promise).resolves.toBe(1);
  });

  it('rejects with TimeoutError after the timeout, not before', async () => {
    const requests = new PendingRequests(systemClock);
    const { promise } = requests.create('slow', 500);
    const outcome = promise.catch((e: unknown) => e);
    vi.advanceTimersByTime(499);
    expect(requests.size).toBe(1);
    vi.advanceTimersByTime(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeout: 500 });
    expect((error as Error).message).toContain('"slow"');
    expect(requests.size).toBe(0);
  });

  it('rejectSent() rejects only requests that left over the connection', async () => {
    const requests = new PendingRequests(systemClock);
    const sent = requests.create('a', 1000);
    const queued = requests.create('b', 1000);
    requests.markSent(sent.id);
    requests.rejectSent('code 1006');
    await expect(sent.promise).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(requests.size).toBe(1);
    requests.settle({ type: 'reply', id: queued.id, payload: 'still fine' });
    await expect(queued.promise).resolves.toBe('still fine');
  });

  it('rejectAll() rejects every pending request with ConnectionClosedError and clears every timer', async () => {
    const requests = new PendingRequests(systemClock);
    const a = requests.create('a', 1000);
    const b = requests.create('b', 1000);
    requests.markSent(a.id);
    requests.rejectAll('close() called');
    await expect(a.promise).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(b.promise).rejects.toThrow(/close\(\) called/);
    expect(vi.getTimerCount()).toBe(0);
  });
});
