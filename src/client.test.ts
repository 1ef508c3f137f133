// EnhancedWebSocketClient on mock-socket: construction and bad input, typed routing, sending.
import { describe, expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import type { InboundMessage } from './envelope.js';
import { EnhancedWsError } from './errors.js';
import {
  MOCK_DELAY,
  advance,
  codeOf,
  collect,
  makeClient,
  openClient,
  recordSockets,
  settle,
  startServer,
  uniqueUrl,
  useHarness,
} from './test-utils.js';

useHarness();

interface Events {
  chat: { user: string; text: string };
  tick: number;
}

describe('EnhancedWebSocketClient construction', () => {
  it.each(['not a url', 'ftp://example.com/ws', '', '/relative-without-a-page'])('throws a TypeError naming the bad url %j', (url) => {
    const sockets = recordSockets();
    let thrown: unknown;
    try {
      new EnhancedWebSocketClient(url, { WebSocket: sockets.WebSocket });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toContain(JSON.stringify(url));
    expect((thrown as Error).message).toMatch(/url/);
    expect(sockets.created).toEqual([]);
  });

  it.each([
    ['reconnect.jitter', { reconnect: { jitter: 2 } }],
    ['queue.overflow', { queue: { overflow: 'x' } }],
    ['heartbeat.interval', { heartbeat: { interval: 0 } }],
    ['reconnect.maxRetries', { reconnect: { maxRetries: -1 } }],
    ['requestTimeout', { requestTimeout: -5 }],
    ['nonsense', { nonsense: true }],
  ])('throws a TypeError naming the option %s and opens nothing', (name, options) => {
    const sockets = recordSockets();
    expect(() => new EnhancedWebSocketClient(uniqueUrl(), { WebSocket: sockets.WebSocket, ...(options as object) })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(`"${name}"`) as string }) as Error,
    );
    expect(sockets.created).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts connecting in the constructor by default', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const client = makeClient(url);
    expect(client.state).toBe('connecting');
    await settle();
    expect(client.state).toBe('open');
    expect(client.transport).toBe('websocket');
    expect(server.connections).toHaveLength(1);
  });

  it('stays idle with autoConnect: false until connect()', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    const client = makeClient(url, { autoConnect: false, WebSocket: sockets.WebSocket });
    await advance(10_000);
    expect(client.state).toBe('idle');
    expect(client.transport).toBeNull();
    expect(sockets.created).toEqual([]);
    client.connect();
    expect(client.state).toBe('connecting');
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('passes protocols to the WebSocket', async () => {
    const { sockets } = await openClient({ protocols: ['v1.enhanced-ws'] });
    expect((sockets.created[0] as unknown as WebSocket).protocol).toBe('v1.enhanced-ws');
  });

  it('uses the given serializer both ways', async () => {
    const serializer = {
      encode: (message: object) => `X${JSON.stringify(message)}`,
      decode: (data: string) => JSON.parse(data.slice(1)) as unknown,
    };
    const { client, server, sockets } = await openClient({ serializer });
    const got = collect<unknown>();
    client.on('chat', got.push);
    client.send('chat', { text: 'out' });
    expect(sockets.created[0]?.sent).toEqual(['X{"type":"chat","payload":{"text":"out"}}']);
    server.sendRaw('X{"type":"chat","payload":{"text":"in"}}');
    expect(got.items).toEqual([{ text: 'in' }]);
  });
});

describe('EnhancedWebSocketClient routing', () => {
  it('keeps the other subscription when one of two on() subscriptions of the same handler is undone', async () => {
    const { server, client } = await openClient<Events>();
    const got = collect<Events['tick']>();
    const offA = client.on('tick', got.push);
    client.on('tick', got.push); // a second, independent subscription (a second component, say)
    server.send('tick', 1);
    offA();
    server.send('tick', 2);
    expect(got.items).toEqual([1, 1, 2]); // each subscription delivers; undoing one leaves the other
  });

  it('calls on(type) handlers with the payload and the message, only for that type', async () => {
    const { client, server } = await openClient<Events>();
    const chat = vi.fn();
    const tick = vi.fn();
    client.on('chat', chat);
    client.on('tick', tick);
    server.send('chat', { user: 'ada', text: 'hi' });
    expect(chat).toHaveBeenCalledExactlyOnceWith({ user: 'ada', text: 'hi' }, { type: 'chat', payload: { user: 'ada', text: 'hi' } });
    expect(tick).not.toHaveBeenCalled();
    server.send('tick', 7);
    expect(tick).toHaveBeenCalledExactlyOnceWith(7, { type: 'tick', payload: 7 });
  });

  it('passes undefined as the payload of a message without one', async () => {
    const { client, server } = await openClient();
    const handler = vi.fn();
    client.on('bare', handler);
    server.send('bare');
    expect(handler).toHaveBeenCalledExactlyOnceWith(undefined, { type: 'bare' });
  });

  it('stops calling a handler after its unsubscribe function ran', async () => {
    const { client, server } = await openClient<Events>();
    const got = collect<number>();
    const off = client.on('tick', got.push);
    server.send('tick', 1);
    off();
    server.send('tick', 2);
    expect(got.items).toEqual([1]);
  });

  it('calls a once() handler for the first message only', async () => {
    const { client, server } = await openClient<Events>();
    const got = collect<number>();
    client.once('tick', got.push);
    server.send('tick', 1);
    server.send('tick', 2);
    expect(got.items).toEqual([1]);
  });

  it('does not call a once() handler unsubscribed before the message', async () => {
    const { client, server } = await openClient<Events>();
    const handler = vi.fn();
    const off = client.once('tick', handler);
    off();
    server.send('tick', 1);
    expect(handler).not.toHaveBeenCalled();
  });

  it('removes one handler with off(type, handler) and every handler of a type with off(type)', async () => {
    const { client, server } = await openClient<Events>();
    const a = vi.fn();
    const b = vi.fn();
    client.on('tick', a);
    client.on('tick', b);
    client.off('tick', a);
    server.send('tick', 1);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledOnce();
    client.off('tick');
    server.send('tick', 2);
    expect(b).toHaveBeenCalledOnce();
  });

  it('removes a once() handler with off(type, handler), as emitters usually do', async () => {
    const { client, server } = await openClient<Events>();
    const handler = vi.fn();
    client.once('tick', handler);
    client.off('tick', handler);
    server.send('tick', 1);
    expect(handler).not.toHaveBeenCalled();
  });

  it('gives onAny every inbound message, decoded, and stops after unsubscribe', async () => {
    const { client, server } = await openClient();
    const any = collect<InboundMessage>();
    const off = client.onAny(any.push);
    server.send('chat', { text: 'a' });
    server.send('other');
    off();
    server.send('chat', { text: 'b' });
    expect(any.items).toEqual([{ type: 'chat', payload: { text: 'a' } }, { type: 'other' }]);
  });

  it('reports a throwing handler to onError, still runs the other handlers and stays open', async () => {
    const { client, server } = await openClient<Events>();
    const boom = new Error('handler bug');
    const errors = collect<Error>();
    client.onError(errors.push);
    const second = vi.fn();
    client.on('tick', () => {
      throw boom;
    });
    client.on('tick', second);
    expect(() => { server.send('tick', 1); }).not.toThrow();
    expect(errors.items).toEqual([boom]);
    expect(second).toHaveBeenCalledWith(1, expect.anything());
    expect(client.state).toBe('open');
    server.send('tick', 2);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it('wraps a thrown non-Error in an EnhancedWsError HANDLER_FAILED', async () => {
    const { client, server } = await openClient();
    const errors = collect<Error>();
    client.onError(errors.push);
    client.on('x', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless app code does
      throw 'a string';
    });
    server.send('x');
    expect(errors.items).toHaveLength(1);
    expect(errors.items[0]).toBeInstanceOf(EnhancedWsError);
    expect(errors.items[0]).toMatchObject({ code: 'HANDLER_FAILED', message: expect.stringContaining('a string') as string });
  });

  it('survives an onError listener that throws: the other listeners hear each error once, the socket stays open', async () => {
    const { client, server } = await openClient();
    client.onError(() => {
      throw new Error('bad error listener');
    });
    const errors = collect<Error>();
    client.onError(errors.push);
    expect(() => { server.sendRaw('not json'); }).not.toThrow();
    expect(errors.items.filter((error) => codeOf(error) === 'BAD_MESSAGE')).toHaveLength(1);
    expect(client.state).toBe('open');
  });

  it.each([
    ['JSON that is not an object', '[1,2]', [1, 2]],
    ['an object without a type', '{"kind":"chat"}', { kind: 'chat' }],
    ['a non-string type', '{"type":5}', { type: 5 }],
    ['JSON null', 'null', null],
    ['a JSON string', '"hello"', 'hello'],
    ['text that is not JSON', 'hello {', 'hello {'],
  ])('hands %s to onAny with type null, reports it, counts it and stays open', async (_what, frame, decoded) => {
    const { client, server } = await openClient();
    const any = collect<InboundMessage>();
    const errors = collect<Error>();
    const routed = vi.fn();
    client.onAny(any.push);
    client.onError(errors.push);
    client.on('chat', routed);
    expect(() => { server.sendRaw(frame); }).not.toThrow();
    expect(any.items).toEqual([{ type: null, payload: decoded }]);
    expect(errors.items).toHaveLength(1);
    expect(errors.items[0]).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(client.stats.malformed).toBe(1);
    expect(client.stats.received).toBe(1);
    expect(routed).not.toHaveBeenCalled();
    await advance(1000);
    expect(client.state).toBe('open');
    server.send('chat', { text: 'still routed' });
    expect(routed).toHaveBeenCalledOnce();
  });

  it('hands a binary frame to onAny with type null, reports it, counts it and stays open', async () => {
    const { client, server } = await openClient();
    const any = collect<InboundMessage>();
    const errors = collect<Error>();
    client.onAny(any.push);
    client.onError(errors.push);
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    server.sendRaw(bytes);
    expect(any.items).toEqual([{ type: null, payload: bytes }]);
    expect(errors.items.map((error) => codeOf(error))).toEqual(['BAD_MESSAGE']);
    expect(errors.items[0]?.message).toContain('binary');
    expect(client.stats.malformed).toBe(1);
    await advance(1000);
    expect(client.state).toBe('open');
  });
});

describe('EnhancedWebSocketClient send', () => {
  it('hands the frame to the socket in the same task when open', async () => {
    const { client, sockets, server } = await openClient<Events>();
    client.send('chat', { user: 'ada', text: 'hi' });
    expect(sockets.created[0]?.sent).toEqual(['{"type":"chat","payload":{"user":"ada","text":"hi"}}']);
    expect(client.stats.sent).toBe(1);
    expect(client.stats.queued).toBe(0);
    await advance(MOCK_DELAY);
    expect(server.received).toEqual([{ type: 'chat', payload: { user: 'ada', text: 'hi' } }]);
  });

  it('omits the payload when there is none', async () => {
    const { client, sockets } = await openClient();
    client.send('hello');
    expect(sockets.created[0]?.sent).toEqual(['{"type":"hello"}']);
  });

  it.each([
    ['a cycle', (): unknown => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      return cyclic;
    }],
    ['a BigInt', (): unknown => ({ n: 10n })],
    ['a function (JSON would leave the payload out)', (): unknown => () => 42],
    ['a symbol (JSON would leave the payload out)', (): unknown => Symbol('x')],
  ])('throws SERIALIZE_FAILED for %s and sends nothing while open', async (_what, payload) => {
    const { client, sockets } = await openClient();
    let thrown: unknown;
    try {
      client.send('data', payload());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnhancedWsError);
    expect(thrown).toMatchObject({ code: 'SERIALIZE_FAILED', message: expect.stringContaining('"data"') as string });
    expect((thrown as Error).cause).toBeInstanceOf(TypeError);
    expect(sockets.created[0]?.sent).toEqual([]);
    expect(client.stats.sent).toBe(0);
  });

  it('throws SERIALIZE_FAILED before queuing while not open', async () => {
    const sockets = recordSockets();
    const url = uniqueUrl();
    const client = makeClient(url, { autoConnect: false, WebSocket: sockets.WebSocket });
    expect(() => { client.send('data', { n: 1n }); }).toThrow(expect.objectContaining({ code: 'SERIALIZE_FAILED' }) as Error);
    expect(client.stats.queued).toBe(0);
    startServer(url);
    client.connect();
    await settle();
    expect(sockets.created[0]?.sent).toEqual([]);
  });

  it.each([
    ['open', true],
    ['not open', false],
  ])('throws SERIALIZE_FAILED when a custom serializer returns no string, and writes or queues nothing (%s)', async (_what, open) => {
    const serializer = { encode: () => undefined as unknown as string, decode: (text: string) => JSON.parse(text) as unknown };
    const { client, sockets } = open ? await openClient({ serializer }) : { client: makeClient(uniqueUrl(), { autoConnect: false, serializer }), sockets: undefined };
    expect(() => { client.send('m', 1); }).toThrow(expect.objectContaining({ code: 'SERIALIZE_FAILED', message: expect.stringContaining('must return a string') as string }) as Error);
    expect(sockets?.created[0]?.sent ?? []).toEqual([]);
    expect(client.stats).toMatchObject({ sent: 0, queued: 0 });
  });

  it('throws NOT_OPEN while not open when the queue is off', () => {
    const client = makeClient(uniqueUrl(), { autoConnect: false, queue: false });
    expect(() => { client.send('x'); }).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }) as Error);
  });

  it('throws a TypeError for an empty type', async () => {
    const { client, sockets } = await openClient();
    expect(() => { client.send(''); }).toThrow(TypeError);
    expect(sockets.created[0]?.sent).toEqual([]);
  });
});

describe('auth() resolving to undefined', () => {
  it('does not send queued messages into a connection without credentials', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    // e.g. `auth: async () => session?.token` before the session exists
    const client = makeClient<{ m: number }>(url, { autoConnect: false, auth: () => Promise.resolve(undefined as unknown as string) });
    const errors = collect<Error>();
    client.onError(errors.push);
    client.send('m', 1);
    client.connect();
    await settle();
    await settle(); // the open, then the frames landing
    expect(server.frames('m')).toEqual([]);
    expect(client.stats.queued).toBe(1);
    expect(errors.items[0]?.message).toBe('enhanced-ws: auth() must return (or resolve to) a string, got undefined');
  });
});
