// The fake world of the model-based client test (client.model.test.ts): a WebSocket whose server
// side the model drives step by step, and a server that records every frame it receives in order.
// Nothing here is clever on purpose: the test trusts this file to tell what reached the server.

/** What a model WebSocket's `close` event carries, as the browser's CloseEvent does. */
interface CloseInit {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** Frames of app messages carry a type naming the message: `m7` (a send) or `r8` (a request). */
export const APP_TYPE = /^[mr](\d+)$/;

/** How the server answers a socket that connects, until told otherwise. */
export type ServerMode = 'accept' | 'refuse' | 'hang';

/** How the server answers the requests it receives, by itself. */
export type ReplyMode = 'none' | 'ok' | 'error';

/** How the server answers the client's `auth` first frame (the client's `auth` option is set unless 'off'). */
export type AuthMode = 'off' | 'accept' | 'refuse' | 'silent';

export interface ServerSettings {
  mode: ServerMode;
  auth: AuthMode;
  /** Answer each `ping` with a `pong`, `latency` ms later. */
  answerPings: boolean;
  replies: ReplyMode;
  /** Ms before the server's own answers (accept, refuse, pong, reply) land. */
  latency: number;
}

/** One frame the server received, in the order of the server's log. */
export interface Received {
  socket: ModelSocket;
  frame: string;
  /** The app message's number, when the frame is one (see APP_TYPE). */
  n: number | undefined;
  id: string | undefined;
  type: string;
}

/**
 * A WebSocket shaped like the browser's: `send` while CONNECTING throws (as browsers do), while
 * CLOSING or CLOSED discards without a word (as browsers do once the closing handshake began).
 * Every frame sent while OPEN reaches the server at once and in order (no buffer to lose).
 */
export class ModelSocket {
  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseInit) => void) | null = null;
  /** Frames the client wrote while not OPEN: silently gone, as in a browser. */
  readonly discarded: string[] = [];
  /** What the client's `close()` asked for. */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;
  /** The server sent a close frame: the client's close event waits for `finishClose()`. */
  closing: CloseInit | undefined;
  /** Request ids received on this socket and not answered yet, in order. */
  readonly unanswered: string[] = [];
  /** When the last ping arrived (clock and event order) and when the client was last handed a frame. */
  lastPingAt: number | undefined;
  lastPingSeq = -1;
  lastInboundSeq = -1;
  lastInboundAt: number | undefined;
  openedAt: number | undefined;

  constructor(
    readonly url: string,
    private readonly _server: ModelServer,
  ) {}

  send(data: unknown): void {
    if (this.readyState === 0) throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError');
    const frame = typeof data === 'string' ? data : '<binary>';
    if (this.readyState !== 1) {
      this.discarded.push(frame);
      return;
    }
    this._server.receive(this, frame);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this._server.onClientClose(this, code);
    this.readyState = 2; // the close event never comes: the client detached its handlers first
  }

  /** Whether the client still listens to this socket. */
  get attached(): boolean {
    return this.onclose !== null;
  }

  // The server's side.

  accept(): boolean {
    if (this.readyState !== 0) return false;
    this.readyState = 1;
    this.openedAt = Date.now();
    this.onopen?.(new Event('open'));
    return true;
  }

  /** The handshake fails (the server is down, a proxy refused the upgrade): error, then close 1006. */
  refuse(): boolean {
    if (this.readyState !== 0) return false;
    this._end({ code: 1006, reason: '', wasClean: false }, true);
    return true;
  }

  /** A frame from the server; only an OPEN socket delivers one. */
  deliver(data: unknown): boolean {
    if (this.readyState !== 1) return false;
    if (this.attached) {
      this.lastInboundSeq = this._server.tick();
      this.lastInboundAt = Date.now();
    }
    this.onmessage?.({ data });
    return true;
  }

  /** The server's close frame arrives: CLOSING (writes now discarded); the close event comes with `finishClose()`. */
  closeFrame(code: number, reason = ''): boolean {
    if (this.readyState !== 1) return false;
    this.readyState = 2;
    this.closing = { code, reason, wasClean: true };
    return true;
  }

  finishClose(): boolean {
    if (this.readyState !== 2 || !this.closing) return false;
    this._end(this.closing, false);
    return true;
  }

  /** The connection dies without a close frame (network cut, server killed): error, then close 1006. */
  cut(): boolean {
    if (this.readyState !== 1 && this.readyState !== 2) return false;
    if (this.closedByClient) return false;
    this._end({ code: 1006, reason: '', wasClean: false }, true);
    return true;
  }

  private _end(event: CloseInit, error: boolean): void {
    this.readyState = 3;
    this.closing = undefined;
    if (error) this.onerror?.(new Event('error'));
    this.onclose?.(event);
  }
}

