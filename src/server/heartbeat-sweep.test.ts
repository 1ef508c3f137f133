import { describe, expect, it } from 'vitest';
import { ManualClock, nextConnection, useServers, wsPeer, wsUrl } from './test-utils.js';

const { start, track } = useServers();

describe('HeartbeatSweep', () => {
  it('terminates a peer that stops answering protocol pings, ending its connection with 1006', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: 1000 });
    const connection = nextConnection(server);
    const peer = track(wsPeer(wsUrl(server), { autoPong: false }));
    const conn = await connection;
    const closed = new Promise<{ code: number }>((resolve) => conn.onClose(resolve));
    const pinged = new Promise((resolve) => peer.socket.once('ping', resolve));
    clock.advance(1000);
    await pinged; // first sweep: pinged, marked as waiting
    expect(conn.isOpen).toBe(true);
    clock.advance(1000); // second sweep: no pong since, terminated
    expect((await closed).code).toBe(1006);
    expect((await peer.closed).code).toBe(1006);
  });

  it('keeps a peer that answers', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: 1000 });
    const connection = nextConnection(server);
    const peer = track(wsPeer(wsUrl(server)));
    const conn = await connection;
    for (let i = 0; i < 3; i++) {
      const pong = new Promise((resolve) => conn.request.socket.once('data', resolve));
      clock.advance(1000);
      await pong;
    }
    expect(conn.isOpen).toBe(true);
    await peer.send({ type: 'ping', payload: 'alive' });
    expect(await peer.next()).toEqual({ type: 'pong', payload: 'alive' });
  });

  it('stops with the server', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: 1000 });
    expect(clock.pending).toBe(1);
    await server.close();
    expect(clock.pending).toBe(0);
  });
});
