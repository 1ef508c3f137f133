import { createServer as createHttpServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createServer, SHUTDOWN_GRACE_MS } from './server.js';
import { httpUrl, ManualClock, nextConnection, openSession, pollHeld, pollingPeer, rawRequest, until, upload, useServers, wsPeer, wsUrl } from './test-utils.js';

const { start, track, defer } = useServers();

describe('createServer', () => {
  it('throws a TypeError naming a bad option', () => {
    expect(() => createServer({})).toThrow(/"port"/);
    expect(() => createServer({ port: 0, path: 'ws' })).toThrow(/"path"/);
    expect(() => createServer({ port: 0, maxPayload: -1 })).toThrow(/"maxPayload"/);
    expect(() => createServer({ port: 0, allowedOrigins: 'x' as never })).toThrow(/"allowedOrigins"/);
    expect(() => createServer({ port: 0, nope: 1 } as never)).toThrow(/unknown option "nope"/);
    expect(() => createServer({ port: 0, path: Object.create(null) as string })).toThrow(/option "path" must be .*, got \[object Object\]/);
  });

  it('reports a connection listener that throws an object without a prototype, instead of crashing in its report', async () => {
    const server = await start();
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    const connection = nextConnection(server);
    server.on('connection', () => {
      throw Object.create(null) as Error; // server.ts _report: new Error(String(error)) throws on it
    });
    const later: unknown[] = [];
    server.on('connection', (conn) => later.push(conn)); // a listener after it is skipped
    track(wsPeer(wsUrl(server)));
    expect((await connection).isOpen).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(later).toHaveLength(1); // today: 0, and an unhandled rejection (which ends a Node process by default)
    expect(errors.map((error) => error.message)).toEqual(['[object Object]']);
  });
  it('listens on port 0 and reports the bound port', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.address()).toMatchObject({ port: server.port, address: '127.0.0.1' });
  });

  it('serves the path it is given', async () => {
    const server = await start({ path: '/realtime' });
    const connection = nextConnection(server);
    track(wsPeer(wsUrl(server, '/realtime')));
    await connection;
    track(await pollingPeer(httpUrl(server, '', '/realtime')));
    expect(server.connections.size).toBe(2);
  });

  it('rejects ready when the port is taken, and reports it', async () => {
    const first = await start();
    const second = createServer({ port: first.port ?? 0, host: '127.0.0.1' });
    defer(() => second.close());
    const errors: Error[] = [];
    second.on('error', (error) => errors.push(error));
    await expect(second.ready).rejects.toThrow(/EADDRINUSE/);
    expect(errors).toHaveLength(1);
  });

  it('reports a throwing connection listener and keeps the connection', async () => {
    const server = await start();
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    server.on('connection', () => {
      throw new Error('app bug');
    });
    const connection = nextConnection(server);
    track(wsPeer(wsUrl(server)));
    expect((await connection).isOpen).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['app bug']);
  });

  it('reports a connection listener whose promise rejects, as it reports a throw', async () => {
    const server = await start();
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    server.on('connection', async () => {
      await Promise.resolve();
      throw new Error('async app bug');
    });
    const connection = nextConnection(server);
    track(wsPeer(wsUrl(server)));
    expect((await connection).isOpen).toBe(true);
    await until(() => errors.length > 0);
    expect(errors.map((e) => e.message)).toEqual(['async app bug']);
  });
});

