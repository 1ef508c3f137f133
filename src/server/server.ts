// The companion server: the http(s) server it listens on or joins, the connection registry, rooms, shutdown.

import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../close-codes.js';
import { show } from '../errors.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { Admission } from './admission.js';
import { callSafely } from './call-safely.js';
import { Refusals } from './codes.js';
import { Connection, encodeFrame, type ConnectionHost, type Link } from './connection.js';
import { HeartbeatSweep } from './heartbeat-sweep.js';
import { LongPollingEndpoint } from './long-polling.js';
import { mount } from './mount.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { Rooms } from './rooms.js';
import { admitWebSocket, type WebSocketContext } from './websocket.js';
import { closeWebSockets } from './websocket-shutdown.js';

export interface BroadcastOptions {
  /** Connections that do not get the message, typically the sender. */
  except?: Connection | Iterable<Connection> | undefined;
}

/** `server.to(room)`: the members of one room. */
export interface RoomTarget {
  /** Sends to every member; returns how many it reached. */
  send(type: string, payload?: unknown, options?: BroadcastOptions): number;
  readonly connections: readonly Connection[];
}

/** May be async: what it throws or rejects with is reported on `'error'` (an `'error'` listener's, on `console.error`). */
type Listener<T> = (value: T) => unknown;

/** How long `close()` lets WebSocket peers answer its close frame before it drops them (1006). */
export const SHUTDOWN_GRACE_MS = 2000;

/** Where an `'error'` listener's own failure goes: reporting it on `'error'` could loop. */
const reportListenerError = (error: unknown): void => {
  console.error('enhanced-ws/server: an error listener threw', error);
};

/**
 * Serves the WebSocket endpoint and the long-polling endpoints on one path.
 *
 * @example
 * const server = createServer({ port: 8080, path: '/ws' });
 * server.on('connection', (conn) => {
 *   conn.on('chat', (message) => server.broadcast('chat', message, { except: conn }));
 * });
 * await server.ready;
 */
export class EnhancedWebSocketServer {
  /** Resolves once listening (at once when attached to a server that already listens); rejects on a listen error. */
  readonly ready: Promise<void>;
  private readonly _http: HttpServer;
  private readonly _clock: Clock;
  private readonly _owns: boolean;
  private readonly _wss: WebSocketServer;
  private readonly _admission: Admission;
  private readonly _polling: LongPollingEndpoint;
  /** Sockets our path answered on: shutdown lets what they still have to write (a final batch to a slow reader) go out before cutting connections. */
  private readonly _sockets = new Set<Socket>();
  private readonly _wsContext: WebSocketContext;
  private readonly _sweep: HeartbeatSweep | undefined;
  private readonly _unmount: () => void;
  private readonly _connections = new Map<string, Connection>();
  private readonly _rooms = new Rooms<Connection>();
  private readonly _onConnection = new Set<Listener<Connection>>();
  private readonly _onError = new Set<Listener<Error>>();
  private _closing: Promise<void> | undefined;

