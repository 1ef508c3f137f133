import { describe, expect, it, vi } from 'vitest';
import type { Connection } from './connection.js';
import { httpUrl, ManualClock, nextConnection, openSession, poll, probeUrl, upgradeFrame, until, useServers, wsPeer, wsUrl } from './test-utils.js';

const { start, track } = useServers();

const NO_SESSION = { code: 4404, reason: 'no live long-polling session to upgrade' };

/** The connection still runs on long-polling and its frames still arrive there. */
async function stillPolling(conn: Connection, url: string): Promise<void> {
  expect(conn.transport).toBe('long-polling');
  expect(conn.isOpen).toBe(true);
  conn.send('still', 'polling');
  expect(await poll(url)).toEqual(['{"type":"still","payload":"polling"}']);
}

describe('long-polling → WebSocket upgrade: who may upgrade', () => {
  it('closes the probe with 4404 for an unknown sid and leaves the session alone', async () => {
    const server = await start();
    const { url, conn } = await openSession(server);
    const onConnection = vi.fn();
    server.on('connection', onConnection);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame('not-a-session'));
    expect(await peer.closed).toEqual(NO_SESSION);
    expect(onConnection).not.toHaveBeenCalled();
    await stillPolling(conn, url);
  });

  it.each([
    ['no payload', { type: 'upgrade' }],
    ['a string payload', { type: 'upgrade', payload: 'sid' }],
    ['a sid that is not a string', { type: 'upgrade', payload: { sid: 5 } }],
    ['another first frame', { type: 'auth', payload: 'token' }],
    ['binary', Buffer.from('upgrade')],
  ])('closes the probe with 4404 on %s', async (_name, first) => {
    const server = await start();
    const { url, conn } = await openSession(server);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(first);
    expect(await peer.closed).toEqual(NO_SESSION);
    await stillPolling(conn, url);
  });

  it('closes with 4404 a probe to a session that is closing or gone, or already upgraded', async () => {
    const server = await start();
    const closing = await openSession(server);
    closing.conn.close(4000, 'done'); // its last batch is not fetched yet
    const first = track(wsPeer(probeUrl(server)));
    await first.send(upgradeFrame(closing.sid));
    expect(await first.closed).toEqual(NO_SESSION);

    const moved = await openSession(server);
    const winner = track(wsPeer(probeUrl(server)));
    await winner.send(upgradeFrame(moved.sid));
    await until(() => moved.conn.transport === 'websocket');
    const loser = track(wsPeer(probeUrl(server)));
    await loser.send(upgradeFrame(moved.sid));
    expect(await loser.closed).toEqual(NO_SESSION);
    await winner.send({ type: 'ping', payload: 1 });
    expect(await winner.next()).toEqual({ type: 'pong', payload: 1 });
  });

  it('closes with 4404 a probe to an expired session', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 1000 });
    const { sid } = await openSession(server);
    clock.advance(1000);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.send(upgradeFrame(sid));
    expect(await peer.closed).toEqual(NO_SESSION);
  });

  it.each([
    [1000, 1000],
    [0, 5000],
  ])('closes with 4404 a probe that sends nothing (authTimeoutMs %i: after %i ms)', async (authTimeoutMs, waited) => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, authTimeoutMs });
    const { url, conn } = await openSession(server);
    const peer = track(wsPeer(probeUrl(server)));
    await peer.opened;
    await until(() => clock.delays().includes(waited));
    clock.advance(waited - 1);
    expect(await Promise.race([peer.closed, new Promise((resolve) => setTimeout(resolve, 20, 'open'))])).toBe('open');
    clock.advance(1);
    expect(await peer.closed).toEqual(NO_SESSION);
    await stillPolling(conn, url);
  });

  it('refuses a probe from a disallowed Origin like any WebSocket (1008), and leaves the session alone', async () => {
    const server = await start({ allowedOrigins: ['https://app.example'] });
    const { sid, url, conn } = await openSession(server, { headers: { Origin: 'https://app.example' } });
    const evil = track(wsPeer(probeUrl(server), { origin: 'https://evil.example' }));
    await evil.send(upgradeFrame(sid));
    expect(await evil.closed).toEqual({ code: 1008, reason: 'origin not allowed' });
    await stillPolling(conn, url);
    const good = track(wsPeer(probeUrl(server), { origin: 'https://app.example' }));
    await good.send(upgradeFrame(sid));
    await until(() => conn.transport === 'websocket');
  });

  it('skips authenticate (the sid is the credential), also for an unmarked socket when the server waits for a first frame', async () => {
    const authenticate = vi.fn((_request: unknown, token: string | undefined) => token === 'good' && { name: 'ada' });
    const server = await start({ authenticate });
    const marked = await openSession(server, { headers: { Authorization: 'Bearer good' } });
    const unmarked = await openSession(server, { headers: { Authorization: 'Bearer good' } });
    expect(authenticate).toHaveBeenCalledTimes(2);
    const a = track(wsPeer(probeUrl(server)));
    await a.send(upgradeFrame(marked.sid));
    const b = track(wsPeer(wsUrl(server)));
    await b.send(upgradeFrame(unmarked.sid));
    await until(() => marked.conn.transport === 'websocket' && unmarked.conn.transport === 'websocket');
    expect(unmarked.conn.user).toEqual({ name: 'ada' });
    expect(authenticate).toHaveBeenCalledTimes(2);
  });

  describe('maxConnections', () => {
    it('counts the connection once: a marked probe upgrades at the cap, and closing frees exactly one slot', async () => {
      const server = await start({ maxConnections: 1 });
      const { sid, conn } = await openSession(server);
      const probe = track(wsPeer(probeUrl(server)));
      await probe.send(upgradeFrame(sid));
      await until(() => conn.transport === 'websocket');
      const over = track(wsPeer(wsUrl(server)));
      expect(await over.closed).toEqual({ code: 4429, reason: 'too many connections' });
      expect((await fetch(httpUrl(server, '?transport=polling'), { method: 'POST' })).status).toBe(429);
      await probe.close();
      await until(() => server.connections.size === 0);
      const next = nextConnection(server);
      track(wsPeer(wsUrl(server)));
      await next;
      expect((await track(wsPeer(wsUrl(server))).closed).code).toBe(4429);
    });

    it('gives back the slot an unmarked socket took once it turns out to be an upgrade', async () => {
      const server = await start({ maxConnections: 2, authenticate: () => true });
      const { sid, conn } = await openSession(server);
      const probe = track(wsPeer(wsUrl(server)));
      await probe.send(upgradeFrame(sid));
      await until(() => conn.transport === 'websocket');
      const next = nextConnection(server);
      const second = track(wsPeer(wsUrl(server)));
      await second.send({ type: 'auth', payload: 'x' });
      await next;
      expect((await track(wsPeer(wsUrl(server))).closed).code).toBe(4429);
    });

    it('lets at most one marked probe per live session wait for its first frame', async () => {
      const server = await start({ maxConnections: 10 });
      const { sid, conn } = await openSession(server);
      const waiting = track(wsPeer(probeUrl(server)));
      await waiting.opened;
      const extra = track(wsPeer(probeUrl(server)));
      expect(await extra.closed).toEqual(NO_SESSION);
      await waiting.send(upgradeFrame(sid));
      await until(() => conn.transport === 'websocket');
    });
  });
});
