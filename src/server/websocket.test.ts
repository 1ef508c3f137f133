import type { IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { ForbiddenError } from './admission.js';
import { ManualClock, nextConnection, useServers, wsPeer, wsUrl } from './test-utils.js';

const { start, track } = useServers();

describe('WebSocket admission', () => {
  describe('allowedOrigins', () => {
    it('accepts the upgrade and closes with 1008 when the Origin is not in the list', async () => {
      const server = await start({ allowedOrigins: ['https://app.example'] });
      const onConnection = vi.fn();
      server.on('connection', onConnection);
      const peer = track(wsPeer(wsUrl(server), { origin: 'https://evil.example' }));
      await peer.opened; // the upgrade itself succeeds: a browser could not read a refused one
      expect(await peer.closed).toEqual({ code: 1008, reason: 'origin not allowed' });
      expect(onConnection).not.toHaveBeenCalled();
    });

    it('accepts a listed Origin, and a request without one', async () => {
      const server = await start({ allowedOrigins: ['https://app.example'] });
      const first = nextConnection(server);
      track(wsPeer(wsUrl(server), { origin: 'https://app.example' }));
      await first;
      const second = nextConnection(server);
      track(wsPeer(wsUrl(server)));
      expect((await second).isOpen).toBe(true);
    });

    it('asks a predicate', async () => {
      const allowed = vi.fn((origin: string) => origin.endsWith('.example'));
      const server = await start({ allowedOrigins: allowed });
      const peer = track(wsPeer(wsUrl(server), { origin: 'https://other.test' }));
      expect((await peer.closed).code).toBe(1008);
      expect(allowed).toHaveBeenCalledWith('https://other.test');
    });

    it('closes with 1011 (retryable) and reports when the predicate throws', async () => {
      const server = await start({ allowedOrigins: () => { throw new Error('origin db down'); } });
      const errors: Error[] = [];
      server.on('error', (error) => errors.push(error));
      const onConnection = vi.fn();
      server.on('connection', onConnection);
      const peer = track(wsPeer(wsUrl(server), { origin: 'https://app.example' }));
      expect(await peer.closed).toEqual({ code: 1011, reason: 'origin check failed' });
      expect(errors.map((e) => e.message)).toEqual(['origin db down']);
      expect(onConnection).not.toHaveBeenCalled();
    });

    it('refuses (1011) and reports a predicate that returns a Promise instead of allowing every Origin', async () => {
      const server = await start({ allowedOrigins: (() => Promise.resolve(true)) as unknown as (origin: string) => boolean });
      const errors: Error[] = [];
      server.on('error', (error) => errors.push(error));
      const peer = track(wsPeer(wsUrl(server), { origin: 'https://evil.test' }));
      expect(await peer.closed).toEqual({ code: 1011, reason: 'origin check failed' });
      expect(errors.map((e) => e.message)).toEqual(['enhanced-ws: allowedOrigins must return a boolean, got a Promise']);
    });
  });

  describe('authenticate', () => {
    it('takes the credentials from an auth first frame and exposes what it returned as conn.user', async () => {
      const authenticate = vi.fn((_request: IncomingMessage, token: string | undefined) => (token === 'good' ? { name: 'ada' } : null));
      const server = await start({ authenticate });
      const connection = nextConnection(server);
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'auth', payload: 'good' });
      await peer.send({ type: 'ping', payload: 1 });
      const conn = await connection;
      expect(conn.user).toEqual({ name: 'ada' });
      expect(authenticate).toHaveBeenCalledWith(expect.objectContaining({ url: '/ws' }), 'good');
      // the acceptance is acknowledged before anything else, so the client opens only now
      expect(await peer.next()).toEqual({ type: 'auth', payload: { ok: true } });
      expect(await peer.next()).toEqual({ type: 'pong', payload: 1 });
    });

    it('answers the auth frame before anything a connection listener sends', async () => {
      const server = await start({ authenticate: () => true });
      server.on('connection', (conn) => conn.send('hello', 1));
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'auth', payload: 't' });
      expect(await peer.next()).toEqual({ type: 'auth', payload: { ok: true } });
      expect(await peer.next()).toEqual({ type: 'hello', payload: 1 });
    });

    it('closes with 4401 when the hook returns a falsy value', async () => {
      const server = await start({ authenticate: async () => Promise.resolve(false) });
      const onConnection = vi.fn();
      server.on('connection', onConnection);
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'auth', payload: 'bad' });
      expect(await peer.closed).toEqual({ code: 4401, reason: 'unauthorized' });
      expect(onConnection).not.toHaveBeenCalled();
      expect(server.connections.size).toBe(0);
    });

    it('closes with 4403 when the hook throws a ForbiddenError', async () => {
      const server = await start({
        authenticate: () => {
          throw new ForbiddenError('banned');
        },
      });
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'auth', payload: 'x' });
      expect(await peer.closed).toEqual({ code: 4403, reason: 'banned' });
    });

    it('closes with 1011 (retryable) and reports when the hook fails otherwise', async () => {
      const server = await start({ authenticate: () => Promise.reject(new Error('db down')) });
      const errors: Error[] = [];
      server.on('error', (error) => errors.push(error));
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'auth', payload: 'x' });
      expect((await peer.closed).code).toBe(1011);
      expect(errors.map((e) => e.message)).toEqual(['db down']);
    });

    it('passes undefined when the first frame is not auth, and delivers that frame after acceptance', async () => {
      const authenticate = vi.fn(() => true);
      const server = await start({ authenticate });
      const connection = nextConnection(server);
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'ping', payload: 'first' });
      expect(await peer.next()).toEqual({ type: 'pong', payload: 'first' });
      await connection;
      expect(authenticate).toHaveBeenCalledWith(expect.anything(), undefined);
    });

    it('delivers the frames sent while the hook runs, in order', async () => {
      let accept: (value: boolean) => void = () => undefined;
      const server = await start({ authenticate: () => new Promise<boolean>((resolve) => (accept = resolve)) });
      const connection = nextConnection(server);
      const peer = track(wsPeer(wsUrl(server)));
      await peer.send({ type: 'auth', payload: 't' });
      for (let i = 0; i < 5; i++) await peer.send({ type: 'ping', payload: i });
      await new Promise((resolve) => setTimeout(resolve, 20));
      accept(true);
      await connection;
      expect(await peer.next()).toEqual({ type: 'auth', payload: { ok: true } });
      const pongs = [];
      for (let i = 0; i < 5; i++) pongs.push((await peer.next()).payload);
      expect(pongs).toEqual([0, 1, 2, 3, 4]);
    });

    it('authenticates with undefined credentials when no frame arrives within authTimeoutMs', async () => {
      const clock = new ManualClock();
      const authenticate = vi.fn(() => 'cookie-user');
      const server = await start({ authenticate, clock, authTimeoutMs: 1000, pingIntervalMs: false });
      const connection = nextConnection(server);
      const peer = track(wsPeer(wsUrl(server)));
      await peer.opened;
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(authenticate).not.toHaveBeenCalled();
      clock.advance(1000);
      expect((await connection).user).toBe('cookie-user');
      expect(authenticate).toHaveBeenCalledWith(expect.anything(), undefined);
    });

    it('does not wait for a frame with authTimeoutMs: 0 (cookie or header auth)', async () => {
      const server = await start({ authenticate: (request) => request.headers['x-user'], authTimeoutMs: 0 });
      const connection = nextConnection(server);
      track(wsPeer(wsUrl(server), { headers: { 'x-user': 'grace' } }));
      expect((await connection).user).toBe('grace');
    });

    it('acknowledges an auth first frame without routing it when there is no hook; later ones are messages', async () => {
      const server = await start();
      const connection = nextConnection(server);
      const peer = track(wsPeer(wsUrl(server)));
      const conn = await connection;
      const auth = vi.fn();
      conn.on('auth', auth);
      await peer.send({ type: 'auth', payload: 'x' });
      expect(await peer.next()).toEqual({ type: 'auth', payload: { ok: true } });
      await peer.send({ type: 'auth', payload: 'y' });
      await peer.send({ type: 'ping' });
      await peer.next();
      expect(auth).toHaveBeenCalledTimes(1);
      expect(auth).toHaveBeenCalledWith('y', { type: 'auth', payload: 'y' });
    });
  });

  it('closes with 1009 when a message exceeds maxPayload', async () => {
    const server = await start({ maxPayload: 64 });
    const connection = nextConnection(server);
    const peer = track(wsPeer(wsUrl(server)));
    const conn = await connection;
    const closed = new Promise<{ code: number }>((resolve) => conn.onClose(resolve));
    await peer.send({ type: 'small' });
    await peer.send({ type: 'big', payload: 'x'.repeat(100) });
    expect((await peer.closed).code).toBe(1009);
    expect((await closed).code).toBe(1009);
    expect(server.connections.size).toBe(0);
  });

  it('refuses upgrades on other paths with 404 when it owns the server', async () => {
    const server = await start();
    const peer = track(wsPeer(wsUrl(server, '/other')));
    const error = await new Promise<Error>((resolve) => peer.socket.once('error', resolve));
    expect(error.message).toMatch(/404/);
  });
});
