import { describe, expect, it, vi } from 'vitest';
import type { Link } from './connection.js';
import { ManualClock, nextConnection, openSession, poll, pollHeld, probeUrl, upgradeFrame, upload, until, useServers, wsPeer, wsUrl, type Message } from './test-utils.js';

const { start, track, defer } = useServers();

const UPGRADED = { code: 1000, reason: 'upgraded' };
const frame = (type: string, payload?: unknown): string => JSON.stringify({ type, payload });

describe('long-polling → WebSocket upgrade', () => {
  it('moves the connection onto the WebSocket: same conn, no new connection, no close; the held GET ends the session', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const { sid, url, conn } = await openSession(server);
    const { id } = conn;
    const onConnection = vi.fn();
    server.on('connection', onConnection);
    const onClose = vi.fn();
    conn.onClose(onClose);
    const held = poll(url);
    await pollHeld(clock);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    expect(await held).toEqual([UPGRADED]);
    expect(conn.transport).toBe('websocket');
    expect(conn.id).toBe(id);
    expect(conn.isOpen).toBe(true);
    expect([...server.connections.values()]).toEqual([conn]);
    expect(onConnection).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
    expect(clock.pending).toBe(0); // the session's hold and expiry timers, and the probe's, are cleared
    expect((await fetch(url)).status).toBe(404);
    expect((await upload(url, [frame('late')])).status).toBe(404);
    conn.send('hello', 1);
    expect(await peer.next()).toEqual({ type: 'hello', payload: 1 });
  });

  it('answers the next GET with the frames still buffered and the end marker when no GET is held', async () => {
    const server = await start();
    const { sid, url, conn } = await openSession(server);
    conn.send('a', 1);
    conn.send('b', 2);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    conn.send('c', 3);
    const late = await upload(url, [frame('late')]); // against the protocol: the client stopped posting
    expect(late.status).toBe(410);
    expect(await late.json()).toEqual(UPGRADED);
    expect(await poll(url)).toEqual([frame('a', 1), frame('b', 2), UPGRADED]);
    expect((await fetch(url)).status).toBe(404);
    expect(await peer.next()).toEqual({ type: 'c', payload: 3 });
  });

  it('sends frames of the same tick as the switch with the last batch before it, on the WebSocket after it', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const { sid, url, conn } = await openSession(server);
    const moveTo = conn.moveTo.bind(conn);
    vi.spyOn(conn, 'moveTo').mockImplementation((link: Link) => {
      conn.send('n', 1); // queued for the held GET; its flush (a microtask) has not run yet
      const moved = moveTo(link);
      conn.send('n', 2);
      return moved;
    });
    const held = poll(url);
    await pollHeld(clock);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    expect(await held).toEqual([frame('n', 1), UPGRADED]);
    expect(await peer.next()).toEqual({ type: 'n', payload: 2 });
  });

  it('delivers every frame exactly once and in order across the switch: the GET batches, then the WebSocket', async () => {
    const server = await start();
    const { sid, url, conn } = await openSession(server);
    const viaPolling: unknown[] = [];
    const polling = (async () => {
      for (;;) {
        for (const item of await poll(url)) {
          if (typeof item !== 'string') return item;
          viaPolling.push((JSON.parse(item) as Message).payload);
        }
      }
    })();
    let sent = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 5; i++) conn.send('n', sent++);
    }, 1);
    defer(() => { clearInterval(pump); });
    await until(() => viaPolling.length >= 20);
    const peer = track(wsPeer(probeUrl(server)));
    const viaWebSocket: unknown[] = [];
    peer.socket.on('message', (data) => viaWebSocket.push((JSON.parse((data as Buffer).toString()) as Message).payload));
    await peer.send(upgradeFrame(sid));
    expect(await polling).toEqual(UPGRADED);
    await until(() => viaWebSocket.length >= 20);
    clearInterval(pump);
    await until(() => viaPolling.length + viaWebSocket.length === sent);
    expect([...viaPolling, ...viaWebSocket]).toEqual(Array.from({ length: sent }, (_, i) => i));
  });

  it('routes frames the client sends on the WebSocket to the same handlers, and answers pings there', async () => {
    const server = await start();
    const { sid, url, conn } = await openSession(server);
    const chats: unknown[] = [];
    conn.on('chat', (payload) => chats.push(payload));
    await upload(url, [frame('chat', 'over polling')]);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await peer.send({ type: 'chat', payload: 'over websocket' });
    await peer.send({ type: 'ping', payload: 7 });
    expect(await peer.next()).toEqual({ type: 'pong', payload: 7 });
    expect(chats).toEqual(['over polling', 'over websocket']);
  });

  it('replies to requests over the WebSocket, also to one received over long-polling before the switch', async () => {
    const server = await start();
    const { sid, url, conn } = await openSession(server);
    let release: (value: string) => void = () => undefined;
    const gate = new Promise<string>((resolve) => (release = resolve));
    conn.handle('slow', () => gate);
    conn.handle('sum', (payload) => (payload as number[]).reduce((a, b) => a + b, 0));
    await upload(url, [JSON.stringify({ type: 'slow', id: '1' })]);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    release('late');
    expect(await peer.next()).toEqual({ type: 'reply', id: '1', payload: 'late' });
    await peer.send({ type: 'sum', id: '2', payload: [1, 2] });
    expect(await peer.next()).toEqual({ type: 'reply', id: '2', payload: 3 });
    expect(await poll(url)).toEqual([UPGRADED]); // nothing went the old way
  });

  it('reaches the moved connection once through rooms and broadcast', async () => {
    const server = await start();
    const { sid, url, conn } = await openSession(server);
    conn.join('red');
    const other = nextConnection(server);
    const bystander = track(wsPeer(wsUrl(server)));
    await other;
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    expect(server.to('red').connections).toEqual([conn]);
    expect(server.to('red').send('room', 1)).toBe(1);
    expect(server.broadcast('all', 2)).toBe(2);
    expect(await peer.next()).toEqual({ type: 'room', payload: 1 });
    expect(await peer.next()).toEqual({ type: 'all', payload: 2 });
    expect(await bystander.next()).toEqual({ type: 'all', payload: 2 });
    expect(await poll(url)).toEqual([UPGRADED]);
    await peer.send({ type: 'ping', payload: 'last' });
    expect(await peer.next()).toEqual({ type: 'pong', payload: 'last' }); // nothing arrived twice before it
  });

  it('keeps an upgraded connection open when the session would have expired', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 10000 });
    const { sid, url, conn } = await openSession(server);
    const onClose = vi.fn();
    conn.onClose(onClose);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    clock.advance(10000); // the last batch was never fetched: forgotten, and nothing else
    expect(conn.isOpen).toBe(true);
    expect(onClose).not.toHaveBeenCalled();
    expect((await fetch(url)).status).toBe(404);
    clock.advance(60000);
    conn.send('still', 'here');
    expect(await peer.next()).toEqual({ type: 'still', payload: 'here' });
    expect(server.connections.size).toBe(1);
  });

  it('keeps the last batch for a full session timeout from the switch', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 10000 });
    const { sid, url, conn } = await openSession(server);
    conn.send('last');
    clock.advance(9000); // the client has held no poll for 9 s: the session had 1 s left
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    clock.advance(9000);
    expect(await poll(url)).toEqual([frame('last'), UPGRADED]);
  });

  it('ends the connection once, with the WebSocket close code, when the WebSocket closes later', async () => {
    const server = await start();
    const { sid, conn } = await openSession(server);
    conn.join('red');
    const closes: unknown[] = [];
    conn.onClose((event) => closes.push(event));
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    peer.socket.close(4000, 'bye');
    await until(() => closes.length > 0);
    expect(closes).toEqual([{ code: 4000, reason: 'bye' }]);
    expect(conn.isOpen).toBe(false);
    expect(server.connections.size).toBe(0);
    expect(server.to('red').connections).toEqual([]);
  });

  it('closes the WebSocket when server code closes the moved connection', async () => {
    const server = await start();
    const { sid, conn } = await openSession(server);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    conn.close(4000, 'done');
    expect(await peer.closed).toEqual({ code: 4000, reason: 'done' });
    expect(conn.send('x')).toBe(false);
  });

  it('sweeps a dead peer of the moved connection with protocol pings', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: 1000 });
    const { sid, conn } = await openSession(server);
    const closed = new Promise<{ code: number }>((resolve) => conn.onClose(resolve));
    const peer = track(wsPeer(probeUrl(server), { autoPong: false }));
    await peer.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
    const pinged = new Promise((resolve) => peer.socket.once('ping', resolve));
    clock.advance(1000);
    await pinged;
    clock.advance(1000);
    expect((await closed).code).toBe(1006);
  });
});
