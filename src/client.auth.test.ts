// EnhancedWebSocketClient credentials on WebSocket: first frame, open only once the server answered.
import { describe, expect, it, vi } from 'vitest';
import type { ReconnectingContext } from './lifecycle.js';
import { ScriptedPollingServer } from './scripted-transports-test-utils.js';
import { MOCK_DELAY, advance, collect, makeClient, recordSockets, settle, startServer, uniqueUrl, useHarness } from './test-utils.js';

useHarness();

/** A server and a not-yet-connected client with credentials and three queued messages. */
async function queuedBehindAuth() {
  const url = uniqueUrl();
  const server = startServer(url, { answerPings: false });
  const sockets = recordSockets();
  const client = makeClient<{ n: number }>(url, { autoConnect: false, WebSocket: sockets.WebSocket, auth: () => 'token' });
  const opened: number[] = [];
  client.onOpen(() => opened.push(1));
  for (let n = 0; n < 3; n++) client.send('n', n);
  client.connect();
  await settle();
  return { server, sockets, client, opened };
}

describe('EnhancedWebSocketClient auth on WebSocket', () => {
  it('sends the credentials as the first frame and holds the queue until the server accepts', async () => {
    const { server, sockets, client, opened } = await queuedBehindAuth();
    expect(sockets.sent()).toEqual([{ type: 'auth', payload: 'token' }]);
    expect(client.state).toBe('connecting');
    expect(client.stats.queued).toBe(3);
    expect(opened).toEqual([]);
    server.send('auth', { ok: true });
    expect(client.state).toBe('open');
    expect(opened).toEqual([1]);
    await settle();
    expect(server.frames('n').map((frame) => frame.payload)).toEqual([0, 1, 2]);
  });

  it('keeps queued messages when the server refuses, and stops for good, telling onClose why', async () => {
    const { server, client, opened } = await queuedBehindAuth();
    const closes: unknown[] = [];
    client.onClose((context) => closes.push(context));
    server.kill(4401, 'unauthorized');
    await settle();
    expect(client.state).toBe('closed');
    expect(opened).toEqual([]);
    // No connection opened, yet the app learns the code that stopped it (to ask for a new login).
    expect(closes).toEqual([expect.objectContaining({ code: 4401, reason: 'unauthorized', willReconnect: false })]);
    expect(client.stats.queued).toBe(3); // nothing was sent into the refused connection
    expect(server.frames('n')).toEqual([]);
  });

  it('treats any other first frame as acceptance and delivers it', async () => {
    const { server, client } = await queuedBehindAuth();
    const hellos: unknown[] = [];
    client.onAny((message) => hellos.push(message.type));
    server.send('hello', 1);
    expect(client.state).toBe('open');
    expect(hellos).toEqual(['hello']);
  });

  it('queues again a message sent after the socket closed but before the client heard of it, as without auth', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    // shouldReconnect runs after the socket closed, while the client is still 'open': a send there finds no socket.
    const client = makeClient<{ n: number }>(url, {
      auth: () => 'token',
      random: () => 0,
      reconnect: {
        shouldReconnect: () => {
          client.send('n', 1);
          return true;
        },
      },
    });
    await settle();
    server.send('auth', { ok: true });
    server.kill(1006);
    await settle();
    expect(client.state).toBe('reconnecting');
    expect(client.stats.queued).toBe(1);
    await advance(1000 + MOCK_DELAY);
    server.send('auth', { ok: true });
    await settle();
    expect(server.frames('n').map((frame) => frame.payload)).toEqual([1]);
    expect(client.stats).toMatchObject({ dropped: 0, queued: 0 });
  });

  it('opens after a grace period with a server that ignores auth frames', async () => {
    const { client } = await queuedBehindAuth();
    await advance(4900);
    expect(client.state).toBe('connecting');
    await advance(200);
    expect(client.state).toBe('open');
    expect(client.stats.queued).toBe(0);
  });
});

describe('auth on WebSocket with connectTimeout', () => {
  // The handshake is over once the socket opened; the wait for the answer has its own 5 s grace.
  it('opens against a server that ignores auth frames even when connectTimeout is shorter than the answer grace', async () => {
    const url = uniqueUrl();
    const server = startServer(url); // a plain server: never answers the auth frame
    const client = makeClient(url, { auth: () => 'token', connectTimeout: 3000, random: () => 0 });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    await advance(6000);
    expect(reconnecting.items).toEqual([]);
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('does not count a socket that opened and waits for the answer as WebSocket failing to open (no long-polling fallback)', async () => {
    const url = uniqueUrl();
    startServer(url);
    const sockets = recordSockets();
    const fetch = vi.fn<typeof globalThis.fetch>(() => new Promise<Response>(() => undefined));
    const client = makeClient(url, {
      WebSocket: sockets.WebSocket,
      transports: ['websocket', 'long-polling'],
      fetch,
      auth: () => 'token',
      connectTimeout: 3000,
      random: () => 0,
    });
    await advance(10_000);
    expect(sockets.created).toHaveLength(1);
    expect(fetch).not.toHaveBeenCalled();
    expect(client.transport).toBe('websocket');
  });
});

describe('auth on WebSocket: a token refused on an open socket', () => {
  // reconnect.finalCodes leaves 4401 out so auth() can fetch a fresh token (README).
  it('does not fall back to long-polling, nor report WebSocket failing to open, after the server refused a stale token twice', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    const polling = new ScriptedPollingServer();
    const tokens = ['stale', 'stale', 'fresh'];
    const client = makeClient(url, {
      WebSocket: sockets.WebSocket,
      transports: ['websocket', 'long-polling'],
      fetch: polling.fetch,
      auth: () => tokens.shift() ?? 'fresh',
      reconnect: { initialDelay: 10, maxDelay: 50, finalCodes: [1008, 4403] },
      random: () => 1,
    });
    for (let refused = 0; refused < 2; refused++) {
      await settle();
      expect(sockets.created.at(-1)?.sent.map((frame) => JSON.parse(frame) as unknown)).toEqual([{ type: 'auth', payload: 'stale' }]);
      server.kill(4401, 'token expired'); // the server read the credentials and refused them
      await advance(60);
    }
    await settle();
    // The socket opened each time (the server answered with a close frame): nothing blocks WebSocket.
    expect(polling.handshakes).toEqual([]); // before the fix: a long-polling handshake
    expect(sockets.created.at(-1)?.sent.map((frame) => JSON.parse(frame) as unknown)).toEqual([{ type: 'auth', payload: 'fresh' }]);
    server.send('auth', { ok: true });
    expect(client.state).toBe('open');
    expect(client.transport).toBe('websocket');
    expect(client.stats.fallbackReason).toBeNull(); // before the fix: "WebSocket failed to open 2 times while HTTP worked"
  });
});
