// Test helpers: a manual clock, servers on loopback port 0 closed after each test, peers of both transports, upgrade probes, raw requests.

import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import type { Clock, TimerHandle } from '../clock.js';
import type { Connection } from './connection.js';
import { createServer, type EnhancedWebSocketServer } from './server.js';
import type { ServerOptions } from './options.js';

/** Timers that fire only when the test calls `advance(ms)`. */
export class ManualClock implements Clock {
  private _now = 0;
  private _id = 0;
  private readonly _timers = new Map<number, { at: number; ms: number; run: () => void }>();

  setTimeout(run: () => void, ms: number): TimerHandle {
    this._timers.set(++this._id, { at: this._now + ms, ms, run });
    return this._id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    this._timers.delete(handle as unknown as number);
  }
  now(): number {
    return this._now;
  }
  get pending(): number {
    return this._timers.size;
  }
  /** The delay each pending timer was set with, e.g. to see that a poll is held (`pollTimeoutMs`). */
  delays(): number[] {
    return [...this._timers.values()].map((timer) => timer.ms);
  }
  /** Moves time forward, running each timer due on the way in order. */
  advance(ms: number): void {
    const until = this._now + ms;
    for (;;) {
      const due = [...this._timers].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this._timers.delete(due[0]);
      this._now = due[1].at;
      due[1].run();
    }
    this._now = until;
  }
}

export interface Message {
  type: string;
  payload?: unknown;
  id?: string;
  error?: { message: string; code?: string };
}

/** What a test sees of one peer, whichever transport it uses. */
export interface Peer {
  /** Sends an envelope (object) or raw text; a Buffer is a binary frame (a non-string item on long-polling). */
  send(data: object | string | Buffer): Promise<void>;
  /** The next inbound message, decoded. */
  next(): Promise<Message>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

class Inbox {
  private readonly _items: Message[] = [];
  private readonly _waiters: ((message: Message) => void)[] = [];
  push(message: Message): void {
    const waiter = this._waiters.shift();
    if (waiter) waiter(message);
    else this._items.push(message);
  }
  next(): Promise<Message> {
    const item = this._items.shift();
    return item ? Promise.resolve(item) : new Promise((resolve) => this._waiters.push(resolve));
  }
}

const encode = (data: object | string): string => (typeof data === 'string' ? data : JSON.stringify(data));

export function wsUrl(server: EnhancedWebSocketServer, path = '/ws'): string {
  return `ws://127.0.0.1:${String(server.port)}${path}`;
}
export function httpUrl(server: EnhancedWebSocketServer, query = '', path = '/ws'): string {
  return `http://127.0.0.1:${String(server.port)}${path}${query}`;
}

/** The WebSocket URL marked as a long-polling upgrade probe. */
export function probeUrl(server: EnhancedWebSocketServer): string {
  return `${wsUrl(server)}?transport=upgrade`;
}

/** The first frame of an upgrade probe. */
export const upgradeFrame = (sid: string): object => ({ type: 'upgrade', payload: { sid } });

/** A long-polling session driven by hand (each GET and POST is the test's): its sid, endpoint and connection. */
export async function openSession(server: EnhancedWebSocketServer, init: RequestInit = {}): Promise<{ sid: string; url: string; conn: Connection }> {
  const connection = nextConnection(server);
  const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST', ...init });
  if (response.status !== 200) throw new Error(`handshake ${String(response.status)}`);
  const { sid } = (await response.json()) as { sid: string };
  return { sid, url: httpUrl(server, `?transport=polling&sid=${sid}`), conn: await connection };
}

/** One GET of a session: its batch. */
export const poll = async (url: string, init?: RequestInit): Promise<unknown[]> => (await fetch(url, init)).json() as Promise<unknown[]>;

/** One POST of a session. */
export const upload = (url: string, frames: unknown[]): Promise<Response> => fetch(url, { method: 'POST', body: JSON.stringify(frames) });

/**
 * Writes `head` (one raw HTTP request, e.g. with a target `new URL()` cannot parse) on a fresh
 * TCP connection to `port`; resolves with the answer's status line, '' when the socket ends
 * without one, 'no answer' after 1 s.
 */
export function rawRequest(port: number | null, head: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port ?? 0, '127.0.0.1', () => socket.write(head));
    let text = '';
    const done = (status: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => { done('no answer'); }, 1000);
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (text.includes('\r\n')) done(text.slice(0, text.indexOf('\r\n')));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => { done(''); });
  });
}