describe('a request target that is no URL', () => {
  // Node's parser takes `//a:b` (it starts with "/"), but `new URL('//a:b', base)` throws.
  const UPGRADE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

  it('is answered 400 on a server it owns, which keeps serving', async () => {
    const server = await start();
    expect(await rawRequest(server.port, 'GET //a:b HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest(server.port, 'POST //a:b?transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    const connection = nextConnection(server);
    track(wsPeer(wsUrl(server)));
    expect((await connection).isOpen).toBe(true);
  });

  it('refuses an upgrade with 400 on a server it owns', async () => {
    const server = await start();
    expect(await rawRequest(server.port, `GET //a:b HTTP/1.1\r\nHost: x\r\n${UPGRADE}\r\n`)).toBe('HTTP/1.1 400 Bad Request');
  });

  it('is left to the app of a server it is attached to, like any other path', async () => {
    const app = createHttpServer((_req, res) => res.writeHead(418).end());
    const upgrades = vi.fn((_req: unknown, socket: { end(text: string): void }) => {
      socket.end('HTTP/1.1 421 Misdirected Request\r\n\r\n');
    });
    app.on('upgrade', upgrades);
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    defer(async () => {
      const closed = new Promise((resolve) => app.close(resolve));
      app.closeAllConnections();
      await closed;
    });
    const server = createServer({ server: app });
    defer(() => server.close());
    await server.ready;
    expect(await rawRequest(server.port, 'GET //a:b HTTP/1.1\r\nHost: x\r\n\r\n')).toBe("HTTP/1.1 418 I'm a Teapot");
    expect(await rawRequest(server.port, `GET //a:b HTTP/1.1\r\nHost: x\r\n${UPGRADE}\r\n`)).toBe('HTTP/1.1 421 Misdirected Request');
    expect(upgrades).toHaveBeenCalledTimes(1);
  });
});

describe('attached to an existing http server', () => {
  /** An app's own http server on loopback, closed after the test. */
  async function listen(app: Server): Promise<number> {
    defer(async () => {
      const closed = new Promise((resolve) => app.close(resolve));
      app.closeAllConnections();
      await closed;
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const address = app.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  it('serves its path and leaves the app its other routes, upgrades and the listening socket', async () => {
    const app = createHttpServer((_req, res) => res.end('app'));
    const port = await listen(app);
    const clock = new ManualClock();
    const server = createServer({ server: app, clock, pingIntervalMs: false });
    defer(() => server.close());
    await server.ready;
    expect(server.port).toBe(port);
    const other = vi.fn((req: { url?: string }, socket: { destroy(): void }) => {
      if (req.url === '/elsewhere') socket.destroy();
    });
    app.on('upgrade', other);
    expect(await (await fetch(`http://127.0.0.1:${String(port)}/ws-not`)).text()).toBe('app');
    const connection = nextConnection(server);
    const peer = track(wsPeer(`ws://127.0.0.1:${String(port)}/ws`));
    await connection;
    const polling = track(await pollingPeer(`http://127.0.0.1:${String(port)}/ws`));
    await pollHeld(clock);
    expect(server.connections.size).toBe(2);
    const elsewhere = wsPeer(`ws://127.0.0.1:${String(port)}/elsewhere`);
    await elsewhere.closed;
    expect(other).toHaveBeenCalledWith(expect.objectContaining({ url: '/elsewhere' }), expect.anything(), expect.anything());

    await server.close();
    expect((await peer.closed).code).toBe(1001);
    expect((await polling.closed).code).toBe(1001); // its held poll got the close
    expect(app.listening).toBe(true);
    const after = await fetch(`http://127.0.0.1:${String(port)}/ws?transport=polling`, { method: 'POST' });
    expect(await after.text()).toBe('app'); // the app has its routes back
  });

  it('waits for the server to listen', async () => {
    const app = createHttpServer();
    const server = createServer({ server: app });
    defer(() => server.close());
    let ready = false;
    void server.ready.then(() => (ready = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ready).toBe(false);
    await listen(app);
    await server.ready;
    expect(server.port).toBeGreaterThan(0);
  });
});

describe('broadcast and rooms', () => {
  it('broadcasts to every connection of both transports, except the ones named', async () => {
    const server = await start();
    const c1 = nextConnection(server);
    const a = track(wsPeer(wsUrl(server)));
    const connA = await c1;
    const c2 = nextConnection(server);
    const b = track(await pollingPeer(httpUrl(server)));
    await c2;
    const c3 = nextConnection(server);
    const c = track(wsPeer(wsUrl(server)));
    await c3;
    expect(server.broadcast('news', { n: 1 }, { except: connA })).toBe(2);
    expect(await b.next()).toEqual({ type: 'news', payload: { n: 1 } });
    expect(await c.next()).toEqual({ type: 'news', payload: { n: 1 } });
    expect(server.broadcast('news', { n: 2 })).toBe(3);
    expect(await a.next()).toEqual({ type: 'news', payload: { n: 2 } });
  });

  it('sends to the members of a room only, until they leave', async () => {
    const server = await start();
    const c1 = nextConnection(server);
    const a = track(wsPeer(wsUrl(server)));
    const connA = await c1;
    const c2 = nextConnection(server);
    const b = track(await pollingPeer(httpUrl(server)));
    const connB = await c2;
    connA.join('red');
    connB.join('red');
    connB.join('blue');
    expect(connB.rooms).toEqual(new Set(['red', 'blue']));
    expect(server.to('red').send('hi', 'red', { except: [connA] })).toBe(1);
    expect(await b.next()).toEqual({ type: 'hi', payload: 'red' });
    connB.leave('red');
    expect(server.to('red').send('hi', 'red again')).toBe(1);
    expect(await a.next()).toEqual({ type: 'hi', payload: 'red again' });
    expect(server.to('blue').connections).toEqual([connB]);
    expect(server.to('nobody').send('hi')).toBe(0);
  });
});

describe('maxConnections', () => {
  it('closes the connection over the cap with 4429 (WebSocket) or 429 (long-polling), and frees slots', async () => {
    const server = await start({ maxConnections: 1 });
    const connection = nextConnection(server);
    const first = track(wsPeer(wsUrl(server)));
    await connection;
    const second = track(wsPeer(wsUrl(server)));
    expect(await second.closed).toEqual({ code: 4429, reason: 'too many connections' });
    const refused = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ code: 4429, reason: 'too many connections' });
    await first.close();
    const third = nextConnection(server);
    track(await pollingPeer(httpUrl(server)));
    expect((await third).transport).toBe('long-polling');
  });
});

describe('close()', () => {
  it('closes every connection with 1001, then the http server it created', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const c1 = nextConnection(server);
    const ws = track(wsPeer(wsUrl(server)));
    const conn = await c1;
    const polling = track(await pollingPeer(httpUrl(server)));
    await pollHeld(clock);
    const closes: unknown[] = [];
    conn.onClose((event) => closes.push(event));
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    expect(await ws.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await polling.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(closes).toEqual([{ code: 1001, reason: 'server shutting down' }]);
    expect(server.connections.size).toBe(0);
    await expect(fetch(httpUrl(server))).rejects.toThrow();
  });

  it('closes with 1001 a socket whose authenticate hook is still running, without waiting for the hook', async () => {
    // The socket is paused while the hook runs; paused, it would never read the peer's close reply.
    const clock = new ManualClock(); // the grace timer never fires: only a prompt close passes
    let called = false;
    const server = await start({
      clock,
      pingIntervalMs: false,
      authenticate: () => {
        called = true;
        return new Promise(() => undefined); // a lookup that hangs
      },
    });
    const onConnection = vi.fn();
    server.on('connection', onConnection);
    const peer = track(wsPeer(wsUrl(server)));
    await peer.send({ type: 'auth', payload: 'token' });
    await until(() => called);
    const outcome = await Promise.race([
      server.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => { resolve('still closing after 1 s'); }, 1000)),
    ]);
    expect(outcome).toBe('closed');
    expect(await peer.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(onConnection).not.toHaveBeenCalled();
  });

  it('answers a long-polling upload that arrives while it closes (not processed: 404), instead of leaving it hanging', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const { url } = await openSession(server);
    const connection = nextConnection(server);
    const peer = wsPeer(wsUrl(server));
    await connection;
    await peer.opened;
    peer.socket.pause(); // holds close() open until the grace
    const closing = server.close();
    const response = await upload(url, [JSON.stringify({ type: 'late', payload: 1 })]);
    expect(response.status).toBe(404);
    clock.advance(SHUTDOWN_GRACE_MS);
    await closing;
    peer.socket.terminate();
  });

  it('accepts a WebSocket arriving while it closes and closes it with 1001, as it sends every refusal (not a bare 503)', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const connection = nextConnection(server);
    const holder = wsPeer(wsUrl(server));
    await connection;
    await holder.opened;
    holder.socket.pause(); // never answers the close frame: close() stays in progress until the grace
    const closing = server.close();
    const late = await wsPeer(wsUrl(server)).closed;
    clock.advance(SHUTDOWN_GRACE_MS);
    await closing;
    holder.socket.terminate();
    expect(late).toEqual({ code: 1001, reason: 'server shutting down' });
  });

  it('answers a long-polling handshake whose authenticate hook is still running with 503 { code: 1001 } at once, before cutting connections', async () => {
    const clock = new ManualClock();
    let called = false;
    let settle: (user: unknown) => void = () => undefined;
    const server = await start({
      clock,
      pingIntervalMs: false,
      authenticate: () => {
        called = true;
        return new Promise((resolve) => (settle = resolve));
      },
    });
    const onConnection = vi.fn();
    server.on('connection', onConnection);
    const handshake = fetch(httpUrl(server, '?transport=polling'), { method: 'POST' }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as unknown }),
      (error: unknown) => ({ networkError: String(error) }),
    );
    await until(() => called);
    const closing = server.close();
    expect(await handshake).toEqual({ status: 503, body: { code: 1001, reason: 'server shutting down' } });
    await closing;
    settle('late user'); // the verdict comes too late: it opens no connection
    await new Promise((resolve) => setImmediate(resolve));
    expect(onConnection).not.toHaveBeenCalled();
    expect(server.connections.size).toBe(0);
  });

  it('closes at once, without running authenticate, a WebSocket peer whose first frame crossed the close frame', async () => {
    const clock = new ManualClock(); // the grace timer fires only when the test advances it: only a prompt close passes
    const authenticate = vi.fn(() => new Promise(() => undefined)); // a slow hook (a database call, say)
    const server = await start({ clock, pingIntervalMs: false, authenticate });
    const peer = wsPeer(wsUrl(server)); // awaited for its first frame (authTimeoutMs)
    await peer.opened;
    peer.socket.pause(); // its `auth` frame leaves before it reads the close frame: they cross
    const closing = server.close();
    peer.socket.send(JSON.stringify({ type: 'auth', payload: 'token' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    peer.socket.resume(); // reads the 1001 and answers it at once
    // Had the late frame run the hook, it would have paused the socket again, after close() resumed
    // it: the peer's close reply would stay unread until the grace.
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => { resolve('still closing after 1 s'); }, 1000)),
    ]);
    clock.advance(SHUTDOWN_GRACE_MS); // so that a close() stuck on the paused socket ends, and the test fails rather than hangs
    await closing;
    peer.socket.terminate();
    expect({ outcome, hookCalls: authenticate.mock.calls.length }).toEqual({ outcome: 'closed', hookCalls: 0 });
    expect(await peer.closed).toMatchObject({ code: 1001 });
  });

  it('does not run authenticate for a long-polling handshake answered 503 while its body was still arriving', async () => {
    const app = createHttpServer();
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    defer(() => new Promise((resolve) => { app.close(resolve); app.closeAllConnections(); }));
    const authenticate = vi.fn(() => ({ id: 1 }));
    // Attached, so that close() leaves the socket open and the rest of the body can still arrive.
    const server = createServer({ server: app, pingIntervalMs: false, authenticate });
    const socket = connect((app.address() as { port: number }).port, '127.0.0.1');
    defer(() => socket.destroy());
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.write('POST /ws?transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    await until(() => answer.includes('\r\n'));
    expect(answer.slice(0, answer.indexOf('\r\n'))).toBe('HTTP/1.1 503 Service Unavailable');
    socket.write('}'); // the rest of the body, after close() resolved
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('does not leave a server it created listening when called before it listens (a host name is looked up first)', async () => {
    // An IP literal is not looked up, and would listen at once: 'localhost' leaves close() a window.
    const server = createServer({ port: 0, host: 'localhost', pingIntervalMs: false });
    const http = (server as unknown as { _http: Server })._http; // to stop it, should close() not have
    defer(() => new Promise((resolve) => { if (http.listening) http.close(resolve); else resolve(undefined); }));
    expect(http.listening).toBe(false);
    await server.close();
    await server.ready.catch(() => undefined);
    expect(http.listening).toBe(false); // else listening for good, with nobody answering its requests
    expect(server.port).toBeNull();
  });

  it('drops a WebSocket peer that does not answer the close frame after SHUTDOWN_GRACE_MS (1006)', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const connection = nextConnection(server);
    const peer = wsPeer(wsUrl(server));
    const conn = await connection;
    const closed = new Promise<{ code: number }>((resolve) => conn.onClose(resolve));
    await peer.opened;
    peer.socket.pause(); // reads nothing more: the close frame stays unanswered
    let done = false;
    const closing = server.close().then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    clock.advance(SHUTDOWN_GRACE_MS - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    clock.advance(1);
    await closing;
    expect((await closed).code).toBe(1006);
    peer.socket.terminate();
  });
});
