// The model of client.model.test.ts: applies one operation at a time to a real client in the fake
// world of model-test-utils.ts, keeps a ledger of every message the app handed over, and checks
// the client's promises after every step. A broken promise throws a `Violation`.

import { vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import { EnhancedWsError, isEnhancedWsError } from './errors.js';
import type { ClientOptions, OverflowPolicy } from './options.js';
import { canMove, type ConnectionState } from './state.js';
import { FakeBrowser } from './test-utils.js';
import { PollingSession } from './model-polling-test-utils.js';
import { APP_TYPE, ModelServer, ModelSocket, carrierOf, seededRandom, type Peer, type ServerSettings } from './model-test-utils.js';
import type { TransportName } from './transports/transport.js';

export type PayloadKind = 'none' | 'number' | 'text' | 'object' | 'large' | 'cycle' | 'bigint' | 'function';
export type ServerFrame = 'message' | 'pong' | 'not-json' | 'non-envelope' | 'binary' | 'stray-reply';

/** One step of a run. Server-side steps act on the newest connection (accept/refuse: the newest handshake). */
export type Op =
  | { op: 'send'; payload: PayloadKind }
  | { op: 'request'; payload: PayloadKind; timeout: number | undefined }
  | { op: 'accept' }
  | { op: 'refuse' }
  | { op: 'mode'; transport: TransportName; mode: ServerSettings['mode'] }
  | { op: 'refuseUpload'; status: number }
  | { op: 'probe'; action: 'cut' | 'close4404' | 'closeNormal' | 'closeFrame' }
  | { op: 'stall' }
  | { op: 'auth'; gives: 'token' | 'undefined' | 'throws' }
  | { op: 'drain' }
  | { op: 'serverClose'; code: number; phased: boolean }
  | { op: 'finishClose' }
  | { op: 'cut' }
  | { op: 'reply'; pick: number; error: boolean }
  | { op: 'serverSend'; frame: ServerFrame }
  | { op: 'advance'; ms: number }
  | { op: 'offline' }
  | { op: 'online' }
  | { op: 'visible' }
  | { op: 'pagehide' }
  | { op: 'pageshow' }
  | { op: 'close'; code: number | undefined }
  | { op: 'connect' };

export interface ModelConfig {
  queue: false | { maxMessages: number; overflow: OverflowPolicy; maxAge: number | undefined; maxBytes: number | undefined; dropOnClose: boolean };
  heartbeat: false | { interval: number; timeout: number };
  reconnect: false | { initialDelay: number; maxDelay: number; jitter: number; maxRetries: number | undefined; resetAfter: number };
  requestTimeout: number | undefined;
  connectTimeout: number;
  transports: TransportName[];
  autoConnect: boolean;
  /** `auth` returns a Promise (else the string itself); only when server.auth is not 'off'. */
  asyncAuth: boolean;
  /** `url` is a function returning a Promise (called before every attempt). */
  urlFunction: boolean;
  /** Listeners of the app that send (or close) from inside the client's callbacks. */
  reentry: { onOpen: boolean; onStateChange: boolean; onError: boolean; onClose: boolean };
  /** A listener that calls close() (twice per run at most), and one that calls connect() when the client closed. */
  closeIn: 'none' | 'onOpen' | 'onClose' | 'onError' | 'onReconnecting' | 'onStateChange';
  connectOnClosed: boolean;
  server: ServerSettings;
  /** WebSocket handshakes succeed from then on (a proxy that refused the upgrade is fixed): the upgrade's chance. */
  unblockAfter: number | undefined;
  seed: number;
}

/** Where a message was handed over: by a step, or by a listener the client was running. */
type Origin = 'app' | 'onOpen' | 'onStateChange' | 'onError' | 'onExpired' | 'onClose';

/** A broken promise of the client (or of the model: read the message before calling it a bug). */
export class Violation extends Error {
  override name = 'Violation';
}

const UNSERIALIZABLE: readonly PayloadKind[] = ['cycle', 'bigint', 'function'];

/** What the app handed to `send` or `request`, and what became of it. */
interface Message {
  n: number;
  type: string;
  origin: Origin;
  /** Times the server received it. */
  delivered: number;
  /** Times `onError` reported it dropped or expired. */
  reported: number;
  request?: RequestRecord;
  /** When the app handed it over, and whether a WebSocket was closing then or since (it may be taken back, its age reset). */
  sentAt: number;
  sentInLimbo: boolean;
}

interface RequestRecord {
  id: string | undefined;
  createdAt: number;
  timeout: number;
  settled: 'pending' | 'resolved' | 'rejected';
  value?: unknown;
  error?: unknown;
  /** The client's state when the rejection was seen. */
  stateAtRejection?: ConnectionState;
  /** How many times the client had closed when the request was made. */
  closedBefore: number;
  /** Made while the client was closed (it waits in the kept queue for connect()). */
  madeWhileClosed: boolean;
  /** Rejected while not yet delivered: the server must never act on it after that. */
  abandoned?: boolean;
  /** Rejected while its frame waited in the send buffer of a socket that had not ended yet. */
  inDeadBuffer?: boolean;
}

function payloadOf(kind: PayloadKind, n: number): unknown {
  switch (kind) {
    case 'none': return undefined;
    case 'number': return n;
    case 'text': return `text ${n}`;
    case 'object': return { n, list: [1, 'two', null], nested: { ok: true } };
    case 'large': return 'x'.repeat(300);
    case 'cycle': {
      const cycle: Record<string, unknown> = { n };
      cycle.self = cycle;
      return cycle;
    }
    case 'bigint': return BigInt(n);
    case 'function': return () => n;
  }
}

/** An error the outbox's `dropped()` gives a message it gives up on (counted in stats), rather than a rejection of another kind. */
function countedDrop(error: unknown, type: string): boolean {
  return isEnhancedWsError(error) && ['QUEUE_OVERFLOW', 'MESSAGE_EXPIRED', 'CONNECTION_CLOSED'].includes(error.code) && error.message.includes(`"${type}"`) && !error.message.includes('was not queued');
}

const flushMicrotasks = async (): Promise<void> => {
  for (let i = 0; i < 30; i++) await Promise.resolve();
};

export class Model {
  readonly client: EnhancedWebSocketClient;
  readonly server: ModelServer;
  readonly browser = new FakeBrowser();
  readonly messages: Message[] = [];
  readonly trace: string[] = [];
  private _next = 0;
  private _state: ConnectionState;
  /** close() was called (or the client closed itself) and connect() not since: no socket may be made. */
  private _closedForGood = false;
  private readonly _byNumber = new Map<number, Message>();
  /** Violations seen inside the client's listeners (which catch what they throw): rethrown by check(). */
  private readonly _violations: Violation[] = [];
  private _lastDelivered = 0;
  /** The newest message each connection delivered (an upgraded session and its socket are one connection). */
  private readonly _lastOn = new Map<Peer, number>();
  /** The newest message number handed over before the client last moved to closed: those requests must be settled by that move. */
  private _settledUpTo = 0;
  private _unhandled: unknown[] = [];
  private _opens = 0;
  /** The transport onStateChange last reported. */
  private _transport: TransportName | null = null;
  /** When the client last opened (its heartbeat starts then). */
  private _openAt = 0;
  /** How deep our onError listener is nested, and sends it made where the client reports no more drops. */
  private _errorDepth = 0;
  private _deepActions = 0;
  /** The app's close() is running (its code, 4000 say, is no heartbeat verdict). */
  private _closing = false;
  /** Carriers the app closed (a long-polling DELETE with the app's code comes after its uploads). */
  private readonly _appClosed = new Set<Peer>();
  /** Sockets whose close a later connect() waits for (the client's transport at close(), its buffer not empty), and when. */
  private readonly _closeAwaited = new Map<ModelSocket, number>();
  private _listenerSends = 0;
  private _listenerCloses = 0;
  private _lastAttempt = 0;
  /** The app's auth() fails (returns undefined, or throws) until fixed. */
  private _authBroken: 'undefined' | 'throws' | undefined;
  /** When the retry announced by onReconnecting is due; an `online` or `pageshow` may bring it forward. */
  private _retryDue = 0;
  /** Times the client moved to closed (a request made before one may be rejected by it). */
  private _closedCount = 0;
  /** The run's last close(): the app's listeners stop acting. */
  private _finishing = false;
  private _listenerConnects = 0;
  /** Server messages (`news`, numbered) sent, with their carrier, and the numbers the client's handler got. */
  private readonly _news: { seq: number; peer: Peer }[] = [];
  private _newsSeq = 0;
  private readonly _newsReceived: number[] = [];
  private _earlyNews = 0;
  private _closes = 0;
  private readonly _onUnhandled = (reason: unknown): void => { this._unhandled.push(reason); };

  constructor(readonly config: ModelConfig) {
    this.browser.install();
    process.on('unhandledRejection', this._onUnhandled);
    this.server = new ModelServer({ ...config.server });
    this.server.onConstruct = (peer, url) => { this._constructed(peer, url); };
    this.server.onReceive = (n, id, peer) => { this._delivered(n, id, peer); };
    this.server.onClientClose = (peer, code) => { this._clientClosed(peer, code); };
    // Whatever waits now may be written into the closing socket and taken back later, its age reset.
    this.server.onClosing = () => {
      for (const m of this.messages) if (!m.delivered && !m.reported) m.sentInLimbo = true;
    };
    const unblockAfter = config.unblockAfter;
    if (unblockAfter !== undefined) this.server.later(() => { this.server.settings.mode = 'accept'; }, unblockAfter);
    // (the constructor's own move to `connecting` happens before we can listen: read the state)
    const url = 'ws://model.test/ws';
    this.client = new EnhancedWebSocketClient(config.urlFunction ? () => Promise.resolve(url) : url, this._options());
    this._state = this.client.state;
    this.client.onStateChange(({ state, previous, transport }) => {
      if (previous !== this._state) this.fail(`onStateChange says previous=${previous}, but the last state reported was ${this._state}`);
      // (one emission is no move: an open long-polling connection upgraded to WebSocket, docs/architecture.md)
      const upgraded = state === 'open' && previous === 'open' && transport === 'websocket' && this._transport === 'long-polling';
      if (!canMove(previous, state) && !upgraded) this.fail(`state moved ${previous} -> ${state} (${String(this._transport)} -> ${String(transport)}), not in state.ts`);
      this._transport = transport;
      if (state !== this.client.state) this.fail(`onStateChange reports ${state} while client.state is ${this.client.state}`);
      this._state = state;
      if (state === 'closed') {
        this._closedCount++;
        this._closedForGood = true;
        this._settledUpTo = this._next;
      }
      if (config.reentry.onStateChange) this._listenerSend('onStateChange');
      if (config.closeIn === 'onStateChange' && state === 'reconnecting') this._listenerClose();
      if (config.connectOnClosed && state === 'closed' && this._listenerConnects < 2 && !this._finishing) {
        this._listenerConnects++;
        this.trace.push('(onStateChange: connect())');
        this._closedForGood = false;
        this.client.connect();
      }
    });
    this.client.onError((error) => {
      this._errorDepth++;
      try {
        if (this._reported(error) && config.reentry.onError) this._listenerSend(isEnhancedWsError(error, 'MESSAGE_EXPIRED') ? 'onExpired' : 'onError');
        if (config.closeIn === 'onError') this._listenerClose();
      } finally {
        this._errorDepth--;
      }
    });
    this.client.onOpen(({ transport }) => {
      if (transport !== this.client.transport) this.fail(`onOpen says ${transport}, the client is on ${String(this.client.transport)}`);
      this._opens++;
      this._openAt = Date.now();
      if (config.reentry.onOpen) this._listenerSend('onOpen');
      if (config.closeIn === 'onOpen') this._listenerClose();
    });
    this.client.onClose(({ willReconnect }) => {
      const state = this.client.state;
      if (willReconnect ? state !== 'reconnecting' : state === 'reconnecting') this.fail(`onClose says willReconnect ${String(willReconnect)} while ${state}`);
      // One onClose per open connection; without one, only the client stopping for good (the
      // server's final code, the last retry failing), never the app's own close() of an attempt.
      if (this._closes < this._opens) this._closes++;
      else if (willReconnect || this._closing) this.fail('onClose without an onOpen before it, and not a stop the server or the network caused');
      if (config.reentry.onClose) this._listenerSend('onClose');
      if (config.closeIn === 'onClose') this._listenerClose();
    });
    this.client.on('news', (payload) => {
      const { seq } = payload as { seq: number };
      const last = this._newsReceived.at(-1) ?? 0;
      if (seq <= last) this.fail(`server message #${seq} reached the app after #${last} (duplicated or reordered)`);
      this._newsReceived.push(seq);
    });
    this.client.onReconnecting(({ attempt, delay }) => {
      const reconnect = this.config.reconnect;
      if (!reconnect) this.fail('onReconnecting with reconnect: false');
      const retries = reconnect.maxRetries;
      if (retries !== undefined && attempt > retries) this.fail(`onReconnecting attempt ${attempt} past reconnect.maxRetries ${retries}`);
      if (attempt !== 1 && attempt !== this._lastAttempt + 1) this.fail(`onReconnecting attempt ${attempt} after attempt ${this._lastAttempt}`);
      this._lastAttempt = attempt;
      // backoff.ts: within [base × (1 − jitter), base], base = min(maxDelay, initialDelay × 2^(attempt − 1))
      const base = Math.min(reconnect.maxDelay, reconnect.initialDelay * 2 ** (attempt - 1));
      if (delay > base || delay < Math.round(base * (1 - reconnect.jitter))) this.fail(`retry ${attempt} waits ${delay} ms, outside the backoff's [${Math.round(base * (1 - reconnect.jitter))}, ${base}]`);
      this._retryDue = Date.now() + delay;
      if (config.closeIn === 'onReconnecting') this._listenerClose();
    });
  }

  fail(message: string): never {
    const violation = new Violation(`${message}\n  after: ${this.trace.slice(-12).join(' | ')}`);
    this._violations.push(violation);
    throw violation;
  }

  /** What the run exercised, for MODEL_STATS. */
  summary(): Record<string, number> {
    const requests = this.messages.flatMap((m) => (m.request ? [m.request] : []));
    const stats = this.client.stats;
    return {
      steps: this.trace.length,
      messages: this.messages.length,
      delivered: this.messages.filter((m) => m.delivered).length,
      reported: this.messages.filter((m) => m.reported).length,
      stillQueued: stats.queued,
      sockets: this.server.sockets.length,
      sessions: this.server.peers.length - this.server.sockets.length,
      upgrades: this.server.sockets.filter((socket) => new URL(socket.url).searchParams.get('transport') === 'upgrade' && !socket.probe).length,
      opens: this._opens,
      resolved: requests.filter((r) => r.settled === 'resolved').length,
      rejected: requests.filter((r) => r.settled === 'rejected').length,
      expired: stats.expired,
      dropped: stats.dropped,
      malformed: stats.malformed,
      news: this._news.length,
      earlyNews: this._earlyNews,
      // (sockets that died with frames in their send buffer while the client listened: it resends them, or after its close() reports them)
      resentBuffers: this.server.sockets.filter((s) => s.ended?.heard && s.buffer.length > 0 && !s.closedByClient).length,
      lostAfterClose: this.server.sockets.filter((s) => s.ended?.heard && s.buffer.length > 0 && s.closedByClient).length,
    };
  }

  /** Lets go of the globals and the fake timers (and of the client, when a run failed half-way). */
  dispose(): void {
    this._finishing = true;
    try {
      this.client.close();
    } catch {
      // the run already failed
    }
    process.off('unhandledRejection', this._onUnhandled);
    vi.unstubAllGlobals();
  }

  async apply(op: Op): Promise<void> {
    this.trace.push(describe(op));
    this._listenerSends = 0;
    const peer = this.server.current;
    switch (op.op) {
      case 'send': this._send(op.payload, 'app'); break;
      case 'request': this._request(op.payload, op.timeout); break;
      case 'accept': this.server.pending?.accept(); break;
      case 'refuse': this.server.pending?.refuse(); break;
      case 'mode':
        if (op.transport === 'websocket') this.server.settings.mode = op.mode;
        else this.server.settings.pollingMode = op.mode;
        break;
      case 'refuseUpload': if (peer instanceof PollingSession) peer.refuseUpload(op.status); break;
      case 'probe': this._probe(op.action); break;
      case 'auth': this._authBroken = op.gives === 'token' ? undefined : op.gives; break;
      case 'stall': if (peer instanceof ModelSocket && peer.readyState === 1) peer.stalled = true; break;
      case 'drain': for (const socket of this.server.sockets) socket.drain(); break;
      case 'serverClose':
        if (peer?.closeFrame(op.code, `server says ${op.code}`) && !op.phased) peer.finishClose();
        break;
      case 'finishClose': peer?.finishClose(); break;
      case 'cut': peer?.cut(); break;
      case 'reply': {
        const id = peer?.unanswered[op.pick % Math.max(1, peer.unanswered.length)];
        if (peer && id !== undefined) this.server.reply(peer, id, op.error);
        break;
      }
      case 'serverSend': if (peer) this._serverSend(peer, op.frame); break;
      case 'advance': await this._guard('advancing time', () => vi.advanceTimersByTimeAsync(op.ms)); break;
      case 'offline': this.browser.goOffline(); break;
      case 'online':
        this._retryDue = 0; // (retries at once on online)
        this.browser.goOnline();
        break;
      case 'visible': this.browser.setVisibility('visible'); break;
      case 'pagehide': this.browser.pagehide(); break;
      case 'pageshow':
        this._retryDue = 0; // (a page back from the back/forward cache reconnects at once)
        this.browser.pageshow();
        break;
      case 'close': this._close(op.code); break;
      case 'connect': this._connect(); break;
    }
    await flushMicrotasks();
  }

  /** Ends the run: close(), every timer run out, then nothing may be left behind. */
  async finish(): Promise<void> {
    this.trace.push('close() and run all timers');
    this._finishing = true;
    this._close(undefined);
    await flushMicrotasks();
    this.check();
    // close() clears every handle; may outlive it (docs/architecture.md, Time): the kept queue's expiry
    // timer, the timeouts of requests made while closed (close() then is a no-op; they wait in the queue),
    // and on long-polling the uploads still finishing (each with its deadline) and the 0 ms timers that
    // deliver frames already received (no-ops after close()): checked on WebSocket only.
    const queue = this.config.queue;
    const expiry = queue && queue.maxAge !== undefined && this.client.stats.queued > 0 ? 1 : 0;
    const waiting = this.messages.filter((m) => m.request?.settled === 'pending' && m.request.timeout !== Infinity).length;
    const clientTimers = vi.getTimerCount() - this.server.timers;
    const polling = this.server.peers.some((peer) => peer instanceof PollingSession);
    if (!polling && clientTimers > expiry + waiting) this.fail(`${clientTimers} client timers pending right after close() (the queue's expiry: ${expiry}, request timeouts: ${waiting})`);
    await this._guard('running all timers after close()', () => vi.runAllTimersAsync());
    await flushMicrotasks();
    this.check();
    if (vi.getTimerCount() !== 0) this.fail(`${vi.getTimerCount()} timers still pending after close() and running all timers`);
    if (this.browser.listenerCount !== 0) this.fail(`${this.browser.listenerCount} window/document listeners left after close()`);
    // Only a request made while closed with no timeout may wait on (for a connect() that never comes).
    const pending = this.messages.filter((m) => m.request?.settled === 'pending' && !(m.n > this._settledUpTo && m.request.timeout === Infinity && m.request.madeWhileClosed));
    if (pending.length) this.fail(`requests ${pending.map((m) => m.type).join(', ')} still pending after close() and running all timers`);
  }

  /** Every invariant, checked after each step. */
  check(): void {
    if (this._violations[0]) throw this._violations[0];
    const client = this.client;
    const stats = client.stats;
    if (client.state !== this._state) this.fail(`client.state is ${client.state}, onStateChange last said ${this._state}`);
    if (this._unhandled.length) this.fail(`unhandled rejection: ${String(this._unhandled[0])}`);
    // 1. Accounting: delivered once, queued, or reported; never twice, never gone. Except what a
    // long-polling upload carried when the client dropped the connection at once (aborted: at most once).
    const inTransit = this._lostInTransit();
    let expectedQueued = 0;
    for (const m of this.messages) {
      if (inTransit.numbers.has(m.n)) continue;
      if (m.delivered > 1) this.fail(`${m.type} reached the server ${m.delivered} times`);
      if (m.reported > 1) this.fail(`${m.type} was reported dropped ${m.reported} times`);
      if (m.delivered && m.reported) this.fail(`${m.type} reached the server and was also reported dropped`);
      const request = m.request;
      if (request?.abandoned && m.delivered) this.fail(`${m.type} reached the server after its request had failed (${show(request.error)})`);
      if (!m.delivered && !m.reported && request?.settled !== 'rejected') expectedQueued++;
    }
    // Drops caused by what an onError listener sends while told of a drop caused by its own send are
    // counted, not reported (docs/architecture.md, Sending: a listener that sends on every drop would loop).
    const reports = this.messages.reduce((sum, m) => sum + m.reported, 0);
    const silent = stats.dropped + stats.expired - reports;
    if (silent < 0 || (silent > 0 && this._deepActions === 0)) this.fail(`stats.dropped ${stats.dropped} + stats.expired ${stats.expired} != ${reports} drops reported to onError`);
    // (a request dropped unreported still rejects, with the drop's error: it is out of expectedQueued already)
    const silentRequests = this.messages.filter((m) => !m.reported && m.request?.settled === 'rejected' && countedDrop(m.request.error, m.type)).length;
    expectedQueued -= silent - silentRequests;
    if (silent === 0) this._checkMaxAge();
    const limbo = this._inLimbo();
    // (what an upload whose outcome was unknown carried waits in the queue again: at least once)
    const queuedOk = limbo
      ? stats.queued <= expectedQueued + inTransit.frames
      : stats.queued >= expectedQueued && stats.queued <= expectedQueued + inTransit.frames;
    if (!queuedOk) {
      const lost = this.messages.filter((m) => !m.delivered && !m.reported && m.request?.settled !== 'rejected').map((m) => m.type);
      this.fail(`stats.queued is ${stats.queued}, but ${expectedQueued} messages are neither delivered nor reported nor failed (${lost.join(', ')}; ${silent} dropped unreported)`);
    }
    // (the auth first frame is the transport's, not counted in stats.sent)
    // An upload in flight when the connection dropped has an unknown outcome: its frames are handed
    // back (uncounted, sent again: at least once, docs/protocol.md "Retries") though the server may
    // have them already; a ping among them is not sent again. So each may count once or not at all.
    const received = this.server.log.filter((r) => r.type !== 'auth').length;
    const left = received + inTransit.frames;
    // stats.fallbackReason says why the client is on long-polling, null on WebSocket (README).
    if (client.state === 'open' && (client.transport === 'websocket') !== (stats.fallbackReason === null)) this.fail(`stats.fallbackReason is ${String(stats.fallbackReason)} while open on ${String(client.transport)}`);
    if (stats.reconnects !== Math.max(0, this._opens - 1)) this.fail(`stats.reconnects is ${stats.reconnects} after ${this._opens} opens`);
    const fewest = received - inTransit.frames;
    if (limbo ? stats.sent < fewest : stats.sent > left || stats.sent < fewest) this.fail(`stats.sent is ${stats.sent}, the server received ${received} frames (${inTransit.frames} in uploads whose outcome was unknown)`);
    this._checkLiveness();
    this._checkUpgradeDelivery();
    const discarded = this.server.sockets.flatMap((s) => s.discarded);
    if (discarded.length) this.fail(`the client wrote into a socket that was not open: ${discarded[0] ?? ''}`);
    // 2. Requests: settled when closed; each way of settling must be the true one.
    for (const m of this.messages) {
      const request = m.request;
      if (!request) continue;
      // (a request made while closed waits in the kept queue for connect(), as a send does, or its timeout)
      if (client.state === 'closed' && m.n <= this._settledUpTo && request.settled === 'pending') this.fail(`${m.type} still pending after the client closed`);
      if (request.id && this.server.repliedWhileAttached.has(request.id) && request.settled === 'pending') this.fail(`${m.type} still pending after its reply arrived`);
      // One already sent rejects when its connection drops (its reply can no longer arrive).
      const carrier = this.server.log.find((r) => r.n === m.n)?.peer;
      // (a session switched to a probe the client then gave up on: the client hears of the switch a task later)
      const now = carrier && carrierOf(carrier);
      if (carrier && now?.released && (now === carrier || this.client.transport !== 'long-polling') && request.settled === 'pending') this.fail(`${m.type} still pending though the connection it went out on is gone`);
      if (request.settled === 'resolved') this._checkResolved(m, request);
      if (request.settled === 'rejected') this._checkRejected(m, request, inTransit.numbers.has(m.n) || request.inDeadBuffer === true);
    }
  }

  private _options(): ClientOptions {
    const c = this.config;
    return {
      WebSocket: this.server.WebSocket,
      fetch: this.server.fetch,
      transports: c.transports,
      autoConnect: c.autoConnect,
      queue: c.queue && { maxMessages: c.queue.maxMessages, overflow: c.queue.overflow, maxAge: c.queue.maxAge, maxBytes: c.queue.maxBytes, dropOnClose: c.queue.dropOnClose },
      heartbeat: c.heartbeat,
      reconnect: c.reconnect && { ...c.reconnect },
      requestTimeout: c.requestTimeout,
      connectTimeout: c.connectTimeout,
      random: seededRandom(c.seed),
      auth: c.server.auth === 'off' ? undefined : c.asyncAuth ? () => Promise.resolve(this._token() as string) : () => this._token() as string,
    };
  }

  /**
   * Messages in long-polling uploads the client aborted as it dropped the connection (never processed),
   * and how many frames those uploads held. An upload aborted otherwise loses its frames: a violation.
   */
  private _lostInTransit(): { numbers: Set<number>; frames: number } {
    const numbers = new Set<number>();
    let frames = 0;
    const add = (list: string[]): void => {
      frames += list.length;
      for (const frame of list) {
        const match = APP_TYPE.exec((JSON.parse(frame) as { type: string }).type);
        if (match) numbers.add(Number(match[1]));
      }
    };
    for (const peer of this.server.peers) {
      if (peer instanceof ModelSocket) {
        // A stalled WebSocket still up: frames in its send buffer are in transit. Not once it ended:
        // the client read `bufferedAmount` in the close event and queued them again or reported
        // them (it listens to a socket it let go of while bytes were buffered, too).
        if (!peer.ended) add(peer.buffer);
        add(peer.awaiting); // (on a probe, behind its upgrade frame: in flight until the server decides)
      }
      if (!(peer instanceof PollingSession)) continue;
      for (const list of peer.uncertain) add(list);
      for (const entry of peer.aborted) {
        const types = entry.frames.map((frame) => (JSON.parse(frame) as { type: string }).type);
        if (!entry.excused) this.fail(`the client aborted an upload of ${types.join(', ')} without dropping the connection: its frames are lost`);
        frames += entry.frames.length;
        for (const type of types) {
          const match = APP_TYPE.exec(type);
          if (match) numbers.add(Number(match[1]));
        }
      }
    }
    return { numbers, frames };
  }

  /** The server's close frame came but the client has not heard the close event: frames written meanwhile wait in the transport. */
  private _inLimbo(): boolean {
    // Long-polling: frames in an upload in flight, or waiting in the transport behind it or for its close.
    const sessions = this.server.peers.filter((peer): peer is PollingSession => peer instanceof PollingSession);
    if (sessions.some((session) => session.uploads.length > 0 || session.retrying)) return true;
    // (a session that failed, or that the server ended or switched to a probe: the client hears of it a
    // task later, and holds what it sends meanwhile)
    const session = sessions.at(-1);
    if (session && this.client.transport === 'long-polling' && (session.state !== 'open' || session.refused || session.gone)) return true;
    const current = this.server.current;
    return Boolean(current && 'closing' in current && current.closing && current.attached);
  }

  /** A connection attempt (a socket, or a long-polling handshake) may be made only while connecting; a probe only while open on long-polling. */
  private _constructed(peer: Peer, url: string): void {
    const state = this.client.state;
    if (this._closedForGood) this.fail(`a connection attempt after the client closed for good (state ${state}) and before connect(): ${url}`);
    // (an upgrade probe is no reconnect: the docs only have reconnecting go quiet while offline)
    if (!this.browser.onLine && !peer.probe) this.fail(`a connection attempt while the browser is offline: ${url}`);
    if (peer.probe) {
      if (state !== 'open' || this.client.transport !== 'long-polling') this.fail(`an upgrade probe while ${state} on ${String(this.client.transport)}`);
      // (README: without a queue there is nowhere to hold writes during the switch; long-polling first stays)
      if (!this.config.queue) this.fail('an upgrade probe with queue: false');
      if (this.config.transports[0] !== 'websocket') this.fail(`an upgrade probe with transports ${this.config.transports.join(', ')}`);
    } else if (state !== 'connecting' && state !== 'reconnecting') this.fail(`a connection attempt while ${state}: ${url}`);
    else if (state === 'reconnecting' && Date.now() < this._retryDue) this.fail(`a retry ${this._retryDue - Date.now()} ms before its backoff delay was over: ${url}`);
    if (!peer.probe) this._checkCloseWaited();
  }

  /**
   * connect() after the app's close() starts its attempt once the old socket's close is over, while
   * its send buffer held bytes at close(), or once connectTimeout passed (README): so what the old
   * one still sends stays ahead of the new one's first message.
   */
  private _checkCloseWaited(): void {
    for (const [socket, at] of this._closeAwaited) {
      if (socket.ended) continue;
      // (counted from close(): a connect() later than that waits connectTimeout from itself, longer still)
      const waited = Date.now() - at;
      if (waited < this.config.connectTimeout) this.fail(`a connection attempt ${waited} ms after close(), while the old socket still sends its buffer (connectTimeout ${this.config.connectTimeout})`);
    }
  }

  private _record(type: string, origin: Origin = 'app'): Message {
    const message: Message = { n: this._next, type, origin, delivered: 0, reported: 0, sentAt: Date.now(), sentInLimbo: this._inLimbo() };
    this.messages.push(message);
    this._byNumber.set(message.n, message);
    return message;
  }

  /** Whether app message `n` was in a long-polling upload the server processed but whose answer was lost. */
  private _uncertain(n: number): boolean {
    return this.server.peers.some(
      (peer) => peer instanceof PollingSession && peer.uncertain.some((frames) => frames.some((frame) => APP_TYPE.exec((JSON.parse(frame) as { type: string }).type)?.[1] === String(n))),
    );
  }

  /** Forgets a message the app never managed to hand over (send threw). */
  private _unrecord(message: Message): void {
    this.messages.splice(this.messages.indexOf(message), 1);
    this._byNumber.delete(message.n);
  }

  /** The server received app message `n`: once, and after every message sent before it. */
  private _delivered(n: number, id: string | undefined, peer: Peer): void {
    const message = this._byNumber.get(n);
    if (!message) this.fail(`the server received m/r${n}, which the app never handed over`);
    message.delivered++;
    if (message.delivered > 1) {
      // Allowed for an upload processed whose answer a cut lost: sent again, at least once (docs/protocol.md, "Retries").
      if (this._uncertain(n)) return;
      this.fail(`${message.type} reached the server a second time`);
    }
    // What onOpen listeners send goes ahead of the queue (documented); everything else in the order sent.
    if (message.origin === 'onOpen') return;
    // Per connection always; overall too (with the exception below).
    const connection = this.server.peers.find((p) => p.successor === peer) ?? peer;
    const last = this._lastOn.get(connection) ?? 0;
    if (n < last) this.fail(`${message.type} reached the server after the later message #${last} on the same connection`);
    this._lastOn.set(connection, n);
    // A socket whose send buffer drained only after a newer connection began (the client let go of
    // it, or stopped waiting for its close): no order against that one. Documented after the app's
    // close() (README: a close not over within connectTimeout, a dead link, "whose order is then no
    // longer guaranteed"; _checkCloseWaited checks the wait); after the client's own drop (heartbeat
    // timeout, pagehide), whose retry does not wait (docs/architecture.md: a link the heartbeat found
    // dead can hold its close for minutes).
    if (peer instanceof ModelSocket && this.server.current !== peer) {
      if (message.request) message.request.id = id;
      return;
    }
    if (n < this._lastDelivered) this.fail(`${message.type} reached the server after the later message #${this._lastDelivered}`);
    this._lastDelivered = n;
    if (message.request) message.request.id = id;
  }

  /** connect(): from idle or closed, to connecting (unless a listener told of it closed again); else a no-op. */
  private _connect(): void {
    this._closedForGood = false; // (a no-op unless idle or closed; then no socket is made anyway)
    const before = this.client.state;
    const closes = this._listenerCloses;
    this.client.connect();
    const moved = this.client.state === 'connecting' || closes !== this._listenerCloses;
    if ((before === 'idle' || before === 'closed') && !moved) this.fail(`connect() from ${before} left the client ${this.client.state}`);
    if (before !== 'idle' && before !== 'closed' && this.client.state !== before) this.fail(`connect() while ${before} moved the client to ${this.client.state}`);
  }

  /** A listener of the app calls close() (twice per run at most). */
  private _listenerClose(): void {
    if (this._listenerCloses >= 2 || this.client.state === 'closed' || this._finishing) return;
    this._listenerCloses++;
    this.trace.push('(listener: close())');
    this._close(undefined);
  }

  /** A listener of the app sends a message (a few per step at most: a listener that sends on every drop would loop). */
  private _listenerSend(origin: Origin): void {
    if (this._listenerSends >= 3) return;
    this._listenerSends++;
    this._send('number', origin);
  }

  private _send(kind: PayloadKind, origin: Origin): void {
    // (whatever listener sends it, nested in the report of a drop its own listener caused)
    if (this._errorDepth >= 2) this._deepActions++;
    const n = ++this._next;
    const type = `m${n}`;
    const before = { queued: this.client.stats.queued, log: this.server.log.length };
    const message = this._record(type, origin);
    try {
      this.client.send(type, payloadOf(kind, n));
    } catch (error) {
      if (error instanceof Violation) throw error;
      this._unrecord(message);
      this._allowedSendThrow(type, kind, error);
      // (listeners told of an expiry on the way may have sent meanwhile: then only the message itself is
      // checked, by _delivered, which fails if it ever reaches the server)
      if (this._next === n) {
        if (this.client.stats.queued > before.queued) this.fail(`send(${type}) threw ${show(error)} but queued it`);
        if (this.server.log.length !== before.log) this.fail(`send(${type}) threw ${show(error)} but wrote a frame`);
      }
      return;
    }
    if (UNSERIALIZABLE.includes(kind)) this.fail(`send(${type}) of a ${kind} payload did not throw`);
  }

  /** The throws `send` documents, and only when their cause is there. */
  private _allowedSendThrow(type: string, kind: PayloadKind, error: unknown): void {
    const queue = this.config.queue;
    const code = isEnhancedWsError(error) ? error.code : undefined;
    // Under drop-oldest/drop-newest only a message larger than queue.maxBytes on its own is refused (README).
    const tooLarge = queue && queue.maxBytes !== undefined && kind === 'large' && queue.maxBytes < 300;
    const ok =
      (code === 'SERIALIZE_FAILED' && UNSERIALIZABLE.includes(kind)) ||
      (code === 'QUEUE_OVERFLOW' && queue && (queue.overflow === 'error' || tooLarge)) ||
      // (or while a connection is let go: state still open, no transport, listeners told of what it never sent)
      (code === 'NOT_OPEN' && !queue && (this.client.state !== 'open' || this.client.transport === null));
    if (!ok) this.fail(`send(${type}, ${kind}) threw ${show(error)}`);
  }

  private _request(kind: PayloadKind, timeout: number | undefined): void {
    const n = ++this._next;
    const type = `r${n}`;
    const message = this._record(type);
    const record: RequestRecord = { id: undefined, createdAt: Date.now(), timeout: timeout ?? this.config.requestTimeout ?? 10000, settled: 'pending', madeWhileClosed: this.client.state === 'closed', closedBefore: this._closedCount };
    message.request = record;
    let promise: Promise<unknown>;
    try {
      promise = this.client.request(type, payloadOf(kind, n), { timeout });
    } catch (error) {
      if (error instanceof Violation) throw error;
      this.fail(`request(${type}) threw ${show(error)} (it must reject, never throw)`);
    }
    promise.then(
      (value) => { this._settle(message, 'resolved', value); },
      (error: unknown) => { this._settle(message, 'rejected', error); },
    );
  }

  private _settle(message: Message, how: 'resolved' | 'rejected', outcome: unknown): void {
    const request = message.request as RequestRecord;
    if (request.settled !== 'pending') this.fail(`${message.type} settled twice`);
    request.settled = how;
    if (how === 'resolved') request.value = outcome;
    else {
      request.error = outcome;
      request.stateAtRejection = this.client.state;
      // (over long-polling a frame handed to the transport may still be in an upload, or waiting behind one:
      // handed over, it goes out as a WebSocket's buffer does, even after close(); only a queued one must not)
      // (on a stalled WebSocket, in its send buffer: handed over too; not once the client took it back
      // from the buffer of a socket that died: then it waits in the queue, or was reported, as any other)
      const is = (frame: string): boolean => (JSON.parse(frame) as { type: unknown }).type === message.type;
      const handed = this.server.sockets.some((socket) => socket.handed.some(is) && !(socket.ended?.heard && socket.buffer.some(is)));
      if (!message.delivered && !handed && !(this.server.current instanceof PollingSession)) request.abandoned = true;
      // Still in the buffer of a socket the client gave up on: sent, as far as the request can tell
      // (its connection is gone, its reply cannot come), though the link never carried it.
      request.inDeadBuffer = this.server.sockets.some((socket) => !socket.ended && socket.buffer.some(is));
    }
  }

  private _checkResolved(m: Message, request: RequestRecord): void {
    const delivered = this.server.log.find((r) => r.n === m.n);
    const answer = delivered?.id === undefined ? undefined : this.server.answers.get(delivered.id);
    if (!answer || !('payload' in answer)) this.fail(`${m.type} resolved with ${JSON.stringify(request.value)} but the server never answered it with a result`);
    if (JSON.stringify(answer.payload) !== JSON.stringify(request.value)) this.fail(`${m.type} resolved with ${JSON.stringify(request.value)}, the server answered ${JSON.stringify(answer.payload)}`);
  }

  private _checkRejected(m: Message, request: RequestRecord, sentButLost: boolean): void {
    const error = request.error;
    if (error instanceof TypeError) {
      if (request.timeout > 0) this.fail(`${m.type} rejected with ${show(error)}`);
      return;
    }
    if (!(error instanceof EnhancedWsError)) this.fail(`${m.type} rejected with ${show(error)}, not an EnhancedWsError`);
    const delivered = this.server.log.find((r) => r.n === m.n);
    const queue = this.config.queue;
    switch (error.code) {
      case 'TIMEOUT':
        if (Date.now() - request.createdAt < request.timeout) this.fail(`${m.type} timed out before its ${request.timeout} ms`);
        break;
      case 'SERVER_ERROR': {
        const answer = delivered?.id === undefined ? undefined : this.server.answers.get(delivered.id);
        if (!answer || !('error' in answer)) this.fail(`${m.type} rejected with a ServerError the server never sent`);
        break;
      }
      case 'CONNECTION_CLOSED':
        // (rejected by a close: the client may have connected again since, a listener told of it)
        if (!delivered && !sentButLost && !m.reported && request.stateAtRejection !== 'closed' && this._closedCount === request.closedBefore) this.fail(`${m.type} rejected with ConnectionClosedError while ${String(request.stateAtRejection)}, never sent and not reported dropped`);
        break;
      case 'QUEUE_OVERFLOW':
      case 'MESSAGE_EXPIRED':
        if (!queue) this.fail(`${m.type} rejected with ${error.code} without a queue`);
        break;
      case 'NOT_OPEN':
        if (queue) this.fail(`${m.type} rejected with NOT_OPEN though there is a queue`);
        break;
      case 'SERIALIZE_FAILED':
        break;
      default:
        this.fail(`${m.type} rejected with ${error.code}`);
    }
  }

  /** onError: drops and expiries name their message; count them per message. */
  private _reported(error: Error): boolean {
    if (!isEnhancedWsError(error)) return false;
    if (!['QUEUE_OVERFLOW', 'MESSAGE_EXPIRED', 'CONNECTION_CLOSED'].includes(error.code)) return false;
    const name = /"([mr]\d+)"/.exec(error.message)?.[1];
    const message = this.messages.find((m) => m.type === name);
    if (!message) this.fail(`onError reported a drop that names no message of the app: ${error.message}`);
    message.reported++;
    return true;
  }

  /**
   * queue.maxAge: a message that waited in the queue all along expires once older than maxAge, on time
   * (the expiry timer runs 1 ms after), even while the connection stays down. Judged on WebSocket only
   * (what long-polling took may come back with a new age) and not for what was written into a closing
   * socket (taken back, its age starts again).
   */
  private _checkMaxAge(): void {
    const queue = this.config.queue;
    if (!queue || queue.maxAge === undefined || this.config.transports.includes('long-polling')) return;
    const handed = new Set(this.server.sockets.flatMap((socket) => socket.handed.map((frame) => (JSON.parse(frame) as { type: string }).type)));
    for (const m of this.messages) {
      if (m.delivered || m.reported || m.request?.settled === 'rejected' || m.sentInLimbo || handed.has(m.type)) continue;
      const age = Date.now() - m.sentAt;
      if (age > queue.maxAge + 1) this.fail(`${m.type} still queued ${age} ms after it was sent (queue.maxAge ${queue.maxAge})`);
    }
  }

  /** The heartbeat closes (4000) only a connection on which nothing arrived for `timeout` after a ping. */
  private _clientClosed(peer: Peer, code: number | undefined): void {
    // (the app's close(4000) is no verdict, nor is a probe given up with the connection's code)
    if (code !== 4000 || this._closing || this._appClosed.has(peer) || peer !== this.server.current) return;
    const heartbeat = this.config.heartbeat;
    if (!heartbeat) this.fail('closed a connection with 4000 (heartbeat timeout) without a heartbeat');
    // A WebSocket: from when the client wrote the ping (it may wait in a stalled send buffer).
    if (peer instanceof ModelSocket && !peer.pingByPolling) {
      const handedAt = peer.pingHandedAt;
      if (handedAt === undefined) this.fail('heartbeat timeout on a connection that never got a ping');
      if (peer.lastInboundSeq > peer.pingHandedSeq) this.fail('heartbeat timeout though a frame arrived after the last ping');
      if (Date.now() - handedAt < heartbeat.timeout) this.fail(`heartbeat timeout ${Date.now() - handedAt} ms after the ping (timeout ${heartbeat.timeout})`);
      return;
    }
    // Long-polling (or a socket whose last ping went over it before an upgrade): the server does not see
    // when a ping was handed over (it may wait behind an upload, or be aborted with it), nor which ping
    // the client is waiting on, so the verdict is not judged here.
  }

  /**
   * Once the client is on the socket a long-polling session was upgraded to, every server message sent
   * on that session and on the socket has reached the app (docs/protocol.md: nothing lost across the switch).
   */
  private _checkUpgradeDelivery(): void {
    const socket = this.server.current;
    const session = socket && this.server.peers.find((peer) => peer.successor === socket);
    if (!socket || !session || this.client.transport !== 'websocket' || this.client.state !== 'open' || !socket.attached) return;
    const missing = this._news.filter(({ seq, peer }) => (peer === session || peer === socket) && !this._newsReceived.includes(seq)).map(({ seq }) => seq);
    if (missing.length) this.fail(`server messages ${missing.join(', ')} sent around the upgrade never reached the app`);
  }

  /** A connection on which nothing arrives is found dead within interval + timeout. */
  private _checkLiveness(): void {
    const heartbeat = this.config.heartbeat;
    const peer = this.server.current;
    if (!heartbeat || this.client.state !== 'open' || !peer?.attached) return;
    // (long-polling: a batch answered now reaches the client a task later; a pending upload may hold the ping)
    const slack = peer.kind === 'long-polling' ? this.config.server.latency + 1 : 0;
    // (a ping behind a stalled upload waits while the buffer does not grow, then one timeout more: not judged)
    // (emptied: the client notices at its next look, up to a timeout later, then waits one timeout more)
    if (peer instanceof ModelSocket && (peer.bufferedAmount > 0 || (peer.drainedAt !== undefined && Date.now() - peer.drainedAt <= heartbeat.interval + 2 * heartbeat.timeout))) return;
    const since = Math.max(this._openAt, peer.lastInboundAt ?? 0);
    // (a ping due during a swap waits for it and leaves late: its timeout runs from then, docs/architecture.md)
    const pingLeft = peer instanceof ModelSocket ? (peer.pingHandedAt ?? 0) : 0;
    const deadline = Math.max(since + heartbeat.interval, pingLeft) + heartbeat.timeout + slack;
    if (Date.now() > deadline) this.fail(`nothing arrived for ${Date.now() - since} ms and the heartbeat (${heartbeat.interval} + ${heartbeat.timeout}) has not closed the connection`);
  }

  /** What the app's `auth()` gives: a token, or (while the session is gone) undefined, or it throws (the client must report either). */
  private _token(): string | undefined {
    if (this._authBroken === 'throws') throw new Error('no session to take a token from');
    return this._authBroken === 'undefined' ? undefined : 'token';
  }

  /** The server side of an upgrade probe still waiting for its first frame (or the one it just took over). */
  private _probe(action: 'cut' | 'close4404' | 'closeNormal' | 'closeFrame'): void {
    const socket = this.server.sockets.filter((s) => new URL(s.url).searchParams.get('transport') === 'upgrade').at(-1);
    if (!socket) return;
    if (action === 'cut') socket.cut();
    else if (action === 'closeFrame' && socket.probe) socket.closeFrame(1012, 'restarting'); // (its close event waits for finishClose)
    else if (socket.closeFrame(action === 'close4404' ? 4404 : 1000, 'probe closed by the server')) socket.finishClose();
  }

  private _serverSend(peer: Peer, frame: ServerFrame): void {
    const frames: Record<ServerFrame, unknown> = {
      message: JSON.stringify({ type: 'news', payload: { seq: this._newsSeq + 1 } }),
      pong: JSON.stringify({ type: 'pong', payload: this.server.lastPing }),
      'not-json': 'this is not JSON {',
      'non-envelope': JSON.stringify([1, 2, 3]),
      binary: new ArrayBuffer(3),
      'stray-reply': JSON.stringify({ type: 'reply', id: 'no-such-id', payload: 0 }),
    };
    if (peer.deliver(frames[frame]) && frame === 'message') {
      this._news.push({ seq: ++this._newsSeq, peer });
      // (sent on a socket that took a session over, before the client moved to it: held, replayed at the switch)
      if (this.client.transport === 'long-polling' && peer instanceof ModelSocket) this._earlyNews++;
    }
  }

  private _close(code: number | undefined): void {
    if (this._errorDepth >= 2) this._deepActions++; // (its drops, when dropOnClose, go unreported there)
    const state = this.client.state;
    let awaited: ModelSocket | undefined;
    try {
      this._closing = true;
      const current = this.server.current;
      if (current) this._appClosed.add(current);
      // (the client waits for its transport's close while bytes are buffered: not for one it already
      // let go of, a heartbeat timeout or pagehide, though it still listens to that one's close)
      if (current instanceof ModelSocket && this.client.transport === 'websocket' && current.attached && current.bufferedAmount > 0 && !this._closeAwaited.has(current)) awaited = current;
      if (awaited) this._closeAwaited.set(awaited, Date.now());
      const connects = this._listenerConnects;
      this.client.close(code);
      if (connects !== this._listenerConnects) return; // a listener told of the close connected again
    } catch (error) {
      if (awaited) this._closeAwaited.delete(awaited); // (close() threw: nothing changed)
      const valid = code === undefined || code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
      if (valid || !(error instanceof TypeError)) this.fail(`close(${String(code)}) threw ${show(error)}`);
      if (this.client.state !== state) this.fail(`close(${String(code)}) threw and still moved ${state} -> ${this.client.state}`);
      return;
    } finally {
      this._closing = false;
    }
    this._closedForGood = true;
    if (this.client.state !== 'closed') this.fail(`close() left the client ${this.client.state}`);
  }

  private async _guard(what: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof Violation) throw error;
      this.fail(`an error escaped while ${what}: ${show(error)}`);
    }
  }
}

/** A short text for an operation, for traces and counterexamples. */
export function describe(op: Op): string {
  const { op: name, ...args } = op;
  const values = Object.values(args).map((v) => (v === undefined ? '-' : String(v)));
  return values.length ? `${name}(${values.join(', ')})` : name;
}

const show = (value: unknown): string => (value instanceof Error ? `${value.name}: ${value.message}` : String(value));
