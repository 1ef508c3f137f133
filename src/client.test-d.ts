// Compile-time contract of EnhancedWebSocketClient: event names and payloads checked for on, send and request.
import { describe, expectTypeOf, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client.js';
import { DEFAULTS } from './options.js';
import type { CloseContext, OpenContext, StateChangeContext } from './lifecycle.js';
import type { Envelope, InboundMessage } from './envelope.js';
import type { ConnectionState } from './state.js';
import type { ClientStats } from './stats.js';
import type { TransportName } from './transports/transport.js';

interface Events {
  chat: { user: string; text: string };
  sum: [number, number];
  ready: undefined;
  note: string | undefined;
}
interface Replies {
  sum: number;
}

declare const client: EnhancedWebSocketClient<Events, Replies>;

describe('on / once / off', () => {
  it('types the payload and the message from the event map', () => {
    client.on('chat', (payload, message) => {
      expectTypeOf(payload).toEqualTypeOf<{ user: string; text: string }>();
      expectTypeOf(message).toEqualTypeOf<Envelope<'chat', { user: string; text: string }>>();
      expectTypeOf(message.type).toEqualTypeOf<'chat'>();
    });
    client.once('sum', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<[number, number]>();
    });
    expectTypeOf(client.on('chat', () => undefined)).toEqualTypeOf<() => void>();
    expectTypeOf(client.once('chat', () => undefined)).toEqualTypeOf<() => void>();
  });

  it('rejects unknown event names', () => {
    // @ts-expect-error 'chta' is not an event
    client.on('chta', () => undefined);
    // @ts-expect-error 'chta' is not an event
    client.once('chta', () => undefined);
    // @ts-expect-error 'chta' is not an event
    client.off('chta');
  });

  it('rejects handlers expecting another payload type', () => {
    // @ts-expect-error chat payloads are objects, not numbers
    client.on('chat', (payload: number) => payload);
    // @ts-expect-error the handler reads a field chat payloads do not have
    client.on('chat', (payload: { room: string }) => payload);
    // @ts-expect-error wrong payload type for off
    client.off('chat', (payload: string) => payload);
  });

  it('gives onAny the decoded message or a null-typed frame', () => {
    client.onAny((message) => {
      expectTypeOf(message).toEqualTypeOf<InboundMessage>();
      expectTypeOf(message.type).toEqualTypeOf<string | null>();
    });
  });
});

describe('send', () => {
  it('accepts the payload type of the event', () => {
    client.send('chat', { user: 'ada', text: 'hi' });
    client.send('sum', [1, 2]);
    expectTypeOf<ReturnType<typeof client.send>>().toBeVoid();
  });

  it('rejects unknown event names and wrong payloads', () => {
    // @ts-expect-error 'chta' is not an event
    client.send('chta', { user: 'ada', text: 'hi' });
    // @ts-expect-error text must be a string
    client.send('chat', { user: 'ada', text: 5 });
    // @ts-expect-error user is missing
    client.send('chat', { text: 'hi' });
    // @ts-expect-error a tuple of two numbers
    client.send('sum', [1, '2']);
  });

  it('makes the payload optional only when its type admits undefined', () => {
    client.send('ready');
    client.send('note');
    client.send('note', 'text');
    // @ts-expect-error chat needs its payload
    client.send('chat');
    // @ts-expect-error sum needs its payload
    client.send('sum');
    // @ts-expect-error ready takes no string
    client.send('ready', 'now');
  });

  it('checks a union of names against every one of them, so no payload goes out under the wrong name', () => {
    const type = Math.random() > 0.5 ? ('chat' as const) : ('sum' as const);
    // @ts-expect-error a chat payload could go out as a sum
    client.send(type, { user: 'ada', text: 'hi' });
    // @ts-expect-error a sum payload could go out as a chat
    client.send(type, [1, 2]);
    // @ts-expect-error the same for requests
    void client.request(type, [1, 2]);
    const quiet = Math.random() > 0.5 ? ('ready' as const) : ('note' as const);
    client.send(quiet); // no payload fits both: undefined
    // @ts-expect-error ready takes no string
    client.send(quiet, 'text');
    expectTypeOf(client.request(type, {} as never)).toEqualTypeOf<Promise<unknown>>();
  });
});

