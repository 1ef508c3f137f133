// The fake world of the model-based client test (client.model.test.ts): a WebSocket whose server
// side the model drives step by step, a long-polling server behind `fetch` (model-polling-test-utils.ts),
// and one server that records every frame it receives, whichever transport carried it, in order.
// Nothing here is clever on purpose: the test trusts this file to tell what reached the server.

import { PollingSession } from './model-polling-test-utils.js';

/** What a model WebSocket's `close` event carries, as the browser's CloseEvent does. */
interface CloseInit {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** Frames of app messages carry a type naming the message: `m7` (a send) or `r8` (a request). */
export const APP_TYPE = /^[mr](\d+)$/;

/** How the server answers a connection attempt, until told otherwise. */
export type ServerMode = 'accept' | 'refuse' | 'hang';

/** How the server answers the requests it receives, by itself. */
export type ReplyMode = 'none' | 'ok' | 'error';

/** How the server answers the client's `auth` first frame (the client's `auth` option is set unless 'off'). */
export type AuthMode = 'off' | 'accept' | 'refuse' | 'silent';

export interface ServerSettings {
  /** WebSocket handshakes (upgrade probes included). */
  mode: ServerMode;
  /** Long-polling handshakes. */
  pollingMode: ServerMode;
  auth: AuthMode;
  /** Answer each `ping` with a `pong`, `latency` ms later. */
  answerPings: boolean;
  replies: ReplyMode;
  /** Ms before the server's own answers (accept, refuse, pong, reply, uploads) land. */
  latency: number;
}

/** One carrier of a connection as the server sees it: a WebSocket, or a long-polling session. */
export interface Peer {
  readonly kind: 'websocket' | 'long-polling';
  /** The client still listens to it. */
  readonly attached: boolean;
  /** The client let go of it for sure (a socket's handlers detached; a session's poll aborted or its DELETE sent). */
  readonly released: boolean;
  /** The handshake has not been answered yet. */
  readonly pending: boolean;
  /** An upgrade probe that has not (yet) taken the connection over. */
  readonly probe: boolean;
  /** The connection moved on to this carrier (a long-polling session upgraded to a WebSocket). */
  successor: Peer | undefined;
  /** Request ids received and not answered yet, in order. */
  unanswered: string[];
  /** When the last ping arrived (clock and event order), when the client was last handed a frame. */
  lastPingAt: number | undefined;
  /** That ping came over long-polling (a socket that took a session over inherits its last ping). */
  pingByPolling: boolean;
  lastPingSeq: number;
  lastInboundSeq: number;
  lastInboundAt: number | undefined;
  accept(): boolean;
  refuse(): boolean;
  /** A frame from the server; false when this carrier cannot deliver one now. */
  deliver(data: unknown): boolean;
  /** The server closes the connection: the close arrives after `finishClose()` (a WebSocket's close event; long-polling needs none). */
  closeFrame(code: number, reason: string): boolean;
  finishClose(): boolean;
  /** The network fails under it. */
  cut(): boolean;
}

/** One frame the server received, in the order of the server's log. */
export interface Received {
  peer: Peer;
  frame: string;
  /** The app message's number, when the frame is one (see APP_TYPE). */
  n: number | undefined;
  id: string | undefined;
  type: string;
}

/** The carrier a connection is on now (a session that was upgraded goes on on its socket). */
export const carrierOf = (peer: Peer): Peer => (peer.successor ? carrierOf(peer.successor) : peer);

/** UTF-8 bytes, as WHATWG's `bufferedAmount` counts them (not the client's own `utf8Length`: the model checks it). */
const encoder = new TextEncoder();
const utf8Bytes = (text: string): number => encoder.encode(text).length;

/**
 * A WebSocket shaped like Chromium's: `send` while CONNECTING throws, while CLOSING or CLOSED
 * discards without a word (once the closing handshake began). Every frame sent while OPEN reaches
 * the server at once and in order, unless the link is stalled: then it waits in the send buffer,
 * counted in `bufferedAmount` (UTF-8 bytes, WHATWG), and a connection that dies keeps counting
 * it in its close event. An EventTarget, as in browsers: the client trusts `bufferedAmount` only
 * from one (transports/websocket.ts); its events still go to the on* handlers only (all the
 * transport sets).
 */
export class ModelSocket extends EventTarget implements Peer {
  readonly kind = 'websocket';
  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseInit) => void) | null = null;
  /** Frames the client wrote while not OPEN: silently gone, as in a browser. */
  readonly discarded: string[] = [];
  /** The link is stalled (a large upload, a dying network): writes wait in `buffer` and `bufferedAmount` grows. */
  stalled = false;
  /**
   * Frames written that have not reached the server, in order: in transit while the socket lives
   * (a close frame waits behind them), never delivered once it ended (`cut()`: `bufferedAmount`
   * still counts them in the close event).
   */
  readonly buffer: string[] = [];
  drainedAt: number | undefined;
  /** How the connection ended, and whether the client still listened then (it hears what the buffer held). */
  ended: (CloseInit & { heard: boolean }) | undefined;
  /** The server has the probe's `upgrade` frame and has not decided yet; frames after it wait in `awaiting`. */
  deciding = false;
  readonly awaiting: string[] = [];
  /** Frames that came after the `upgrade` frame on a probe the server then refused: never processed. */
  readonly refused: string[] = [];
  /** Every frame the client wrote while OPEN (delivered or buffered), and when it last wrote a ping. */
  readonly handed: string[] = [];
  pingHandedAt: number | undefined;
  pingHandedSeq = -1;
  /** What the client's `close()` asked for. */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;
  /** The server sent a close frame: the client's close event waits for `finishClose()`. */
  closing: CloseInit | undefined;
  successor: Peer | undefined;
  unanswered: string[] = [];
  lastPingAt: number | undefined;
  pingByPolling = false;
  lastPingSeq = -1;
  lastInboundSeq = -1;
  lastInboundAt: number | undefined;
  /** An upgrade probe (`?transport=upgrade`) until the server switches the connection to it. */
  probe: boolean;
  /** Frames received so far (an upgrade probe's first must be `upgrade`). */
  private _frames = 0;

  constructor(
    readonly url: string,
    private readonly _server: ModelServer,
  ) {
    super();
    this.probe = new URL(url).searchParams.get('transport') === 'upgrade';
  }

  get pending(): boolean {
    return this.readyState === 0;
  }

  /** Whether the client still listens to this socket. */
  get attached(): boolean {
    return this.onclose !== null;
  }

  get released(): boolean {
    return !this.attached;
  }

  send(data: unknown): void {
    if (this.readyState === 0) throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError');
    const frame = typeof data === 'string' ? data : '<binary>';
    if (this.readyState !== 1) {
      // (still counted, as WHATWG says of every send() that does not throw, and Chromium does)
      this.discarded.push(frame);
      this.bufferedAmount += utf8Bytes(frame);
      return;
    }
    this.handed.push(frame);
    if (frame.startsWith('{"type":"ping"')) {
      this.pingByPolling = false;
      this.pingHandedAt = Date.now();
      this.pingHandedSeq = this._server.tick();
    }
    if (this.stalled) {
      // The link takes nothing: the frame waits in the send buffer (bufferedAmount grows).
      this.buffer.push(frame);
      this.bufferedAmount += utf8Bytes(frame);
      return;
    }
    this._arrive(frame);
  }

  /**
   * The link takes frames again: what waited in the send buffer reaches the server, in order, then
   * the client's close frame if it waited behind them (the server echoes it). Not once the
   * connection ended: what the buffer held died with it.
   */
  drain(): boolean {
    if (!this.stalled || this.readyState === 3) return false;
    this.stalled = false;
    for (const frame of this.buffer.splice(0)) {
      this.bufferedAmount -= utf8Bytes(frame);
      this._arrive(frame);
    }
    this.drainedAt = Date.now();
    if (this.closedByClient) this._echoLater();
    return true;
  }

  private _arrive(frame: string): void {
    if (this._frames++ === 0 && this.probe) {
      // The server decides a network latency later; what comes on the socket meanwhile waits for it.
      this.deciding = true;
      this._server.later(() => {
        this.deciding = false;
        this._server.upgrade(this, frame);
      });
    } else if (this.deciding) this.awaiting.push(frame);
    else this._server.receive(this, frame);
  }

  /** The client's close frame goes out behind the send buffer: on a stalled link it waits for `drain()` (or dies with `cut()`). */
  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this._server.onClientClose(this, code);
    this.readyState = 2;
    if (!this.stalled) this._echoLater();
  }

  /**
   * The server read the client's close frame (and all before it): it echoes the code, and the close
   * event comes a latency later, clean, unless a close frame of its own crossed it or the link died.
   */
  private _echoLater(): void {
    const { code, reason } = this.closedByClient ?? {};
    this._server.later(() => {
      if (this.readyState === 2 && !this.closing) this._end({ code: code ?? 1005, reason: reason ?? '', wasClean: true }, false);
    });
  }

  // The server's side.

  accept(): boolean {
    if (this.readyState !== 0) return false;
    this.readyState = 1;
    this.onopen?.(new Event('open'));
    return true;
  }

  /** The handshake fails (the server is down, a proxy refused the upgrade): error, then close 1006. */
  refuse(): boolean {
    if (this.readyState !== 0) return false;
    this._end({ code: 1006, reason: '', wasClean: false }, true);
    return true;
  }

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
    // (after the client's close(): a server close frame that crossed it, its code is the one the client sees)
    if (this.readyState !== 1 && !(this.readyState === 2 && this.closedByClient && !this.closing)) return false;
    this.readyState = 2;
    this.closing = { code, reason, wasClean: true };
    this._server.onClosing(this);
    return true;
  }

  /** Not while frames wait in the send buffer: the closing handshake goes out behind them (`drain()` first, or `cut()`). */
  finishClose(): boolean {
    if (this.readyState !== 2 || !this.closing || this.buffer.length > 0) return false;
    this._end(this.closing, false);
    return true;
  }

  /**
   * The connection dies without a close frame (network cut, server killed), also during a closing
   * handshake: error, then close 1006, `bufferedAmount` still counting what the buffer held.
   */
  cut(): boolean {
    if (this.readyState !== 1 && this.readyState !== 2) return false;
    this._end({ code: 1006, reason: '', wasClean: false }, true);
    return true;
  }

  private _end(event: CloseInit, error: boolean): void {
    this.ended = { ...event, heard: this.attached };
    this.readyState = 3;
    this.closing = undefined;
    if (error) this.onerror?.(new Event('error'));
    this.onclose?.(event);
  }
}

