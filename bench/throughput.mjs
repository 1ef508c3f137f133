// Prints what the client costs over a bare WebSocket: messages per second each way, and request
// round trips, on loopback in Node (the `ws` package as the WebSocket). Run `npm run build` first.
// Numbers vary by machine; compare the two columns of one run, not runs on different machines.
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { EnhancedWebSocketClient } from '../dist/index.js';
import { createServer } from '../dist/server/index.js';

const MESSAGES = 100_000;
const REQUESTS = 2_000;

/** A plain `ws` server: counts what arrives, and pushes `count` frames on a `push` request. */
async function plainServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const state = { received: 0, onAll: () => {} };
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"push"')) {
        const { count } = JSON.parse(text).payload;
        for (let n = 0; n < count; n++) socket.send(JSON.stringify({ type: 'tick', payload: { n } }));
        return;
      }
      if (++state.received === MESSAGES) state.onAll();
    });
  });
  return { url: `ws://127.0.0.1:${wss.address().port}`, state, close: () => new Promise((resolve) => wss.close(resolve)) };
}

const rate = (count, ms) => Math.round((count / ms) * 1000);

/** Sends MESSAGES frames and resolves with messages/s once the server has them all. */
async function sendRate(server, send) {
  server.state.received = 0;
  const all = new Promise((resolve) => (server.state.onAll = resolve));
  const start = performance.now();
  for (let n = 0; n < MESSAGES; n++) send(n);
  await all;
  return rate(MESSAGES, performance.now() - start);
}

/** Asks the server for MESSAGES frames and resolves with messages/s once the handler has seen them all. */
async function receiveRate(subscribe, ask) {
  let seen = 0;
  const all = new Promise((resolve) => subscribe(() => { if (++seen === MESSAGES) resolve(); }));
  const start = performance.now();
  ask();
  await all;
  return rate(MESSAGES, performance.now() - start);
}

const opened = (socket) => new Promise((resolve) => socket.once('open', resolve));
const server = await plainServer();

// The bare socket: what an app would write by hand (JSON.stringify out, JSON.parse and a type check in).
const raw = new WebSocket(server.url);
await opened(raw);
const rawSend = await sendRate(server, (n) => raw.send(JSON.stringify({ type: 'chat', payload: { n } })));
const rawReceive = await receiveRate(
  (handler) => raw.on('message', (data) => { if (JSON.parse(data.toString()).type === 'tick') handler(); }),
  () => raw.send(JSON.stringify({ type: 'push', payload: { count: MESSAGES } })),
);
raw.close();

const client = new EnhancedWebSocketClient(server.url, { WebSocket, heartbeat: false });
await new Promise((resolve) => client.onOpen(resolve));
const clientSend = await sendRate(server, (n) => client.send('chat', { n }));
const clientReceive = await receiveRate(
  (handler) => client.on('tick', handler),
  () => client.send('push', { count: MESSAGES }),
);
client.close();
await server.close();

// Request round trips, one after another, against the companion server.
const companion = createServer({ host: '127.0.0.1', port: 0 });
await companion.ready;
companion.on('connection', (conn) => conn.handle('sum', ([a, b]) => a + b));
const caller = new EnhancedWebSocketClient(`ws://127.0.0.1:${companion.port}/ws`, { WebSocket, heartbeat: false });
await new Promise((resolve) => caller.onOpen(resolve));
const latencies = [];
for (let n = 0; n < REQUESTS; n++) {
  const start = performance.now();
  const sum = await caller.request('sum', [n, 1]);
  if (sum !== n + 1) throw new Error(`bench: request ${n} answered ${sum}`);
  latencies.push(performance.now() - start);
}
caller.close();
await companion.close();
latencies.sort((a, b) => a - b);
const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(3);

console.log(`Node ${process.version}, loopback, ${MESSAGES.toLocaleString('en')} small JSON messages each way`);
console.table([
  { path: 'send (app → server), msg/s', 'bare ws': rawSend, 'enhanced-ws': clientSend, overhead: `${Math.round((100 * (rawSend - clientSend)) / rawSend)} %` },
  { path: 'receive + route (server → handler), msg/s', 'bare ws': rawReceive, 'enhanced-ws': clientReceive, overhead: `${Math.round((100 * (rawReceive - clientReceive)) / rawReceive)} %` },
]);
console.log(`request() round trip over ${REQUESTS.toLocaleString('en')} sequential requests: median ${percentile(50)} ms, p99 ${percentile(99)} ms`);
