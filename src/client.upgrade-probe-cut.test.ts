// A probe cut without a close frame after the client handed it the `upgrade` frame (the server
// never switched): writes go back to long-polling at once, not after the 10 s commit timeout.
import { expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client.js';
import { gatedWebSocket, useRealServers } from './real-server-test-utils.js';

const { startServer, track } = useRealServers();

it('a write after the probe was cut reaches the server without waiting for the commit timeout', async () => {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const got: unknown[] = [];
  server.on('connection', (conn) => {
    conn.on('after', (payload) => { got.push(payload); });
  });
  const sockets: NodeWebSocket[] = [];
  class Recorded extends NodeWebSocket {
    constructor(address: string) {
      super(address);
      sockets.push(this);
    }
  }
  const gate = gatedWebSocket({ holdUpgrade: true, WebSocket: Recorded });
  const made = track(new EnhancedWebSocketClient(url, { WebSocket: gate.WebSocket, reconnect: { initialDelay: 10, maxDelay: 50 } }));
  await vi.waitFor(() => { expect(made.state).toBe('open'); expect(made.transport).toBe('long-polling'); });

  gate.allow();
  await gate.upgradeHeld; // the client handed over its upgrade frame; the server has not read it
  sockets.at(-1)!.terminate(); // the probe is cut: 1006, and the server never switched
  await new Promise((resolve) => setTimeout(resolve, 100));
  made.send('after', 1);
  // (the next probe's upgrade frame is held too: let it go, the write may travel either way)
  await vi.waitFor(() => { gate.release(); expect(got).toEqual([1]); }, { timeout: 3000 });
}, 15000);
