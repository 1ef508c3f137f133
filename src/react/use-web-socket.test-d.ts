import { describe, expectTypeOf, it } from 'vitest';
import type { ClientStats, ConnectionState, EnhancedWebSocketClient, Envelope, InboundMessage, TransportName } from '../index.js';
import { useWebSocket, useWebSocketClient, useWebSocketEvent, type UseWebSocketResult } from './index.js';

interface Events {
  chat: { user: string; text: string };
  count: number;
  ping: undefined;
  add: { a: number; b: number };
}
interface Replies {
  add: number;
}

// Hooks are only type-checked here, never called.
declare const client: EnhancedWebSocketClient<Events, Replies>;

describe('useWebSocket types', () => {
  it('types the result from the Events and Replies maps', () => {
    const result = useWebSocket<Events, Replies>('wss://example.com/ws');
    expectTypeOf(result).toEqualTypeOf<UseWebSocketResult<Events, Replies>>();
    expectTypeOf(result.client).toEqualTypeOf<EnhancedWebSocketClient<Events, Replies>>();
    expectTypeOf(result.state).toEqualTypeOf<ConnectionState>();
    expectTypeOf(result.transport).toEqualTypeOf<TransportName | null>();
    expectTypeOf(result.lastMessage).toEqualTypeOf<InboundMessage | null>();
    expectTypeOf(result.stats).toEqualTypeOf<Readonly<ClientStats>>();
    expectTypeOf(result.request('add', { a: 1, b: 2 })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(result.request('count', 1)).toEqualTypeOf<Promise<unknown>>();
  });

  it('checks send against the Events map', () => {
    const { send, request } = useWebSocket<Events>(() => 'wss://example.com/ws', { heartbeat: false });
    send('chat', { user: 'ada', text: 'hi' });
    send('count', 1);
    send('ping');
    // @ts-expect-error unknown event name
    send('chatt', { user: 'ada', text: 'hi' });
    // @ts-expect-error wrong payload type
    send('count', '1');
    // @ts-expect-error missing payload member
    send('chat', { user: 'ada' });
    // @ts-expect-error payload required
    send('count');
    // @ts-expect-error unknown request name
    void request('nope');
  });

  it('binds a given client with its types', () => {
    expectTypeOf(useWebSocket(client)).toEqualTypeOf<UseWebSocketResult<Events, Replies>>();
    // One type argument, as with a url: the client overload (not the url one, which refused the client).
    const events = client as unknown as EnhancedWebSocketClient<Events>;
    expectTypeOf(useWebSocket<Events>(events)).toEqualTypeOf<UseWebSocketResult<Events>>();
    expectTypeOf(useWebSocketClient<Events, Replies>()).toEqualTypeOf<EnhancedWebSocketClient<Events, Replies>>();
  });

  it('rejects bad options', () => {
    // @ts-expect-error unknown option
    useWebSocket('wss://example.com/ws', { retries: 3 });
    // @ts-expect-error wrong option type
    useWebSocket('wss://example.com/ws', { heartbeat: 'yes' });
  });
});

describe('useWebSocketEvent types', () => {
  it('infers the payload and message from the client and the type', () => {
    useWebSocketEvent(client, 'chat', (payload, message) => {
      expectTypeOf(payload).toEqualTypeOf<{ user: string; text: string }>();
      expectTypeOf(message).toEqualTypeOf<Envelope<'chat', { user: string; text: string }>>();
    });
    useWebSocketEvent(client, 'count', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<number>();
    });
    useWebSocketEvent(null as EnhancedWebSocketClient<Events> | null, 'count', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<number>();
    });
  });

  it('rejects unknown types and mismatched handlers', () => {
    // @ts-expect-error unknown event name
    useWebSocketEvent(client, 'chatt', () => undefined);
    // @ts-expect-error handler expects the wrong payload
    useWebSocketEvent(client, 'count', (payload: string) => payload);
    // @ts-expect-error handler written for another event's payload
    useWebSocketEvent(client, 'chat', (payload: number) => payload + 1);
    useWebSocketEvent(client, 'chat', (payload) => {
      // @ts-expect-error the payload has no such member
      payload.missing = 1;
    });
  });
});