/** The server: every carrier the client made, every frame received (one log, in order), its automatic answers. */
export class ModelServer {
  /** Every socket and long-polling session, in the order the client made them. */
  readonly peers: Peer[] = [];
  readonly log: Received[] = [];
  /** Request id → what the server answered it with (only replies that reached an attached client). */
  readonly answers = new Map<string, { payload: unknown } | { error: { message: string; code: string } }>();
  /**
   * Request ids whose reply the client read at once, on the WebSocket it listens to (the request must be
   * settled after it). Not one on a socket that just took a session over: held until long-polling ends.
   */
  readonly repliedWhileAttached = new Set<string>();
  /** Told each time the client makes a socket or opens a session (the model checks when it may). */
  onConstruct: (peer: Peer, url: string) => void = () => undefined;
  /** Told when a socket starts its closing handshake from the server's side (writes to it now wait in the client's transport). */
  onClosing: (socket: ModelSocket) => void = () => undefined;
  /** Told when the client closes a carrier (with the code it asked for). */
  onClientClose: (peer: Peer, code: number | undefined) => void = () => undefined;
  /** Told each time an app message (`n`, with its request id if any) reaches the server. */
  onReceive: (n: number, id: string | undefined, peer: Peer) => void = () => undefined;
  /** The server's own timers still pending (the client's are the rest of the fake clock's). */
  timers = 0;
  private _lastPing: unknown;
  private _seq = 0;

