// Shared unit-test helpers: a recording mock-socket server and WebSocket, a fake browser environment, cleanup.

import { Server, WebSocket as MockWebSocket, type Client } from 'mock-socket';
import { afterEach, beforeEach, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import type { Envelope, EventMap } from './envelope.js';
import { isEnhancedWsError } from './errors.js';
import type { ClientOptions } from './options.js';

/** mock-socket delivers opens, closes and client→server frames after a 4 ms timer (thoov/mock-socket#176). */
export const MOCK_DELAY = 4;

let counter = 0;

/** A URL no other test uses, so mock-socket's global network bridge never mixes tests. */
export function uniqueUrl(): string {
  counter += 1;
  return `ws://127.0.0.1:1234/t${String(counter)}`;
}

type SocketData = string | Blob | ArrayBuffer | ArrayBufferView;

/** A mock-socket WebSocket that records, synchronously, every instance and every frame it is asked to send. */
export interface RecordingSocket {
  readonly url: string;
  readonly sent: string[];
}

export interface SocketRecorder {
  /** Pass as the client's `WebSocket` option. */
  readonly WebSocket: typeof WebSocket;
  /** Every socket constructed, in order. */
  readonly created: RecordingSocket[];
  /** Every frame handed to any socket's `send`, decoded, in order. */
  sent(): Envelope[];
}

export function recordSockets(): SocketRecorder {
  const created: RecordingSocket[] = [];
  class Recording extends MockWebSocket implements RecordingSocket {
    readonly sent: string[] = [];
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      created.push(this);
    }
    override send(data: SocketData): void {
      // As browsers and `ws` do once the closing handshake began: discarded, nothing thrown (mock-socket throws).
      if (this.readyState !== MockWebSocket.OPEN) return;
      if (typeof data === 'string') this.sent.push(data);
      super.send(data);
    }
  }
  return {
    WebSocket: Recording as unknown as typeof WebSocket,
    created,
    sent: () => created.flatMap((socket) => socket.sent.map((frame) => JSON.parse(frame) as Envelope)),
  };
}

export interface ServerOptions {
  /** Answer `{type:'ping'}` with `{type:'pong'}` (after `pongDelay` ms). Off by default: a plain server. */
  answerPings?: boolean;
  pongDelay?: number;
  /** Answer requests of these types with `{type:'reply', id, payload: handler(payload)}`. */
  handlers?: Record<string, (payload: unknown) => unknown>;
}

/** A mock-socket server that records every connection, frame and close. */
export class TestServer {
  readonly server: Server;
  /** Every connection ever accepted, in order. */
  readonly connections: Client[] = [];
  /** Every frame received from any client, decoded, in order (non-JSON frames as their raw string). */
  readonly received: Envelope[] = [];
  /** Close codes the server saw, in order. */
  readonly closes: number[] = [];

  constructor(
    readonly url: string,
    private readonly _options: ServerOptions = {},
  ) {
    this.server = new Server(url);
    this.server.on('connection', (socket) => {
      this.connections.push(socket);
      socket.on('message', (data) => {
        this._receive(socket, data);
      });
      socket.on('close', ((event: CloseEvent) => {
        this.closes.push(event.code);
      }) as unknown as () => void);
    });
  }

  /** Connections currently attached to the server (mock-socket's own bookkeeping). */
  get openCount(): number {
    return this.server.clients().length;
  }

  /** The newest connection. */
  get last(): Client {
    const socket = this.connections.at(-1);
    if (!socket) throw new Error('test server: no connection yet');
    return socket;
  }

  /** Sends an envelope (or a raw frame) to the newest connection; delivery is synchronous. */
  send(type: string, payload?: unknown): void {
    this.last.send(JSON.stringify(payload === undefined ? { type } : { type, payload }));
  }

  sendRaw(data: SocketData): void {
    this.last.send(data);
  }

  /** Closes the newest connection from the server side with `code` (1006 = the connection died). */
  kill(code = 1006, reason = ''): void {
    this.last.close({ code, reason, wasClean: code !== 1006 });
  }

  /** Frames of one type received so far. */
  frames(type: string): Envelope[] {
    return this.received.filter((frame) => frame.type === type);
  }

  stop(): void {
    this.server.stop();
  }

  private _receive(socket: Client, data: SocketData): void {
    const text = typeof data === 'string' ? data : '';
    let frame: Envelope;
    try {
      frame = JSON.parse(text) as Envelope;
    } catch {
      frame = { type: text };
    }
    this.received.push(frame);
    const { answerPings = false, pongDelay = 0, handlers = {} } = this._options;
    if (frame.type === 'ping' && answerPings) {
      const pong = JSON.stringify({ type: 'pong', payload: frame.payload });
      if (pongDelay > 0) setTimeout(() => { socket.send(pong); }, pongDelay);
      else socket.send(pong);
    }
    const handler = handlers[frame.type];
    if (handler && frame.id !== undefined) {
      socket.send(JSON.stringify({ type: 'reply', id: frame.id, payload: handler(frame.payload) }));
    }
  }
}

type Listener = (event: Event) => void;

/** A minimal EventTarget that can say how many listeners it holds. */
export class CountingTarget {
  private readonly _listeners = new Map<string, Set<Listener>>();
  added = 0;
  removed = 0;