/** A `ws` client as a Peer; `socket` for protocol-level pokes. */
export function wsPeer(url: string, options?: ClientOptions): Peer & { socket: WebSocket; opened: Promise<void> } {
  const socket = new WebSocket(url, options);
  const inbox = new Inbox();
  socket.on('message', (data) => {
    inbox.push(JSON.parse((data as Buffer).toString('utf8')) as Message);
  });
  socket.on('error', () => undefined);
  const opened = new Promise<void>((resolve) => socket.once('open', () => { resolve(); }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => { resolve({ code, reason: reason.toString() }); });
  });
  return {
    socket,
    opened,
    closed,
    next: () => inbox.next(),
    async send(data) {
      await opened;
      socket.send(Buffer.isBuffer(data) ? data : encode(data));
    },
    async close() {
      await Promise.race([opened, closed]);
      socket.close(1000, 'bye');
      await closed;
    },
  };
}

/** A minimal long-polling peer written from docs/protocol.md, independent of the client transport. */
export async function pollingPeer(url: string, headers: Record<string, string> = {}): Promise<Peer & { sid: string }> {
  const handshake = await fetch(`${url}?transport=polling`, { method: 'POST', headers });
  if (handshake.status !== 200) throw Object.assign(new Error(`handshake ${String(handshake.status)}`), { response: handshake });
  const { sid } = (await handshake.json()) as { sid: string };
  const endpoint = `${url}?transport=polling&sid=${sid}`;
  const inbox = new Inbox();
  const abort = new AbortController();
  let resolveClosed: (event: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  void (async () => {
    for (;;) {
      const response = await fetch(endpoint, { signal: abort.signal }).catch(() => undefined);
      if (response?.status !== 200) {
        resolveClosed({ code: 1006, reason: `poll ${String(response?.status)}` });
        return;
      }
      for (const item of (await response.json()) as unknown[]) {
        if (typeof item !== 'string') {
          resolveClosed(item as { code: number; reason: string });
          return;
        }
        inbox.push(JSON.parse(item) as Message);
      }
    }
  })();
  return {
    sid,
    closed,
    next: () => inbox.next(),
    async send(data) {
      const item = Buffer.isBuffer(data) ? 42 : encode(data);
      const response = await fetch(endpoint, { method: 'POST', body: JSON.stringify([item]) });
      if (response.status !== 204) throw new Error(`upload ${String(response.status)}`);
    },
    async close() {
      abort.abort();
      await fetch(endpoint, { method: 'DELETE', body: JSON.stringify({ code: 1000, reason: 'bye' }) });
    },
  };
}

/** Servers on 127.0.0.1, port 0, each closed after its test (with the peers the test opened). */
export function useServers(): {
  start(options?: Omit<ServerOptions, 'port' | 'host'>): Promise<EnhancedWebSocketServer>;
  track<P extends Peer>(peer: P): P;
  /** Runs `cleanup` after the test, after the servers are closed (e.g. an app's own http server). */
  defer(cleanup: () => unknown): void;
} {
  const servers: EnhancedWebSocketServer[] = [];
  const peers: Peer[] = [];
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close().catch(() => undefined)));
    await Promise.all(servers.splice(0).map((server) => server.close()));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async start(options = {}) {
      const server = createServer({ port: 0, host: '127.0.0.1', ...options });
      servers.push(server);
      await server.ready;
      return server;
    },
    track(peer) {
      peers.push(peer);
      return peer;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
}

/** Resolves with the server's next connection. */
export function nextConnection(server: EnhancedWebSocketServer): Promise<Connection> {
  return new Promise((resolve) => {
    const off = server.on('connection', (conn) => {
      off();
      resolve(conn);
    });
  });
}

/** Resolves once a long-polling GET is held on a server using `clock` (default pollTimeoutMs). */
export function pollHeld(clock: ManualClock, pollTimeoutMs = 25000): Promise<void> {
  return until(() => clock.delays().includes(pollTimeoutMs));
}

/** Waits for a condition that socket events will make true (checked every 5 ms, up to 2 s). */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not met within 2 s');
}

/**
 * A server attached to an http server the test can kill abruptly (every socket destroyed, no
 * answer, no close frame), as a crashed process or a dropped network would.
 */
export async function startKillable(options: Omit<ServerOptions, 'port' | 'host' | 'server'> = {}): Promise<{ server: EnhancedWebSocketServer; kill(): Promise<void> }> {
  const http = createHttpServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const server = createServer({ ...options, server: http });
  await server.ready;
  let killed: Promise<void> | undefined;
  const kill = (): Promise<void> =>
    (killed ??= (async () => {
      const closed = new Promise((resolve) => http.close(resolve));
      http.closeAllConnections();
      await closed;
      await server.close();
    })());
  afterEach(kill);
  return { server, kill };
}
