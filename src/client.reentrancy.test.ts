// Listeners that call close(), connect() or send() while the client is telling them something: the
// client is already in the state it announces, so their call works as it would anywhere else.
import { describe, expect, it } from 'vitest';
import type { CloseContext } from './lifecycle.js';
import { scriptedSockets } from './scripted-transports-test-utils.js';
import { MOCK_DELAY, advance, collect, escapedWhile, makeClient, openClient, recordSockets, settle, startServer, uniqueUrl, useHarness } from './test-utils.js';

useHarness();

describe('EnhancedWebSocketClient listeners that act on the client', () => {
  it('calls onClose once when an onClose listener calls close() after close()', async () => {
    const { client } = await openClient();
    const closes = collect<CloseContext>();
    const errors = collect<Error>();
    client.onError(errors.push);
    client.onClose((context) => {
      closes.push(context);
      client.close();
    });
    client.close();
    expect(client.state).toBe('closed');
    expect(errors.items).toEqual([]);
    expect(closes.items).toHaveLength(1);
  });

  it('calls onClose once when an onClose listener calls close() after a final close code (1008)', async () => {
    const { client, server } = await openClient();
    const closes = collect<CloseContext>();
    client.onClose((context) => {
      closes.push(context);
      client.close();
    });
    server.kill(1008, 'policy');
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    expect(closes.items).toHaveLength(1);
  });

  it('queues a send() made inside onClose after close() (the queue is kept for a later connect())', async () => {
    const { client } = await openClient();
    const thrown = collect<unknown>();
    client.onClose(() => {
      try {
        client.send('bye');
      } catch (error) {
        thrown.push(error);
      }
    });
    client.close();
    expect(thrown.items).toEqual([]);
    expect(client.stats.queued).toBe(1);
  });

  it('starts over when onClose calls connect() after a final close code (new credentials, say)', async () => {
    const { client, server } = await openClient();
    const states = collect<string>();
    client.onClose(() => {
      states.push(client.state);
      client.connect();
    });
    server.kill(4401, 'unauthorized');
    await advance(MOCK_DELAY);
    await settle();
    expect(states.items).toEqual(['closed']);
    expect(server.connections).toHaveLength(2);
    expect(client.state).toBe('open');
  });

  it('stays closed, with no internal error escaping, when onError closes the client as auth() fails', async () => {
    const client = makeClient(uniqueUrl(), { autoConnect: false, auth: () => Promise.reject(new Error('no token')) });
    const errors = collect<string>();
    client.onError((error) => {
      errors.push(error.message);
      client.close();
    });
    let escaped: unknown;
    const onUnhandled = (reason: unknown): void => {
      escaped = reason;
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      client.connect();
      await advance(10);
      await advance(10);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(client.state).toBe('closed');
    expect(errors.items).toEqual(['no token']);
    expect(escaped).toBeUndefined();
  });

  it('sends what onOpen listeners send first, then the queue, then what state listeners sent at the open', async () => {
    const url = uniqueUrl();
    startServer(url);
    const sockets = recordSockets();
    const client = makeClient(url, { autoConnect: false, WebSocket: sockets.WebSocket });
    client.onStateChange(({ state }) => {
      if (state === 'open') client.send('m', 'state listener');
    });
    client.onOpen(() => {
      client.send('m', 'hello');
    });
    client.send('m', 'queued');
    client.connect();
    await settle();
    expect(sockets.sent().map((frame) => frame.payload)).toEqual(['hello', 'queued', 'state listener']);
  });

  it('drops nothing when a state listener sends at the open while the queue is full', async () => {
    const url = uniqueUrl();
    startServer(url);
    const sockets = recordSockets();
    const client = makeClient(url, { autoConnect: false, WebSocket: sockets.WebSocket, queue: { maxMessages: 2 } });
    const errors = collect<Error>();
    client.onError(errors.push);
    client.onStateChange(({ state }) => {
      if (state === 'open') client.send('m', 'resubscribe');
    });
    client.send('m', 'queued 1');
    client.send('m', 'queued 2'); // full while offline
    client.connect();
    await settle();
    expect(errors.items).toEqual([]);
    expect(sockets.sent().map((frame) => frame.payload)).toEqual(['queued 1', 'queued 2', 'resubscribe']);
  });

  it('keeps, under queue.dropOnClose, what a state listener sends as the client closes (as onClose does)', async () => {
    const { client } = await openClient({ queue: { dropOnClose: true } });
    const errors = collect<Error>();
    client.onError(errors.push);
    client.onStateChange(({ state }) => {
      if (state === 'closed') client.send('bye');
    });
    client.close();
    expect(errors.items).toEqual([]);
    expect(client.stats.queued).toBe(1);
  });
});

describe('connect() when a state listener closes the client at "connecting"', () => {
  it('makes no attempt: no socket, no internal error, stays closed', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    const client = makeClient(url, { autoConnect: false, WebSocket: sockets.WebSocket });
    client.onStateChange(({ state }) => {
      if (state === 'connecting') client.close();
    });
    client.connect();
    const escaped = await escapedWhile(50); // e.g. "internal error, state closed -> open" from the socket's onopen
    expect(client.state).toBe('closed');
    expect(sockets.created).toHaveLength(0); // no socket opened after close()
    expect(server.openCount).toBe(0);
    expect(escaped).toBeUndefined();
  });
});

describe('EnhancedWebSocketClient: onError told of a throwing shouldReconnect', () => {
  it('close() in the onError listener told of a throwing shouldReconnect is final', async () => {
    const { client, server } = await openClient({ random: () => 0, reconnect: { shouldReconnect: () => { throw new Error('bug'); } } });
    client.onError(() => { client.close(); });
    server.kill(1006);
    expect(await escapedWhile(MOCK_DELAY)).toBeUndefined();
    expect(client.state).toBe('closed');
  });
});

describe('EnhancedWebSocketClient: an onError listener sending while a drop reports what never left (queue: false)', () => {
  it('gets NOT_OPEN rather than writing into the dead transport while the client still says open (lost silently, counted as sent)', async () => {
    const sockets = scriptedSockets((socket) => setTimeout(() => { socket.accept(); }, 1));
    const client = makeClient('ws://example.test/ws', {
      WebSocket: sockets.WebSocket,
      queue: false,
      heartbeat: false,
      reconnect: { initialDelay: 10, maxDelay: 50 },
    });
    await advance(10);
    expect(client.state).toBe('open');
    const socket = sockets.last();
    const thrown: unknown[] = [];
    client.onError(() => {
      // The app retries what the connection dropped (or says goodbye): anywhere else this either
      // goes out or throws NOT_OPEN.
      try {
        client.send('retry' as never);
      } catch (error) {
        thrown.push(error);
      }
    });
    socket.readyState = 2; // the server's close frame arrived; no close event yet
    client.send('a' as never); // discarded by the browser: handed back as unsent
    socket.end(1001, 'going away');
    await advance(1);
    // 'a' was reported dropped; 'retry' must not vanish into the released transport.
    expect({ sent: client.stats.sent, dropped: client.stats.dropped, thrown: thrown.length, state: client.state }).toEqual({
      sent: 0,
      dropped: 1,
      thrown: 1,
      state: 'reconnecting',
    });
  });
});