  constructor(readonly settings: ServerSettings) {}

  /** The WebSocket class to pass as the client's `WebSocket` option. */
  get WebSocket(): typeof WebSocket {
    const server = this as ModelServer;
    class Socket extends ModelSocket {
      constructor(url: string) {
        super(url, server);
        server.connected(this, url);
      }
    }
    return Socket as unknown as typeof WebSocket;
  }

  /** The `fetch` to pass as the client's option: a long-polling server (docs/protocol.md). */
  readonly fetch: typeof fetch = (input, init) => PollingSession.fetch(this, input, init);

  get sockets(): ModelSocket[] {
    return this.peers.filter((peer): peer is ModelSocket => peer instanceof ModelSocket);
  }

  /** The carrier of the newest connection (not an upgrade probe that has not taken over). */
  get current(): Peer | undefined {
    return [...this.peers].reverse().find((peer) => !peer.probe);
  }

  /** The newest carrier whose handshake waits for an answer. */
  get pending(): Peer | undefined {
    return [...this.peers].reverse().find((peer) => peer.pending);
  }

  /** A socket or session the client made: answered per the server's mode. */
  connected(peer: Peer, url: string): void {
    this.peers.push(peer);
    this.onConstruct(peer, url);
    const mode = peer.kind === 'websocket' ? this.settings.mode : this.settings.pollingMode;
    if (mode === 'accept') this.later(() => peer.accept());
    else if (mode === 'refuse') this.later(() => peer.refuse());
  }

