// Several enhanced-ws servers attached to one app's http server, on different paths: one shared mount routes them.
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createServer } from './server.js';
import { nextConnection, rawRequest, useServers, wsPeer } from './test-utils.js';

const { defer, track } = useServers();

const UPGRADE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** An app's http server on 127.0.0.1:0; every socket it saw is destroyed after the test (a leaked one would hold close()). */
async function appServer(handler?: RequestListener): Promise<{ http: Server; port: number }> {
  const http = handler ? createHttpServer(handler) : createHttpServer();
  const sockets = new Set<Socket>();
  http.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => {
    http.close(resolve);
    for (const socket of sockets) socket.destroy();
  }));
  return { http, port: (http.address() as { port: number }).port };
}

/** Attaches a server at `path`, closed after the test. */
function attach(http: Server, path: string): ReturnType<typeof createServer> {
  const server = createServer({ server: http, path, pingIntervalMs: false });
  defer(() => server.close());
  return server;
}

describe('two servers attached to one http server', () => {
  it('serves each path with its own server', async () => {
    const { http, port } = await appServer();
    const a = attach(http, '/a');
    const b = attach(http, '/b');
    const [onA, onB] = [nextConnection(a), nextConnection(b)];
    track(wsPeer(`ws://127.0.0.1:${String(port)}/a`));
    track(wsPeer(`ws://127.0.0.1:${String(port)}/b`));
    await Promise.all([onA, onB]);
    expect([a.connections.size, b.connections.size]).toEqual([1, 1]);
  });

  it('refuses an upgrade for a path neither serves with 404, as one server does, instead of leaving it hanging', async () => {
    const { http, port } = await appServer();
    attach(http, '/a');
    attach(http, '/b');
    expect(await rawRequest(port, `GET /elsewhere HTTP/1.1\r\nHost: x\r\n${UPGRADE}\r\n`)).toBe('HTTP/1.1 404 Not Found');
  });

  it('gives the app back the path of the first one closed at once, each request reaching the app once', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const { http, port } = await appServer((req, res) => {
      seen.push(req.url ?? '');
      try {
        res.writeHead(200).end('app');
      } catch (error) {
        errors.push(error); // ERR_HTTP_HEADERS_SENT: the app's handler ran twice for one request
      }
    });
    const a = attach(http, '/a');
    attach(http, '/b');
    await a.close();
    const other = await fetch(`http://127.0.0.1:${String(port)}/other`);
    expect(await other.text()).toBe('app');
    const closedPath = await fetch(`http://127.0.0.1:${String(port)}/a?transport=polling`, { method: 'POST' });
    expect({ status: closedPath.status, body: await closedPath.text() }).toEqual({ status: 200, body: 'app' });
    const stillServed = await fetch(`http://127.0.0.1:${String(port)}/b?transport=polling`, { method: 'POST' });
    expect(stillServed.status).toBe(200);
    expect(await stillServed.json()).toHaveProperty('sid');
    expect(seen).toEqual(['/other', '/a?transport=polling']);
    expect(errors).toEqual([]);
  });

  it('gives the app its own request listeners back when the last one closes', async () => {
    const app: RequestListener = (_req, res) => res.end('app');
    const { http } = await appServer(app);
    const a = attach(http, '/a');
    const b = attach(http, '/b');
    await b.close();
    await a.close();
    expect(http.listeners('request')).toEqual([app]);
    expect(http.listenerCount('upgrade')).toBe(0);
  });

  it('throws a TypeError naming the path when a second server attaches to a path already served', async () => {
    const { http } = await appServer();
    attach(http, '/a');
    expect(() => createServer({ server: http, path: '/a' })).toThrow(/"\/a"/);
    expect(http.listenerCount('upgrade')).toBe(1);
  });
});
