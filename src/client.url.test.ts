// EnhancedWebSocketClient with a url function: called before every attempt, its failures count as failed attempts.
import { describe, expect, it, vi } from 'vitest';
import type { ReconnectingContext } from './lifecycle.js';
import { MOCK_DELAY, advance, collect, makeClient, recordSockets, settle, startServer, uniqueUrl, useHarness } from './test-utils.js';

useHarness();

describe('EnhancedWebSocketClient url function', () => {
  it('reports and retries a url() that rejects with a value String() cannot print (an object without a prototype)', async () => {
    const url = uniqueUrl();
    startServer(url);
    let calls = 0;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error rejection is the case under test
    const source = (): Promise<string> => (++calls === 1 ? Promise.reject(Object.create(null) as unknown) : Promise.resolve(url));
    const errors = collect<Error>();
    const client = makeClient(source, { autoConnect: false, random: () => 0 });
    client.onError(errors.push);
    client.connect();
    await advance(0);
    expect(errors.items).toEqual([expect.objectContaining({ code: 'HANDLER_FAILED', message: '[object Object]' })]);
    expect(client.state).toBe('reconnecting');
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
  });

  it('is called before every attempt', async () => {
    const url = uniqueUrl();
    const source = vi.fn(() => url);
    const sockets = recordSockets();
    const client = makeClient(source, { random: () => 0, WebSocket: sockets.WebSocket });
    await advance(0);
    expect(source).toHaveBeenCalledTimes(1);
    await advance(MOCK_DELAY + 1000);
    expect(source).toHaveBeenCalledTimes(2);
    startServer(url);
    await advance(MOCK_DELAY + 2000);
    await settle();
    expect(client.state).toBe('open');
    expect(source).toHaveBeenCalledTimes(3);
    expect(sockets.created).toHaveLength(3);
  });

  it('may return a promise', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(() => Promise.resolve(url.replace('ws:', 'http:')));
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('counts a bad URL it returns as a failed attempt, reported to onError', async () => {
    const url = uniqueUrl();
    startServer(url);
    const results = ['not a url', url];
    const source = vi.fn(() => results.shift() ?? url);
    const client = makeClient(source, { random: () => 0 });
    const errors = collect<Error>();
    const reconnecting = collect<ReconnectingContext>();
    client.onError(errors.push);
    client.onReconnecting(reconnecting.push);
    await advance(0);
    expect(errors.items).toHaveLength(1);
    expect(errors.items[0]).toBeInstanceOf(TypeError);
    expect(errors.items[0]?.message).toContain('"not a url"');
    expect(reconnecting.items).toEqual([expect.objectContaining({ attempt: 1, delay: 1000 })]);
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('counts a rejected promise as a failed attempt, reported to onError', async () => {
    const url = uniqueUrl();
    startServer(url);
    const failure = new Error('service discovery down');
    const source = vi.fn().mockRejectedValueOnce(failure).mockResolvedValue(url);
    const client = makeClient(source as () => Promise<string>, { random: () => 0 });
    const errors = collect<Error>();
    client.onError(errors.push);
    await advance(1000);
    await settle();
    expect(errors.items).toEqual([failure]);
    expect(client.state).toBe('open');
  });

  it('counts a function that throws as a failed attempt, reported to onError; connect() does not throw', async () => {
    const url = uniqueUrl();
    startServer(url);
    const failure = new Error('no region configured');
    let calls = 0;
    const source = (): string => {
      calls++;
      if (calls === 1) throw failure;
      return url;
    };
    const errors = collect<Error>();
    let client: ReturnType<typeof makeClient> | undefined;
    expect(() => {
      client = makeClient(source, { autoConnect: false, random: () => 0 });
      client.onError(errors.push);
      client.connect();
    }).not.toThrow();
    await advance(1000);
    await settle();
    expect(errors.items).toEqual([failure]);
    expect(client?.state).toBe('open');
  });

  it('does not throw from the constructor when the url function throws', async () => {
    const url = uniqueUrl();
    startServer(url);
    let calls = 0;
    const source = (): string => {
      calls++;
      if (calls === 1) throw new Error('not yet');
      return url;
    };
    let client: ReturnType<typeof makeClient> | undefined;
    expect(() => { client = makeClient(source, { random: () => 0 }); }).not.toThrow();
    await advance(1000);
    await settle();
    expect(client?.state).toBe('open');
  });
});

const make = (url: unknown) => () => makeClient(url as string, { autoConnect: false });

describe('url that is not a string', () => {
  it('a circular object: TypeError names url', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(make(circular)).toThrow(/url/);
  });
  it('a BigInt: TypeError names url', () => {
    expect(make(1n)).toThrow(/url/);
  });
  it('a URL object: the error says a string is needed, not that a valid URL is invalid', () => {
    expect(make(new URL('wss://example.com/ws'))).toThrow(/string/);
  });
});
