// The client against a plain (non-companion) RFC 6455 server whose HTTP side refuses the
// long-polling handshake: that refusal is long-polling failing to open, never a final close.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket } from 'ws';
import { EnhancedWebSocketClient } from './client.js';
import { useRealServers } from './real-server-test-utils.js';

const { track } = useRealServers();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const BAD_GATEWAY_PAGE = '<html><body><h1>502 Bad Gateway</h1></body></html>';

/**
 * A plain `ws` endpoint on an ordinary HTTP server, as a Spring Boot, Django or Express app has:
 * the path speaks the JSON envelope over WebSocket and nothing else. Every other request gets
 * `status` with a text body (the app's own middleware: a CSRF filter's 403, a gateway's 401). The
 * first `refuseUpgrades` upgrades get an HTML 502, as a reverse proxy answers while the backend
 * restarts.
 */
async function startPlainServer(status: number, body: string, refuseUpgrades: number) {
  const requests: string[] = [];
  let refused = 0;
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  http.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (refused < refuseUpgrades) {
      refused++;
      socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: ${String(BAD_GATEWAY_PAGE.length)}\r\nconnection: close\r\n\r\n${BAD_GATEWAY_PAGE}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: 'hello', payload: 'plain server' }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  stops.push(async () => {
    for (const ws of wss.clients) ws.terminate();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  const { port } = http.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${String(port)}/ws`, requests, upgradesRefused: () => refused };
}

describe('a plain WebSocket server whose HTTP side refuses the long-polling handshake with 401/403', () => {
  // The server never spoke long-polling: its status says nothing about this client's credentials.
  // Read as 4401/4403, it stopped the client for good though WebSocket was back a moment later.
  it.each([
    [403, 'Forbidden: invalid CSRF token'],
    [401, 'Unauthorized'],
  ])('keeps retrying WebSocket (an outage) after two refused upgrades and an HTTP %d without a close code', async (status, body) => {
    const server = await startPlainServer(status, body, 2);
    const client = track(new EnhancedWebSocketClient(server.url, { WebSocket: NodeWebSocket, reconnect: { initialDelay: 10, maxDelay: 20 } }));
    const states: string[] = [];
    client.onStateChange(({ state, reason }) => states.push(`${state} (${reason})`));
    const retries: { code: number; reason: string }[] = [];
    client.onReconnecting(({ code, reason }) => retries.push({ code, reason }));
    const hello: unknown[] = [];
    client.on('hello', (payload) => hello.push(payload));

    await vi.waitFor(() => { expect(server.requests).toEqual(['POST /ws?transport=polling']); }); // the long-polling handshake, refused
    await vi.waitFor(() => { expect(client.state, `states so far: ${states.join(' > ')}`).toBe('open'); }, { timeout: 2000 });
    expect(server.upgradesRefused()).toBe(2);
    expect(client.transport).toBe('websocket');
    // Two refused upgrades, then the refused handshake: long-polling failed to open too (an
    // outage), so WebSocket was tried again.
    expect(retries.map(({ code }) => code)).toEqual([1006, 1006, 1006]);
    expect(retries[2]?.reason).toBe(`HTTP ${String(status)}`);
    await vi.waitFor(() => { expect(hello).toEqual(['plain server']); });
  });
});
