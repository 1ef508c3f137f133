// Helpers for client tests against the real companion server on loopback: servers and clients closed after each test, a WebSocket refused until allowed, a slow last batch.

import { afterEach } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { createServer, type EnhancedWebSocketServer, type ServerOptions } from './server/index.js';
import { wsUrl } from './server/test-utils.js';

/** What `track` closes after the test: an `EnhancedWebSocketClient` of any event map. */
interface Closable {
  close(): void;
}

export interface RealServers {
  /**
   * Starts a companion server on 127.0.0.1, port 0 unless `options.port` says otherwise, and
   * resolves once it listens, with its WebSocket URL (`/ws`).
   */
  startServer(options?: ServerOptions): Promise<{ server: EnhancedWebSocketServer; url: string }>;
  /** Closes `client` after the test, before the servers; returns it. */
  track<C extends Closable>(client: C): C;
}

/**
 * Call once per test file: after each test, closes every client passed to `track`, then every
 * server `startServer` started (closing one the test already closed is harmless: `close()` is
 * memoized).
 */
export function useRealServers(): RealServers {
  const servers: EnhancedWebSocketServer[] = [];
  const clients: Closable[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return {
    async startServer(options = {}) {
      const server = createServer({ port: 0, host: '127.0.0.1', ...options });
      servers.push(server);
      await server.ready;
      return { server, url: wsUrl(server) };
    },
    track(client) {
      clients.push(client);
      return client;
    },
  };
}

/** What a gated WebSocket opens once allowed; only `send` is touched (with `holdUpgrade`). */
type RealWebSocket = new (url: string) => { send(frame: string): void };

export interface GatedWebSocketOptions {
  /**
   * Once allowed, each real socket holds its `upgrade` frame until `release()` (so the test owns
   * the window in which the upgrade has paused writes) and records in `sent` the type of every
   * frame it writes.
   */
  holdUpgrade?: boolean;
  /** The class a socket is made of once allowed: `ws`'s WebSocket unless given. */
  WebSocket?: RealWebSocket;
}

export interface GatedWebSocket {
  /** Pass as the client's `WebSocket` option. */
  readonly WebSocket: typeof WebSocket;
  /** Sockets constructed so far, refused or not. */
  attempts(): number;
  /** Sockets refused so far (constructed before `allow()`). */
  refusals(): number;
  /** Every socket constructed from now on is a real one. */
  allow(): void;
  /** With `holdUpgrade`: resolves when a real socket was asked to send its `upgrade` frame (held). */
  readonly upgradeHeld: Promise<void>;
  /** With `holdUpgrade`: writes the held `upgrade` frame. */
  release(): void;
  /** With `holdUpgrade`: the type of each frame the real sockets wrote, in order. */
  readonly sent: unknown[];
}

/** The `type` of an encoded frame. */
export const frameType = (frame: string): unknown => (JSON.parse(frame) as { type?: unknown }).type;

/**
 * A WebSocket that fails to open (closes with 1006 a millisecond after it is made), as behind a
 * proxy refusing upgrades, until `allow()`; after that a real socket. A client given it falls
 * back to long-polling, and its upgrade probe succeeds once the test allows it.
 */
export function gatedWebSocket({ holdUpgrade = false, WebSocket: Real = NodeWebSocket }: GatedWebSocketOptions = {}): GatedWebSocket {
  let attempts = 0;
  let refusals = 0;
  let allowed = false;
  let release: (() => void) | undefined;
  let upgradeSent: () => void = () => undefined;
  const upgradeHeld = new Promise<void>((resolve) => { upgradeSent = resolve; });
  const sent: unknown[] = [];
  const holdingUpgrade = (socket: InstanceType<RealWebSocket>): void => {
    const send = socket.send.bind(socket);
    socket.send = (frame: string) => {
      const write = () => {
        sent.push(frameType(frame));
        send(frame);
      };
      if (frameType(frame) !== 'upgrade') {
        write();
        return;
      }
      release = write;
      upgradeSent();
    };
  };
  class Gated {
    onopen: (() => void) | null = null;
    onmessage: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
    binaryType = 'blob';
    constructor(url: string) {
      attempts++;
      if (allowed) {
        const socket = new Real(url);
        if (holdUpgrade) holdingUpgrade(socket);
        return socket as unknown as Gated;
      }
      refusals++;
      setTimeout(() => this.onclose?.({ code: 1006, reason: '', wasClean: false }), 1);
    }
    send(): void {
      throw new Error('never open');
    }
    close(): void {
      // nothing to close
    }
  }
  return {
    WebSocket: Gated as unknown as typeof WebSocket,
    attempts: () => attempts,
    refusals: () => refusals,
    allow: () => { allowed = true; },
    upgradeHeld,
    release: () => { release?.(); },
    sent,
  };
}

/**
 * `fetch`, except that the long-polling batch carrying the server's `upgraded` marker (the
 * session's last) comes back `delayMs` later, as through a slow proxy: frames on the upgraded
 * socket arrive first, and the client has not adopted it yet.
 */
export function slowUpgradedBatch(delayMs = 200): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (init?.method !== 'GET' && init?.method !== undefined) return response;
    const text = await response.text();
    if (text.includes('"upgraded"')) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Response(text, { status: response.status, headers: response.headers });
  };
}