/** The server: every socket the client made, every frame received (one log, in order), its automatic answers. */
export class ModelServer {
  readonly sockets: ModelSocket[] = [];
  readonly log: Received[] = [];
  /** Request id → what the server answered it with (only replies that reached an attached client). */
  readonly answers = new Map<string, { payload: unknown } | { error: { message: string; code: string } }>();
  /** Request ids whose reply the client read while listening (the request must be settled after it). */
  readonly repliedWhileAttached = new Set<string>();
  /** Told each time the client constructs a socket (the model checks when it may). */
  onConstruct: (socket: ModelSocket) => void = () => undefined;
  /** Told when the client closes a socket (with the code it asked for). */
  onClientClose: (socket: ModelSocket, code: number | undefined) => void = () => undefined;
  /** Told each time an app message (`n`, with its request id if any) reaches the server. */
  onReceive: (n: number, id: string | undefined) => void = () => undefined;
  private _lastPing: unknown;
  private _seq = 0;
  /** The server's own timers still pending (the client's are the rest of the fake clock's). */
  timers = 0;

  constructor(readonly settings: ServerSettings) {}

  /** The WebSocket class to pass as the client's `WebSocket` option. */
  get WebSocket(): typeof WebSocket {
    const server = this as ModelServer;
    class Socket extends ModelSocket {
      constructor(url: string) {
        super(url, server);
        server._connected(this);
      }
    }
    return Socket as unknown as typeof WebSocket;
  }

  get latest(): ModelSocket | undefined {
    return this.sockets.at(-1);
  }

  receive(socket: ModelSocket, frame: string): void {
    let parsed: { type?: unknown; id?: unknown; payload?: unknown } = {};
    try {
      parsed = JSON.parse(frame) as typeof parsed;
    } catch {
      // recorded as it came
    }
    const type = typeof parsed.type === 'string' ? parsed.type : '';
    const id = typeof parsed.id === 'string' ? parsed.id : undefined;
    const match = APP_TYPE.exec(type);
    const n = match ? Number(match[1]) : undefined;
    this.log.push({ socket, frame, n, id, type });
    if (n !== undefined) this.onReceive(n, id);
    const { latency, answerPings, replies } = this.settings;
    if (type === 'auth') {
      const auth = this.settings.auth;
      if (auth === 'accept') this.later(() => { socket.deliver(JSON.stringify({ type: 'auth', payload: { ok: true } })); });
      if (auth === 'refuse') this.later(() => { if (socket.closeFrame(4401, 'bad token')) socket.finishClose(); });
      return;
    }
    if (type === 'ping') {
      socket.lastPingAt = Date.now();
      socket.lastPingSeq = this.tick();
      this._lastPing = parsed.payload;
      if (answerPings) this.later(() => { socket.deliver(JSON.stringify({ type: 'pong', payload: parsed.payload })); });
    }
    if (id === undefined) return;
    socket.unanswered.push(id);
    if (replies !== 'none') this.later(() => { this.reply(socket, id, replies === 'error'); }, latency);
  }

  /** Answers request `id` on `socket`, with a result or an error frame per docs/protocol.md. */
  reply(socket: ModelSocket, id: string, error: boolean): void {
    const index = socket.unanswered.indexOf(id);
    if (index < 0) return;
    const answer = error ? { error: { message: `no luck for ${id}`, code: 'NOPE' } } : { payload: { echo: id } };
    const attached = socket.attached;
    if (!socket.deliver(JSON.stringify({ type: 'reply', id, ...answer }))) return;
    socket.unanswered.splice(index, 1);
    if (!attached) return;
    this.answers.set(id, answer);
    this.repliedWhileAttached.add(id);
  }

  /** The next number in the order of pings and deliveries. */
  tick(): number {
    return ++this._seq;
  }

  /** The payload of the newest ping received (to echo in a pong). */
  get lastPing(): unknown {
    return this._lastPing;
  }

  /** Runs `fn` after the server's latency (a fake timer: the test's clock drives it). */
  later(fn: () => void, ms = this.settings.latency): void {
    this.timers++;
    setTimeout(() => {
      this.timers--;
      fn();
    }, ms);
  }

  private _connected(socket: ModelSocket): void {
    this.sockets.push(socket);
    this.onConstruct(socket);
    const { mode } = this.settings;
    if (mode === 'accept') this.later(() => socket.accept());
    else if (mode === 'refuse') this.later(() => socket.refuse());
  }
}

/** A seeded PRNG (mulberry32), for the client's `random` option: runs replay exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
