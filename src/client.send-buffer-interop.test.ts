// Node's `ws` as the client's WebSocket when an upload is cut mid-transfer (real sockets through a cutting proxy): its `bufferedAmount` is not the browser's, so nothing is taken back from it.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket } from 'ws';
import { ThrottlingProxy } from '../e2e/fixtures/throttling-proxy.js';
import { EnhancedWebSocketClient } from './client.js';
import type { Envelope } from './envelope.js';

/** `ws`'s WebSocket, recording each socket so the test can read its `bufferedAmount` after the close. */
function recordedNodeWebSocket(): { WebSocket: typeof WebSocket; made: NodeWebSocket[] } {
  const made: NodeWebSocket[] = [];
  class Recorded extends NodeWebSocket {
    constructor(...args: ConstructorParameters<typeof NodeWebSocket>) {
      super(...args);
      made.push(this);
    }
  }
  return { WebSocket: Recorded as unknown as typeof WebSocket, made };
}

/** A plain `ws` server on 127.0.0.1, port 0, recording each upload's `n` with its connection (1, 2…), behind a proxy that can cut. */
async function serverBehindProxy(perMessageDeflate: boolean) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024, perMessageDeflate });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const received: { connection: number; n: unknown }[] = [];
  let connections = 0;
  wss.on('connection', (socket) => {
    const connection = ++connections;
    socket.on('message', (data: Buffer) => {
      const { type, payload } = JSON.parse(data.toString()) as Envelope;
      if (type === 'upload') received.push({ connection, n: (payload as { n: number }).n });
      if (type === 'done') received.push({ connection, n: 'done' });
    });
  });
  const proxy = await ThrottlingProxy.start((wss.address() as AddressInfo).port);
  onTestFinished(async () => {
    await proxy.close();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => {
      wss.close(resolve);
    });
  });
  return { proxy, received };
}

/** Uploads sent before the cut: 8 MB, more than the loopback's socket buffers hold. */
const COUNT = 40;

/** Incompressible uploads of about `bytes` each, numbered from 0. */
const uploads = (count: number, bytes: number): { n: number; data: string }[] =>
  Array.from({ length: count }, (_, n) => ({ n, data: randomBytes((bytes * 3) / 4).toString('base64') }));

describe("an upload cut mid-transfer, with Node's ws as the WebSocket (real sockets)", () => {
  async function cutMidUpload(perMessageDeflate: boolean, cutAfter: number) {
    const { proxy, received } = await serverBehindProxy(perMessageDeflate);
    const sockets = recordedNodeWebSocket();
    const client = new EnhancedWebSocketClient(proxy.url('/'), {
      WebSocket: sockets.WebSocket,
      transports: ['websocket'],
      heartbeat: false,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    onTestFinished(() => {
      client.close();
    });
    await vi.waitFor(() => { expect(client.state).toBe('open'); });
    proxy.uplinkBytesPerSecond = 2 * 1024 * 1024;
    for (const { n, data } of uploads(COUNT, 200 * 1024)) client.send('upload', { n, data });
    await vi.waitFor(() => { expect(proxy.forwarded).toBeGreaterThanOrEqual(cutAfter); });
    const first = sockets.made[0]!;
    const bufferedBeforeCut = first.bufferedAmount;
    proxy.cut();
    proxy.uplinkBytesPerSecond = Infinity;
    await vi.waitFor(() => { expect(client.stats.reconnects).toBe(1); expect(client.state).toBe('open'); }, { timeout: 5000 });
    // Whatever the client sends again goes out before this (the queue flushes first).
    client.send('done');
    await vi.waitFor(() => { expect(received.at(-1)).toEqual({ connection: 2, n: 'done' }); });
    return { received, bufferedBeforeCut, bufferedAtClose: first.bufferedAmount, readyState: first.readyState };
  }

  it('has ws read bufferedAmount 0 after the cut, though megabytes never left: nothing is sent twice', async () => {
    const { received, bufferedBeforeCut, bufferedAtClose, readyState } = await cutMidUpload(false, 512 * 1024);
    expect(bufferedBeforeCut).toBeGreaterThan(1024 * 1024);
    expect(readyState).toBe(NodeWebSocket.CLOSED);
    // Node empties a destroyed socket's write buffer, which is all `ws` counts without compression.
    expect(bufferedAtClose).toBe(0);
    const numbers = received.filter(({ n }) => n !== 'done').map(({ n }) => n);
    expect(numbers.length).toBeLessThan(COUNT / 2);
    expect(numbers).toEqual([...numbers.keys()]); // the first ones, in order, each once
    expect(received.filter(({ connection }) => connection === 2)).toEqual([{ connection: 2, n: 'done' }]);
  }, 15000);

  it('takes nothing back from what ws still held behind compression: its count is not the WHATWG one', async () => {
    // permessage-deflate: `ws` queues messages behind the one it compresses and counts them (and
    // any control frame queued with them) in bufferedAmount, even after the close.
    const { received, bufferedAtClose } = await cutMidUpload(true, 0);
    expect(bufferedAtClose).toBeGreaterThan(0);
    expect(received.filter(({ connection }) => connection === 2)).toEqual([{ connection: 2, n: 'done' }]);
    const numbers = received.filter(({ n }) => n !== 'done').map(({ n }) => n);
    expect(numbers).toEqual([...numbers.keys()]);
  }, 15000);
});