describe('request', () => {
  it('resolves to the Replies type of the event, unknown when it has none', () => {
    expectTypeOf(client.request('sum', [1, 2])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.request('chat', { user: 'ada', text: 'hi' })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.request('sum', [1, 2], { timeout: 500 })).toEqualTypeOf<Promise<number>>();
  });

  it('rejects unknown event names, wrong payloads and bad options', () => {
    // @ts-expect-error 'chta' is not an event
    void client.request('chta', { user: 'ada', text: 'hi' });
    // @ts-expect-error a tuple of two numbers
    void client.request('sum', ['1', 2]);
    // @ts-expect-error timeout is a number
    void client.request('sum', [1, 2], { timeout: '5s' });
  });

  it('makes the payload optional only when its type admits undefined', () => {
    void client.request('ready');
    void client.request('note');
    // @ts-expect-error sum needs its payload
    void client.request('sum');
  });
});

describe('lifecycle and state', () => {
  it('types the listener contexts, state, transport and stats', () => {
    client.onOpen((context) => { expectTypeOf(context).toEqualTypeOf<OpenContext>(); });
    client.onClose((context) => {
      expectTypeOf(context).toEqualTypeOf<CloseContext>();
      expectTypeOf(context.code).toEqualTypeOf<number>();
      expectTypeOf(context.willReconnect).toEqualTypeOf<boolean>();
    });
    client.onStateChange((context) => { expectTypeOf(context).toEqualTypeOf<StateChangeContext>(); });
    client.onError((error) => { expectTypeOf(error).toEqualTypeOf<Error>(); });
    expectTypeOf(client.state).toEqualTypeOf<ConnectionState>();
    expectTypeOf(client.transport).toEqualTypeOf<TransportName | null>();
    expectTypeOf(client.stats).toEqualTypeOf<Readonly<ClientStats>>();
    expectTypeOf(client.stats.rttMs).toEqualTypeOf<number | null>();
  });

  it('accepts any event name and payload without an event map', () => {
    const loose = new EnhancedWebSocketClient('wss://example.com/ws');
    loose.on('anything', (payload) => { expectTypeOf(payload).toEqualTypeOf<unknown>(); });
    loose.send('anything', { any: 'thing' });
    loose.send('bare');
    expectTypeOf(loose.request('anything')).toEqualTypeOf<Promise<unknown>>();
  });

  it('rejects a url that is neither a string nor a function returning one', () => {
    // @ts-expect-error a number is not a url
    new EnhancedWebSocketClient(8080);
    // @ts-expect-error the function must return a string
    new EnhancedWebSocketClient(() => 8080);
    new EnhancedWebSocketClient(() => Promise.resolve('wss://example.com/ws'));
  });

  it('rejects unknown options and wrongly typed ones', () => {
    // @ts-expect-error reconect is misspelled
    new EnhancedWebSocketClient('wss://example.com/ws', { reconect: false });
    // @ts-expect-error overflow is one of three strings
    new EnhancedWebSocketClient('wss://example.com/ws', { queue: { overflow: 'drop-all' } });
    new EnhancedWebSocketClient('wss://example.com/ws', { reconnect: false, heartbeat: { interval: 1000 }, queue: { overflow: 'error' } });
  });

  it('accepts options as apps build them: read-only lists, the library\'s own defaults, undefined for "not given"', () => {
    new EnhancedWebSocketClient('wss://example.com/ws', { transports: DEFAULTS.transports, protocols: ['v1', 'v2'] as const });
    new EnhancedWebSocketClient('wss://example.com/ws', { transports: ['long-polling', 'websocket'] as const });
    const interval: number | undefined = undefined;
    new EnhancedWebSocketClient('wss://example.com/ws', { requestTimeout: undefined, heartbeat: { interval }, reconnect: { ...DEFAULTS.reconnect, maxRetries: 3 } });
    const timeout: number | undefined = undefined;
    void client.request('sum', [1, 2], { timeout });
  });

  it('accepts the ws package\'s WebSocket class (Node) without a cast, and refuses what is no WebSocket class', () => {
    new EnhancedWebSocketClient('ws://127.0.0.1:8080', { WebSocket: NodeWebSocket });
    // @ts-expect-error a function that constructs no socket
    new EnhancedWebSocketClient('ws://127.0.0.1:8080', { WebSocket: class { send(): void { void 0; } } });
  });
});