  readonly addEventListener = (type: string, listener: Listener): void => {
    let set = this._listeners.get(type);
    if (!set) this._listeners.set(type, (set = new Set()));
    if (!set.has(listener)) this.added += 1;
    set.add(listener);
  };

  readonly removeEventListener = (type: string, listener: Listener): void => {
    if (this._listeners.get(type)?.delete(listener)) this.removed += 1;
  };

  readonly dispatchEvent = (event: Event): boolean => {
    for (const listener of [...(this._listeners.get(event.type) ?? [])]) listener(event);
    return true;
  };

  /** Listeners attached now. */
  get count(): number {
    let total = 0;
    for (const set of this._listeners.values()) total += set.size;
    return total;
  }
}

/** The document's part: listeners plus `visibilityState`. */
export class CountingDocument extends CountingTarget {
  visibilityState: DocumentVisibilityState = 'visible';
}

/**
 * A stubbed browser: `globalThis` gets `addEventListener`/`removeEventListener`/`dispatchEvent`,
 * plus `navigator.onLine` and a `document` with `visibilityState`. `vi.unstubAllGlobals()` undoes it.
 */
export class FakeBrowser {
  readonly window = new CountingTarget();
  readonly document = new CountingDocument();
  onLine = true;

  install(): this {
    vi.stubGlobal('addEventListener', this.window.addEventListener);
    vi.stubGlobal('removeEventListener', this.window.removeEventListener);
    vi.stubGlobal('dispatchEvent', this.window.dispatchEvent);
    vi.stubGlobal('navigator', Object.defineProperty({}, 'onLine', { get: () => this.onLine }));
    vi.stubGlobal('document', this.document);
    return this;
  }

  /** Listeners attached to the window and the document now. */
  get listenerCount(): number {
    return this.window.count + this.document.count;
  }

  goOffline(): void {
    this.onLine = false;
    this.window.dispatchEvent(new Event('offline'));
  }

  goOnline(): void {
    this.onLine = true;
    this.window.dispatchEvent(new Event('online'));
  }

  setVisibility(state: DocumentVisibilityState): void {
    this.document.visibilityState = state;
    this.document.dispatchEvent(new Event('visibilitychange'));
  }

  pagehide(persisted = true): void {
    this.window.dispatchEvent(Object.assign(new Event('pagehide'), { persisted }));
  }

  pageshow(persisted = true): void {
    this.window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted }));
  }
}

/** close() of every client a test made. */
const closers: (() => void)[] = [];
const servers: TestServer[] = [];

/**
 * A client on mock-socket, WebSocket only (the long-polling fallback would reach for the real
 * `fetch`; client.transports.test.ts covers it with a stub); closed after the test.
 */
export function makeClient<E extends object = EventMap, R extends object = EventMap>(
  url: string | (() => string | Promise<string>),
  options: ClientOptions = {},
): EnhancedWebSocketClient<E, R> {
  const client = new EnhancedWebSocketClient<E, R>(url, {
    WebSocket: MockWebSocket as unknown as typeof WebSocket,
    transports: ['websocket'],
    ...options,
  });
  closers.push(() => {
    client.close();
  });
  return client;
}

/** A mock server on `url`; stopped after the test. */
export function startServer(url: string, options?: ServerOptions): TestServer {
  const server = new TestServer(url, options);
  servers.push(server);
  return server;
}

/** Lets fake time pass, running timers and the promise jobs between them. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/**
 * Lets fake time pass like `advance`, and returns what a timer or promise job threw on the way
 * (undefined when nothing escaped), so a test can assert that the client kept its errors in.
 */
export async function escapedWhile(ms: number): Promise<unknown> {
  try {
    await advance(ms);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Enough fake time for a mock-socket connection to open (or fail) and its frames to land. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(MOCK_DELAY);
}

/** A server, a recording WebSocket and a client already open on them. */
export async function openClient<E extends object = EventMap, R extends object = EventMap>(
  options: ClientOptions = {},
  serverOptions?: ServerOptions,
): Promise<{ url: string; server: TestServer; sockets: SocketRecorder; client: EnhancedWebSocketClient<E, R> }> {
  const url = uniqueUrl();
  const server = startServer(url, serverOptions);
  const sockets = recordSockets();
  const client = makeClient<E, R>(url, { WebSocket: sockets.WebSocket, ...options });
  await settle();
  if (client.state !== 'open') throw new Error(`test harness: expected open, got ${client.state}`);
  return { url, server, sockets, client };
}

/** The stable code of an enhanced-ws error, or undefined for any other error. */
export function codeOf(error: unknown): string | undefined {
  return isEnhancedWsError(error) ? error.code : undefined;
}

/** Collects what a listener receives. */
export function collect<T>(): { items: T[]; push: (item: T) => void } {
  const items: T[] = [];
  return { items, push: (item: T) => { items.push(item); } };
}

/** Fake timers before each test; after it, close every client, stop every server, restore globals. */
export function useHarness(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    for (const close of closers.splice(0)) {
      try {
        close();
      } catch {
        // a test that found a bug may leave a client in a state close() trips on; the test already failed
      }
    }
    for (const server of servers.splice(0)) server.stop();
    vi.clearAllTimers();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}
