// The client on long-polling against the real server, through a proxy that loses the answer to an upload the server processed: sent again on the same session, processed once.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import { useRealServers } from './real-server-test-utils.js';
import type { EnhancedWebSocketServer } from './server/index.js';

const { startServer, track } = useRealServers();

/**
 * An HTTP proxy on 127.0.0.1 in front of `server`, stopped when the test finishes. It forwards
 * every request; the first upload (a POST with a session id) it forwards too, waits until the
 * server has answered it (so the server processed it), then destroys the client's socket instead
 * of passing the answer on: a network error after the fact, as a proxy or a mobile network drops
 * a connection. `uploads` lists the `seq` of each upload it saw ('-': none), in order.
 */
async function cuttingProxy(server: EnhancedWebSocketServer) {
  const uploads: string[] = [];
  let cutDone: () => void = () => undefined;
  const cut = new Promise<void>((resolve) => { cutDone = resolve; });
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const query = new URL(req.url ?? '', 'http://x').searchParams;
    const upload = req.method === 'POST' && query.has('sid');
    if (upload) uploads.push(query.get('seq') ?? '-');
    const cutting = upload && uploads.length === 1;
    const upstream = request({ host: '127.0.0.1', port: server.port ?? 0, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      if (cutting) {
        answer.resume();
        answer.on('end', () => {
          req.socket.destroy();
          cutDone();
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => { res.destroy(); });
    res.on('close', () => { upstream.destroy(); }); // a poll the client gave up on
    req.pipe(upstream);
  };
  const proxy: Server = createServer(forward);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => {
    proxy.closeAllConnections();
    proxy.close(() => { resolve(); });
  }));
  return { url: `ws://127.0.0.1:${String((proxy.address() as AddressInfo).port)}/ws`, uploads, cut };
}

describe('EnhancedWebSocketClient on long-polling when the answer to a processed upload is lost', () => {
  it('sends the upload again on the same session, and the server app receives each message exactly once, in order', async () => {
    const { server } = await startServer({ pingIntervalMs: false });
    const received: number[] = [];
    let connections = 0;
    server.on('connection', (conn) => {
      connections++;
      conn.on('n', (n) => received.push(n as number));
    });
    const proxy = await cuttingProxy(server);
    const made = track(new EnhancedWebSocketClient(proxy.url, { transports: ['long-polling'], heartbeat: false }));
    const errors: Error[] = [];
    const closes: number[] = [];
    made.onError((error) => errors.push(error));
    made.onClose(({ code }) => closes.push(code));
    await vi.waitFor(() => { expect(made.state).toBe('open'); });

    made.send('n', 1);
    await proxy.cut; // the server has processed n=1; the client got a network error instead of the 204
    expect(received).toEqual([1]);
    made.send('n', 2);
    made.send('n', 3);
    await vi.waitFor(() => { expect(received).toHaveLength(3); });
    await new Promise((resolve) => setTimeout(resolve, 50)); // nothing more arrives
    expect(received).toEqual([1, 2, 3]);
    expect(proxy.uploads).toEqual(['1', '1', '2']); // the same seq again, then 2 and 3 in one upload behind it
    expect({ connections, reconnects: made.stats.reconnects, closes, errors, state: made.state }).toEqual({ connections: 1, reconnects: 0, closes: [], errors: [], state: 'open' });
  });
});