  constructor(options: ServerOptions) {
    const resolved = resolveServerOptions(options);
    const clock = (this._clock = resolved.clock ?? systemClock);
    this._owns = resolved.server === undefined;
    this._http = resolved.server ?? createHttpServer();
    this._admission = new Admission(resolved, this._report);
    this._wss = new WebSocketServer({ noServer: true, maxPayload: resolved.maxPayload });
    // Before anything that starts timers: it throws when another server has this path on the same http server.
    this._unmount = mount(this._http, resolved.path, {
      upgrade: (req, socket, head, url) => {
        this._wss.handleUpgrade(req, socket, head, (ws) => { admitWebSocket(ws, req, url.searchParams, this._wsContext); });
      },
      request: (req, res, url) => {
        const { socket } = req;
        if (!this._sockets.has(socket)) {
          this._sockets.add(socket);
          socket.once('close', () => this._sockets.delete(socket));
        }
        this._polling.handle(req, res, url.searchParams);
      },
    });
    this._sweep = resolved.pingIntervalMs === false ? undefined : new HeartbeatSweep(resolved.pingIntervalMs, clock);
    const host: ConnectionHost = {
      maxMalformed: resolved.maxMalformed,
      report: this._report,
      join: (conn, room) => { this._rooms.join(room, conn); },
      leave: (conn, room) => { this._rooms.leave(room, conn); },
      ended: (conn) => {
        this._connections.delete(conn.id);
        this._admission.release();
      },
    };
    const open = (link: Link, request: IncomingMessage, user: unknown, wire: (conn: Connection) => void): void => {
      this._open(new Connection(link, request, user, host), wire);
    };
    const { pollTimeoutMs, sessionTimeoutMs, maxPayload, authTimeoutMs } = resolved;
    const admission = this._admission;
    this._polling = new LongPollingEndpoint({ admission, clock, maxPayload, pollTimeoutMs, sessionTimeoutMs, open });
    this._wsContext = { admission, clock, authTimeoutMs, sweep: this._sweep, open, sessions: this._polling };
    this.ready = this._listen(resolved.port, resolved.host);
  }

  /** The bound port (also with `port: 0`), or null before listening. */
  get port(): number | null {
    return this.address()?.port ?? null;
  }

  /** The bound address, or null before listening. */
  address(): AddressInfo | null {
    const address = this._http.address();
    return typeof address === 'object' ? address : null;
  }

  /** Open connections by id, both transports. */
  get connections(): ReadonlyMap<string, Connection> {
    return this._connections;
  }