  /** An upgrade probe's first frame: take the connection over from its long-polling session, or refuse (4404). */
  upgrade(socket: ModelSocket, frame: string): void {
    // Closed or cut before the server read its first frame (it sent its close frame meanwhile, or
    // the link died): nothing on it is read; what waited behind it stays in `awaiting`, lost with
    // the connection (at most once, as on any socket; after the server's 4404 the client reports it).
    const closed = socket.closing ?? socket.ended;
    if (closed) {
      // (a 4404 is a refusal the client hears: what it wrote behind the upgrade frame must be reported)
      if (closed.code === 4404) socket.refused.push(...socket.awaiting.splice(0));
      return;
    }
    const { type, payload } = JSON.parse(frame) as { type?: unknown; payload?: { sid?: unknown } };
    const session = this.peers.find((peer): peer is PollingSession => peer instanceof PollingSession && peer.sid === payload?.sid);
    if (type !== 'upgrade' || !session?.switchTo(socket)) {
      socket.refused.push(...socket.awaiting.splice(0));
      if (socket.closeFrame(4404, 'no live long-polling session to upgrade')) socket.finishClose();
      return;
    }
    socket.probe = false;
    Object.assign(socket, { unanswered: session.unanswered.splice(0), lastPingAt: session.lastPingAt, pingByPolling: true, lastPingSeq: session.lastPingSeq, lastInboundSeq: session.lastInboundSeq, lastInboundAt: session.lastInboundAt });
    for (const waiting of socket.awaiting.splice(0)) this.receive(socket, waiting);
  }

  receive(peer: Peer, frame: string): void {
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
    this.log.push({ peer, frame, n, id, type });
    if (n !== undefined) this.onReceive(n, id, peer);
    const { latency, answerPings, replies, auth } = this.settings;
    if (type === 'auth') {
      // (the client swallows the answer: not counted as proof of life, see the regression test
      // "counts a late answer to auth as proof of life for the heartbeat")
      if (auth === 'accept') this.later(() => { deliverUncounted(peer, JSON.stringify({ type: 'auth', payload: { ok: true } })); });
      if (auth === 'refuse') this.later(() => { if (peer.closeFrame(4401, 'bad token')) peer.finishClose(); });
      return;
    }
    if (type === 'ping') {
      peer.lastPingAt = Date.now();
      peer.pingByPolling = peer.kind === 'long-polling';
      peer.lastPingSeq = this.tick();
      this._lastPing = parsed.payload;
      if (answerPings) this.later(() => { carrierOf(peer).deliver(JSON.stringify({ type: 'pong', payload: parsed.payload })); });
    }
    if (id === undefined) return;
    peer.unanswered.push(id);
    if (replies !== 'none') this.later(() => { this.reply(carrierOf(peer), id, replies === 'error'); }, latency);
  }

  /** Answers request `id` on `peer`, with a result or an error frame per docs/protocol.md. */
  reply(peer: Peer, id: string, error: boolean): void {
    const index = peer.unanswered.indexOf(id);
    if (index < 0) return;
    const answer = error ? { error: { message: `no luck for ${id}`, code: 'NOPE' } } : { payload: { echo: id } };
    const attached = peer.attached;
    if (!peer.deliver(JSON.stringify({ type: 'reply', id, ...answer }))) return;
    peer.unanswered.splice(index, 1);
    if (!attached) return;
    this.answers.set(id, answer);
    // (over long-polling the reply reaches the client a task later)
    if (peer.kind === 'websocket' && !this.peers.some((p) => p.successor === peer)) this.repliedWhileAttached.add(id);
  }

  /** The next number in the order of pings and deliveries. */
  tick(): number {
    return ++this._seq;
  }

  /** The payload of the newest ping received (to echo in a pong). */
  get lastPing(): unknown {
    return this._lastPing;
  }

  /** Runs `fn` after `ms` (the server's latency by default) on the fake clock. */
  later(fn: () => void, ms = this.settings.latency): void {
    this.timers++;
    setTimeout(() => {
      this.timers--;
      fn();
    }, ms);
  }
}

/** Delivers a frame without marking it as inbound life (the client swallows it). */
function deliverUncounted(peer: Peer, data: string): void {
  const { lastInboundSeq, lastInboundAt } = peer;
  peer.deliver(data);
  Object.assign(peer, { lastInboundSeq, lastInboundAt });
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
