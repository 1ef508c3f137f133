import { describe, expect, it } from 'vitest';
import { FrameErrorCode, NO_HANDLER } from './codes.js';
import type { Connection } from './connection.js';
import type { EnhancedWebSocketServer } from './server.js';
import type { ServerOptions } from './options.js';
import { httpUrl, nextConnection, pollingPeer, until, useServers, wsPeer, wsUrl, type Peer } from './test-utils.js';

const { start, track } = useServers();

/** A server, one peer of the given transport, and its server-side connection. */
async function connect(transport: 'websocket' | 'long-polling', options: Omit<ServerOptions, 'port' | 'host'> = {}): Promise<{ server: EnhancedWebSocketServer; peer: Peer; conn: Connection }> {
  const server = await start(options);
  const connection = nextConnection(server);
  const peer = track(transport === 'websocket' ? wsPeer(wsUrl(server)) : await pollingPeer(httpUrl(server)));
  return { server, peer, conn: await connection };
}

describe.each(['websocket', 'long-polling'] as const)('Connection over %s', (transport) => {
  it('reports its transport, an id and the request', async () => {
    const { conn } = await connect(transport);
    expect(conn.transport).toBe(transport);
    expect(conn.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(conn.request.url).toMatch(/^\/ws/);
    expect(conn.isOpen).toBe(true);
  });

  it('routes each message to the handlers of its type', async () => {
    const { peer, conn } = await connect(transport);
    const chats: unknown[] = [];
    const off = conn.on('chat', (payload, message) => {
      chats.push([payload, message.type]);
    });
    conn.on('echo', (payload) => conn.send('echoed', payload));
    await peer.send({ type: 'chat', payload: { text: 'hi' } });
    await peer.send({ type: 'other', payload: 1 });
    await peer.send({ type: 'echo', payload: [1, 2] });
    expect(await peer.next()).toEqual({ type: 'echoed', payload: [1, 2] });
    off();
    await peer.send({ type: 'chat', payload: 'ignored' });
    await peer.send({ type: 'echo', payload: 'sync' });
    await peer.next();
    expect(chats).toEqual([[{ text: 'hi' }, 'chat']]);
  });

  it('answers a request with the handler result, sync or async', async () => {
    const { peer, conn } = await connect(transport);
    conn.handle('sum', (payload) => (payload as number[]).reduce((a, b) => a + b, 0));
    conn.handle('later', async (payload) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { got: payload };
    });
    await peer.send({ type: 'later', payload: 'x', id: '1' });
    await peer.send({ type: 'sum', payload: [1, 2, 3], id: '2' });
    const replies = [await peer.next(), await peer.next()];
    expect(replies).toContainEqual({ type: 'reply', id: '2', payload: 6 });
    expect(replies).toContainEqual({ type: 'reply', id: '1', payload: { got: 'x' } });
  });

  it('turns a thrown error into the reply error, with its string code', async () => {
    const { peer, conn } = await connect(transport);
    conn.handle('join', () => {
      throw Object.assign(new Error('no such room'), { code: 'NOT_FOUND' });
    });
    conn.handle('fail', () => Promise.reject(new Error('plain')));
    await peer.send({ type: 'join', payload: 'x', id: 'a' });
    expect(await peer.next()).toEqual({ type: 'reply', id: 'a', error: { message: 'no such room', code: 'NOT_FOUND' } });
    await peer.send({ type: 'fail', id: 'b' });
    expect(await peer.next()).toEqual({ type: 'reply', id: 'b', error: { message: 'plain' } });
  });

  it('rejects a request nobody handles with NO_HANDLER', async () => {
    const { peer } = await connect(transport);
    await peer.send({ type: 'nobody', id: '9' });
    expect(await peer.next()).toEqual({ type: 'reply', id: '9', error: { message: 'no handler for "nobody"', code: NO_HANDLER } });
  });

  it('answers an app-level ping with a pong echoing its payload', async () => {
    const { peer } = await connect(transport);
    await peer.send({ type: 'ping', payload: { t: 123 } });
    expect(await peer.next()).toEqual({ type: 'pong', payload: { t: 123 } });
  });

  it.each([
    ['bad JSON', '{nope', FrameErrorCode.BAD_JSON],
    ['a non-object', '42', FrameErrorCode.BAD_ENVELOPE],
    ['null', 'null', FrameErrorCode.BAD_ENVELOPE],
    ['a missing type', '{"payload":1}', FrameErrorCode.BAD_ENVELOPE],
    ['a non-string type', '{"type":7}', FrameErrorCode.BAD_ENVELOPE],
    ['a non-string id', '{"type":"x","id":7}', FrameErrorCode.BAD_ENVELOPE],
    ['binary data', Buffer.from([1, 2, 3]), FrameErrorCode.NOT_TEXT],
  ])('answers %s with an error frame, counts it and stays up', async (_name, frame, code) => {
    const { peer, conn } = await connect(transport);
    await peer.send(frame);
    expect(await peer.next()).toMatchObject({ type: 'error', payload: { code } });
    expect(conn.malformed).toBe(1);
    await peer.send({ type: 'ping', payload: 'still here' });
    expect(await peer.next()).toEqual({ type: 'pong', payload: 'still here' });
    expect(conn.isOpen).toBe(true);
  });

  it('closes with 1007 past maxMalformed', async () => {
    const { peer, conn } = await connect(transport, { maxMalformed: 1 });
    const closed = new Promise((resolve) => conn.onClose(resolve));
    await peer.send('x');
    await peer.send('y');
    expect((await peer.closed).code).toBe(1007);
    expect(await closed).toMatchObject({ code: 1007 });
  });

  it('reports a throwing listener on the server and keeps routing', async () => {
    const { server, peer, conn } = await connect(transport);
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    conn.on('boom', () => {
      throw new Error('listener bug');
    });
    await peer.send({ type: 'boom' });
    await peer.send({ type: 'ping' });
    await peer.next();
    expect(errors.map((e) => e.message)).toEqual(['listener bug']);
  });

  it('reports message and close listeners whose promise rejects, as it reports a throw', async () => {
    const { server, peer, conn } = await connect(transport);
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    conn.on('save', async () => {
      await Promise.resolve();
      throw new Error('db write failed');
    });
    conn.onClose(() => Promise.reject(new Error('cleanup failed')));
    await peer.send({ type: 'save' });
    await until(() => errors.length === 1);
    expect(errors.map((e) => e.message)).toEqual(['db write failed']);
    conn.close();
    await until(() => errors.length === 2);
    expect(errors.map((e) => e.message)).toEqual(['db write failed', 'cleanup failed']);
  });

  it('closes with a code and reason the peer sees, and fires onClose once', async () => {
    const { server, peer, conn } = await connect(transport);
    const events: unknown[] = [];
    conn.onClose((event) => events.push(event));
    conn.close(4000, 'bye');
    expect(conn.send('late')).toBe(false);
    expect(await peer.closed).toEqual({ code: 4000, reason: 'bye' });
    await until(() => events.length === 1);
    expect(events).toEqual([{ code: 4000, reason: 'bye' }]);
    expect(server.connections.size).toBe(0);
  });

  it('refuses close codes that cannot be sent', async () => {
    const { conn } = await connect(transport);
    expect(() => { conn.close(1006); }).toThrow(RangeError);
    expect(() => { conn.close(1000, 'x'.repeat(124)); }).toThrow(RangeError);
    expect(conn.isOpen).toBe(true);
  });

  it('throws a TypeError naming the type when a payload cannot be serialized', async () => {
    const { conn } = await connect(transport);
    expect(() => conn.send('big', 10n)).toThrow(/"big"/);
  });

  it('ends when the peer closes, leaving its rooms', async () => {
    const { server, peer, conn } = await connect(transport);
    conn.join('lobby');
    const closed = new Promise<{ code: number }>((resolve) => conn.onClose(resolve));
    await peer.close();
    expect((await closed).code).toBe(1000);
    expect(server.to('lobby').connections).toEqual([]);
    expect(conn.isOpen).toBe(false);
  });
});