  /**
   * `'connection'`: a peer passed the origin, cap and authentication checks.
   * `'error'`: a listener or handler threw (or its promise rejected), `authenticate` or the
   * `allowedOrigins` function failed, or listening failed;
   * without an `'error'` listener these go to `console.error`. Returns the unsubscribe function.
   */
  on(event: 'connection', listener: Listener<Connection>): () => void;
  on(event: 'error', listener: Listener<Error>): () => void;
  on(event: 'connection' | 'error', listener: Listener<Connection> | Listener<Error>): () => void {
    const set = (event === 'connection' ? this._onConnection : this._onError) as Set<typeof listener>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Sends to every open connection (the payload is encoded once); returns how many it reached. */
  broadcast(type: string, payload?: unknown, options: BroadcastOptions = {}): number {
    return this._sendTo(this._connections.values(), type, payload, options);
  }

  /** The members of `room` (see `conn.join`). */
  to(room: string): RoomTarget {
    return {
      send: (type, payload, options = {}) => this._sendTo(this._rooms.members(room), type, payload, options),
      connections: this._rooms.members(room),
    };
  }

  /**
   * Closes every connection with 1001, stops accepting, and resolves once they are gone (a
   * WebSocket peer that has not answered within `SHUTDOWN_GRACE_MS` is dropped); closes the http
   * server only if it created it. An attached server gets its own routes back.
   */
  close(): Promise<void> {
    return (this._closing ??= this._shutdown());
  }

  private _open(conn: Connection, wire: (conn: Connection) => void): void {
    // Never after close(): a long-polling handshake checks `admission.closed` right before it
    // opens, and a WebSocket opens only while its socket is open, which close() ends for every
    // socket it has (a later one is refused by `admission.reserve()` before it reads a frame).
    this._connections.set(conn.id, conn);
    wire(conn);
    for (const listener of [...this._onConnection]) callSafely(this._report, listener, conn);
  }

  private _sendTo(targets: Iterable<Connection>, type: string, payload: unknown, { except }: BroadcastOptions): number {
    const frame = encodeFrame({ type, payload });
    const skip = new Set(except instanceof Connection ? [except] : except);
    let sent = 0;
    for (const conn of [...targets]) if (!skip.has(conn) && conn.sendFrame(frame)) sent++;
    return sent;
  }

  private readonly _report = (error: unknown): void => {
    const reported = error instanceof Error ? error : new Error(show(error), { cause: error });
    if (!this._onError.size) console.error('enhanced-ws/server:', reported);
    for (const listener of [...this._onError]) callSafely(reportListenerError, listener, reported);
  };

  private _listen(port: number | undefined, host: string | undefined): Promise<void> {
    const http = this._http;
    const ready = new Promise<void>((resolve, reject) => {
      if (http.listening) {
        resolve();
        return;
      }
      const onError = (error: Error): void => {
        http.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        http.off('error', onError);
        resolve();
      };
      http.once('error', onError).once('listening', onListening);
      if (port !== undefined) http.listen(port, host);
    });
    // Reported here as well, so a listen error is never an unhandled rejection nor silent; and
    // everything started for this server (sweep timer, listeners) is undone.
    void ready.catch((error: unknown) => {
      this._report(error);
      void this.close();
    });
    return ready;
  }

  /**
   * Resolves once our sockets have written what they hold (an answer is "finished" for http once
   * handed to its socket, not once sent), or when `grace` ends.
   */
  private async _answered(grace: Promise<void>): Promise<void> {
    const writing = [...this._sockets].filter((socket) => !socket.destroyed && socket.writableLength > 0);
    const flushed = writing.map((socket) => new Promise<void>((resolve) => {
      socket.once('drain', resolve).once('close', resolve);
    }));
    await Promise.race([Promise.all(flushed), grace]);
  }

  private async _shutdown(): Promise<void> {
    const reason = Refusals.SHUTTING_DOWN.reason;
    this._admission.closed = true;
    this._sweep?.stop();
    for (const conn of [...this._connections.values()]) conn.close(CloseCode.GOING_AWAY, reason);
    // The sockets still open now carry no connection: still authenticating, or a probe awaiting
    // its `upgrade` frame. One may be paused while its hook runs, and a paused socket would never
    // read the peer's close reply. No connection was announced for it; the hook's late verdict
    // finds the socket closed and drops it, and a first frame that crossed the close frame no
    // longer runs the hook (`Admission.authenticate` refuses once closed).
    for (const socket of this._wss.clients) {
      if (socket.readyState === WebSocket.OPEN) socket.close(CloseCode.GOING_AWAY, reason);
      socket.resume();
    }
    this._polling.dispose(); // also answers handshakes still authenticating: 503, 1001
    // An app's server gets its own routes back at once (it may attach a new server right away);
    // on a server of our own, our path keeps answering until the connections are gone: a late
    // WebSocket is closed with 1001, a long-polling request gets 404 or 503 (not processed: the
    // client sends it again), rather than hanging.
    if (!this._owns) this._unmount();
    // One grace, counted from close(), for WebSocket peers to answer the close frame and for the
    // final long-polling answers to go out.
    let timer: TimerHandle | undefined;
    const grace = new Promise<void>((resolve) => { timer = this._clock.setTimeout(resolve, SHUTDOWN_GRACE_MS); });
    try {
      await closeWebSockets(this._wss, grace);
      if (!this._owns) return;
      // close() may come before listening (a host name is looked up first): wait for the outcome,
      // or the http server would start listening afterwards, for good, with nobody serving it.
      await this.ready.catch(() => undefined);
      if (this._http.listening) {
        // Final polls are answered by now but may still be on their way (a large batch, a slow
        // reader): they go out first, since http.close() cuts a connection whose answer was
        // handed to its socket as idle.
        await this._answered(grace);
        await new Promise<void>((resolve, reject) => {
          this._http.close((error) => { if (error) reject(error); else resolve(); });
          // A turn of the event loop flushes the last small answers, then nothing we serve is left
          // on the other sockets (keep-alive, or opened ahead by a client's pool).
          setImmediate(() => { this._http.closeAllConnections(); });
        });
      }
      this._unmount();
    } finally {
      this._clock.clearTimeout(timer);
    }
  }
}

/** Creates the server; see `EnhancedWebSocketServer` and docs/server.md. */
export function createServer(options: ServerOptions): EnhancedWebSocketServer {
  return new EnhancedWebSocketServer(options);
}
