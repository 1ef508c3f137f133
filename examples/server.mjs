// The demo `npm start` runs: serves examples/ and dist/ over HTTP, with the companion server (enhanced-ws/server) at /ws.
//
//   PORT=8080 HOST=127.0.0.1 node examples/server.mjs     (PORT=0 picks a free port)
//
// One http server, two jobs: static files on every path, and `createServer({ server, path: '/ws' })`
// on /ws, where WebSocket and long-polling clients meet. What the endpoint does with messages:
// - `chat`  → back to the sender (so one tab sees its messages arrive) and to every other
//             connection not in the chat examples' 'lobby' room (so two demo tabs, or a WebSocket
//             tab and a long-polling one, can chat); lobby members' `chat` is the chat handler's;
// - `echo`  → back to the sender;
// - `drop`  → that connection is cut: a WebSocket's TCP socket is destroyed with no close frame,
//             as if the network died; a long-polling session is closed with 1012 (service
//             restart). Either way, watch the client reconnect;
// - requests: `echo` resolves with its payload, `time` with the server's clock.
// Pings are answered by the companion server itself.
// The examples (/cdn-chat/, /react-chat/, /dashboard/) use the handlers in ./handlers/: a chat
// room 'lobby' and live metrics for connections that subscribe to them.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { setImmediate } from 'node:timers';
import { chat, ROOM } from './handlers/chat.mjs';
import { metrics } from './handlers/metrics.mjs';
import { fileURLToPath } from 'node:url';
import { CloseCode, createServer } from '../dist/server/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'enhanced-ws.umd.min.js');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Maps a URL path to a file under dist/ or examples/, or null when it would leave them. */
function resolvePath(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const [base, rest] = decoded.startsWith('/dist/') ? [DIST, decoded.slice('/dist/'.length)] : [EXAMPLES, decoded.slice(1)];
  const file = normalize(join(base, rest.endsWith('/') || rest === '' ? `${rest}index.html` : rest));
  return file.startsWith(base + sep) ? file : null;
}

async function serveStatic(request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolvePath(new URL(request.url ?? '/', 'http://localhost').pathname);
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

/** What the demo endpoint does with each connection (see the top of this file). */
function onConnection(server, conn) {
  conn.on('chat', (payload) => {
    if (conn.rooms.has(ROOM)) return; // a chat example's line: the chat handler owns it
    conn.send('chat', payload);
    // Every other connection outside the lobby: the chat examples would misread a demo line.
    server.broadcast('chat', payload, { except: [conn, ...server.to(ROOM).connections] });
  });
  conn.on('echo', (payload) => conn.send('echo', payload));
  conn.on('drop', () => {
    // A WebSocket's upgrade request socket is the connection's socket: destroying it is a dead network.
    if (conn.transport === 'websocket') conn.request.socket.destroy();
    else conn.close(CloseCode.SERVICE_RESTART, 'dropped on request');
  });
  conn.handle('echo', (payload) => payload);
  conn.handle('time', () => new Date().toISOString());
}

/** Starts the demo server; resolves with it once it listens. */
export async function startDemoServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const http = createHttpServer((request, response) => {
    serveStatic(request, response).catch(() => response.destroy());
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  // Attached after the static handler exists: the companion server takes /ws and leaves it every other path.
  const server = createServer({ server: http, path: '/ws', maxPayload: 64 * 1024 });
  server.on('connection', (conn) => onConnection(server, conn));
  chat(server);
  const stopMetrics = metrics(server, { room: 'metrics' });
  server.on('error', (error) => console.error('enhanced-ws demo:', error));
  await server.ready;
  return {
    http,
    server,
    port: http.address().port,
    async close() {
      stopMetrics();
      const closed = new Promise((resolve) => http.close(() => resolve()));
      await server.close(); // every connection gets 1001; the http server is ours to close
      // A turn of the event loop sends the final long-polling batches, then the rest is cut.
      setImmediate(() => http.closeAllConnections());
      await closed;
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  if (!existsSync(BUNDLE)) console.warn('warning: dist/enhanced-ws.umd.min.js is missing; run `npm run build` (or use `npm start`)');
  const host = process.env.HOST || '127.0.0.1';
  const port = Number(process.env.PORT || 8080);
  const demo = await startDemoServer({ port, host }).catch((error) => {
    console.error(`enhanced-ws demo: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  const shown = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${shown}:${demo.port}`;
  console.log(`enhanced-ws demo: open ${origin}/  (endpoint ws://${shown}:${demo.port}/ws; ${origin}/?transport=long-polling forces long-polling)`);
  const stop = () => {
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
