// The demo `npm start` runs: serves examples/ and dist/ over HTTP and an echo WebSocket endpoint at /ws.
//
//   PORT=8080 HOST=127.0.0.1 node examples/server.mjs     (PORT=0 picks a free port)
//
// The endpoint speaks docs/protocol.md with plain `ws`: `ping` → `pong` with the same payload,
// a frame with an `id` → `reply` with the same payload, `drop` → the socket is terminated
// (no close frame, as if the network died) so you can watch the client reconnect, anything
// else → echoed back as-is.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

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

function parse(text) {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof value.type === 'string' ? value : null;
  } catch {
    return null;
  }
}

function onConnection(socket) {
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      socket.send(data, { binary: true });
      return;
    }
    const text = data.toString();
    const message = parse(text);
    if (message?.type === 'drop') socket.terminate();
    else if (message?.type === 'ping') socket.send(JSON.stringify({ type: 'pong', payload: message.payload }));
    else if (message?.id !== undefined) socket.send(JSON.stringify({ type: 'reply', id: message.id, payload: message.payload }));
    else socket.send(text);
  });
}

/** Starts the demo server; resolves with it once it listens. */
export async function startDemoServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const server = createServer((request, response) => {
    serveStatic(request, response).catch(() => response.destroy());
  });
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 64 * 1024 });
  wss.on('connection', onConnection);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    server,
    wss,
    port: server.address().port,
    async close() {
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
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
  console.log(`enhanced-ws demo: open http://${shown}:${demo.port}/  (WebSocket endpoint ws://${shown}:${demo.port}/ws)`);
  const stop = () => {
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
