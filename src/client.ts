// EnhancedWebSocketClient: owns the state and the connect epoch, and wires the policies together.

import { backoffDelay } from './backoff.js';
import { CloseCode } from './close-codes.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { Emitter } from './emitter.js';
import { Codec, isEnvelope, jsonSerializer, type EventMap, type InboundMessage } from './envelope.js';
import { isOffline, watchEnvironment } from './environment.js';
import { ConnectionClosedError, EnhancedWsError, show } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { DEFAULTS, resolveOptions, type ClientOptions, type ReconnectOptions, type ResolvedOptions } from './options.js';
import { Outbox } from './outbox.js';
import { PendingRequests } from './requests.js';
import { canMove, type ConnectionState } from './state.js';
import { createStats, type ClientStats } from './stats.js';
import type { Transport, TransportCloseEvent, TransportName } from './transports/transport.js';
import { LongPollingTransport } from './transports/long-polling.js';
import { createTransport, createWebSocket, webSocketConstructor } from './transports/factory.js';
import { TransportSelection } from './transport-selection.js';
import { WebSocketUpgrade } from './upgrade.js';
import { Upgrade } from './upgrade-protocol.js';
import { toWebSocketUrl, type UrlSource } from './url.js';
import { utf8Length } from './utf8.js';
import type { CloseContext, Handler, Lifecycle, OpenContext, PayloadArgs, PayloadFor, ReconnectingContext, Reply, RequestArgs, StateChangeContext } from './lifecycle.js';

/**
 * A WebSocket connection you can trust: reconnects with backoff, routes typed JSON messages,
 * detects dead connections, queues while offline and never drops a message silently.
 *
 * @example
 * type Events = { chat: { user: string; text: string } };
 * const client = new EnhancedWebSocketClient<Events>('wss://example.com/ws');
 * client.on('chat', (msg) => console.log(msg.user, msg.text));
 * client.send('chat', { user: 'ada', text: 'hello' });
 */
export class EnhancedWebSocketClient<Events extends object = EventMap, Replies extends object = EventMap> {
  private _state: ConnectionState = 'idle';
  private _transport: Transport | undefined;
  /** Bumped on every attempt and on close(): callbacks of older attempts ignore themselves. */
  private _epoch = 0;
  /** Consecutive failed attempts since the last stable connection. */
  private _attempt = 0;
  private _retryTimer: TimerHandle | undefined;
  /** Ends an attempt that has not opened within `connectTimeout`. */
  private _connectTimer: TimerHandle | undefined;
  private _openedAt = 0;
  private _opened = false;
  /** The page went into the back/forward cache; reconnect on pageshow, not before. */
  private _suspended = false;
  private _heartbeat: Heartbeat | undefined;
  private _unwatch: (() => void) | undefined;
  /** While on long-polling: the WebSocket upgrade under way, the timer of the next probe, probes failed. */
  private _upgrade: WebSocketUpgrade | undefined;
  private _probeTimer: TimerHandle | undefined;
  private _probes = 0;
  /**
   * Settles when the connection close() ended has sent its last frames (a WebSocket's close
   * handshake is over, long-polling's uploads are answered): a later connect() waits for it, so
   * the new connection's first message cannot overtake the old one's last.
   */
  private _closing: Promise<unknown> | undefined;
  private readonly _selection: TransportSelection;
  private readonly _options: ResolvedOptions;
  private readonly _clock: Clock;
  private readonly _codec: Codec;
  private readonly _outbox: Outbox;
  private readonly _requests: PendingRequests;
  private readonly _stats = createStats();
  /** How deep reports nest: what an onError listener causes is reported, not what it causes in turn. */
  private _reporting = 0;
  private readonly _report = (error: unknown): void => {
    // Depth 2 at most: a listener that sends on every drop into a full queue would loop for ever
    // (such drops are still counted in stats).
    if (this._reporting > 1) return;
    this._reporting++;
    try {
      this._lifecycle.emit('error', error instanceof Error ? error : new EnhancedWsError('HANDLER_FAILED', show(error), error));
    } finally {
      this._reporting--;
    }
  };
  private readonly _messages = new Emitter<Record<string, Handler<unknown, string>>>(this._report);
  // What an onError listener throws is dropped, not reported back to it forever; what it causes
  // (a drop when it sends, say) is reported, within _report's depth.
  private readonly _lifecycle = new Emitter<Lifecycle>((error, name) => {
    if (name !== 'error') this._report(error);
  });

  constructor(
    private readonly _url: UrlSource,
    options?: ClientOptions,
  ) {
    if (typeof _url !== 'function') toWebSocketUrl(_url);
    this._options = resolveOptions(options);
    this._clock = this._options.clock ?? systemClock;
    this._codec = new Codec(this._options.serializer ?? jsonSerializer);
    this._requests = new PendingRequests(this._clock, (id) => {
      this._outbox.remove(id);
    });
    this._selection = new TransportSelection(this._options.transports, () => Boolean(webSocketConstructor(this._options)));
    this._outbox = new Outbox(this._options.queue, this._clock, this._codec, this._requests, this._stats, {
      state: () => this._state,
      transport: () => this._transport,
      pinged: () => this._heartbeat?.sent(),
      report: this._report,
    });
    if (this._options.autoConnect) this.connect();
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The transport of the current connection or attempt. */
  get transport(): TransportName | null {
    return this._transport?.name ?? null;
  }

  /** A snapshot of the counters. */
  get stats(): Readonly<ClientStats> {
    return { ...this._stats, queued: this._outbox.size, fallbackReason: this._selection.fallbackReason };
  }

  /** Calls `handler(payload, message)` for each message of `type`. Returns the unsubscribe function. */
  on<K extends keyof Events & string>(type: K, handler: Handler<Events[K], K>): () => void {
    return this._messages.on(type, handler as Handler<unknown, string>);
  }

  once<K extends keyof Events & string>(type: K, handler: Handler<Events[K], K>): () => void {
    const once: Handler<Events[K], K> & { listener?: unknown } = (payload, message) => {
      off();
      handler(payload, message);
    };
    once.listener = handler; // so off(type, handler) finds it
    const off = this.on(type, once);
    return off;
  }

  off<K extends keyof Events & string>(type: K, handler?: Handler<Events[K], K>): void {
    this._messages.off(type, handler as Handler<unknown, string> | undefined);
  }

  /** Every inbound message, including non-envelope frames (`type: null`). */
  onAny(handler: (message: InboundMessage) => void): () => void {
    return this._lifecycle.on('message', handler);
  }
  onOpen(listener: (context: OpenContext) => void): () => void {
    return this._lifecycle.on('open', listener);
  }
  onClose(listener: (context: CloseContext) => void): () => void {
    return this._lifecycle.on('close', listener);
  }
  /** Transport errors, malformed frames, dropped or expired messages, throwing handlers. */
  onError(listener: (error: Error) => void): () => void {
    return this._lifecycle.on('error', listener);
  }
  onStateChange(listener: (context: StateChangeContext) => void): () => void {
    return this._lifecycle.on('stateChange', listener);
  }
  onReconnecting(listener: (context: ReconnectingContext) => void): () => void {
    return this._lifecycle.on('reconnecting', listener);
  }

  /**
   * Sends now when open (in the same task), otherwise queues. Throws before queuing when the
   * payload cannot be serialized, when the queue is full under `overflow: 'error'`, or when the
   * message alone is larger than `queue.maxBytes`.
   */
  send<K extends keyof Events & string>(type: K, ...[payload]: PayloadArgs<PayloadFor<Events, K>>): void {
    this._outbox.send(this._codec.encode({ type, payload }), type);
  }

  /**
   * Sends a request and resolves with the server's `reply` (see docs/protocol.md).
   * Rejects (never throws) with `TimeoutError`, `ServerError` or `ConnectionClosedError`, or with an
   * `EnhancedWsError` when it could not be queued or sent (`QUEUE_OVERFLOW`, `MESSAGE_EXPIRED`,
   * `NOT_OPEN`, `SERIALIZE_FAILED`); with a `TypeError` for a bad `timeout`.
   */
  request<K extends keyof Events & string>(type: K, ...[payload, options]: RequestArgs<PayloadFor<Events, K>>): Promise<Reply<Replies, K>> {
    // (`?.`: untyped code may pass null too)
    const timeout = options?.timeout ?? this._options.requestTimeout;
    if (!(typeof timeout === 'number' && timeout > 0)) return Promise.reject(new TypeError(`enhanced-ws: request timeout must be a number > 0 (Infinity: none), got ${show(timeout)}`));
    const { id, promise } = this._requests.create(type, timeout);
    try {
      this._outbox.send(this._codec.encode({ type, payload, id }), type, id);
    } catch (error) {
      this._requests.reject(id, error as Error);
    }
    return promise as Promise<Reply<Replies, K>>;
  }

  /** Starts connecting (no-op unless `idle` or `closed`). */
  connect(): void {
    if (this._state !== 'idle' && this._state !== 'closed') return;
    this._attempt = 0;
    this._unwatch = watchEnvironment({
      online: () => {
        if (this._transport) this._heartbeat?.probe();
        else if (!this._suspended) this._attemptNow();
      },
      offline: () => {
        this._clock.clearTimeout(this._retryTimer);
        this._heartbeat?.probe();
      },
      visible: () => this._heartbeat?.probe(),
      pagehide: () => {
        this._suspended = true;
        this._drop({ code: 1000, reason: 'pagehide', wasClean: true }, false);
      },
      pageshow: () => {
        if (this._suspended) {
          this._suspended = false;
          this._attemptNow();
        }
      },
    });
    const epoch = this._epoch;
    this._setState('connecting', 'connect() called');
    if (epoch === this._epoch) this._attemptNow(); // (unless a state listener called close())
  }

  /**
   * Closes for good: no reconnect, pending requests rejected, queue kept (or dropped per `queue.dropOnClose`).
   * `code` and `reason` follow `WebSocket.close()`: an integer, 1000 or 3000-4999; at most 123 UTF-8 bytes.
   */
  close(code = 1000, reason = ''): void {
    // Checked before anything changes: a bad call throws and leaves the client as it was.
    // An integer: the wire carries one (a long-polling server would read 3000.5 as no code at all).
    if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) throw new TypeError(`enhanced-ws: close code must be an integer, 1000 or 3000-4999, got ${show(code)}`);
    if (typeof reason !== 'string' || utf8Length(reason) > 123) {
      throw new TypeError(`enhanced-ws: close reason must be a string of at most 123 UTF-8 bytes, got ${typeof reason === 'string' ? `${String(utf8Length(reason))} bytes` : typeof reason}`);
    }
    if (this._state === 'closed') return;
    // What the transport took still goes out (long-polling's pending upload too), as a WebSocket
    // sends its buffer before its close frame; what the server then refuses (or never
    // acknowledges) is reported. A later connect() waits until then: see _closing.
    const waits: Promise<void>[] = [];
    const closed = (close: (lost: (frames: string[]) => void) => void): Promise<void> =>
      new Promise((resolve) => {
        close((frames) => {
          this._outbox.takeBack(frames, 'not delivered after close()');
          resolve();
        });
      });
    const upgrade = this._upgrade;
    if (upgrade) {
      // Writes held by a swap under way go out too: on the probe once the server reads it (the
      // `upgrade` frame went out; the probe's close follows them), else on long-polling. A probe
      // the server closed meanwhile sent none of them: they stay queued. If the server refuses
      // the upgrade, it never reads them: reported.
      this._upgrade = undefined;
      const probe = upgrade.writer;
      this._outbox.paused = false;
      this._outbox.flush(probe);
      if (probe) {
        this._outbox.takeBack(upgrade.unsent());
        waits.push(
          closed((lost) => {
            upgrade.cancel(code, reason, lost);
          }),
        );
      } else upgrade.cancel(code, reason);
    }
    const transport = this._transport;
    if (transport) {
      // A WebSocket whose buffer is empty is not waited for: what it sent is on the wire, ahead of
      // any new handshake, and a dead link would hold connect() up for connectTimeout.
      const busy = transport.buffered?.() !== 0;
      const done = closed((lost) => {
        transport.close(code, reason, lost);
      });
      if (busy) waits.push(done);
      this._closing = waits.length ? Promise.all(waits) : undefined;
    }
    this._finish({ code, reason, wasClean: true }, 'close() called', this._state === 'open');
  }

  private _attemptNow(): void {
    const epoch = ++this._epoch;
    this._clock.clearTimeout(this._retryTimer);
    this._clock.clearTimeout(this._connectTimer);
    if (isOffline()) return; // the `online` listener tries again
    const closing = this._closing;
    if (closing) {
      // Start once the connection close() ended is over, or once connectTimeout says it never will be.
      const go = (): void => {
        if (epoch !== this._epoch) return;
        this._closing = undefined;
        this._attemptNow();
      };
      this._connectTimer = this._clock.setTimeout(go, this._options.connectTimeout);
      void closing.then(go, go);
      return;
    }
    this._armConnectTimer();
    const { auth } = this._options;
    new Promise<[string, string | undefined]>((resolve) => {
      resolve(Promise.all([typeof this._url === 'function' ? this._url() : this._url, auth?.()]));
    })
      .then(([rawUrl, credentials]) => {
        if (epoch !== this._epoch) return;
        if (isOffline()) {
          // Went offline while url() or auth() ran: the `online` listener tries again.
          this._clock.clearTimeout(this._connectTimer);
          return;
        }
        if (auth && typeof credentials !== 'string') {
          // Not silently skipped: the server would refuse the connection and what was queued with it.
          throw new TypeError(`enhanced-ws: auth() must return (or resolve to) a string, got ${typeof credentials}`);
        }
        this._open(toWebSocketUrl(rawUrl), credentials, epoch);
      })
      .catch((error: unknown) => {
        if (epoch !== this._epoch) return;
        this._report(error);
        // (an error listener may have closed the client)
        if (epoch === this._epoch) this._drop({ code: 1006, reason: show(error), wasClean: false }, true);
      });
  }

  /** Opens the attempt's transport (its callbacks ignore themselves once `epoch` has passed). */
  private _open(url: string, credentials: string | undefined, epoch: number): void {
    const name = this._selection.next();
    const transport = createTransport(name, url, credentials, this._options, this._clock, this._codec);
    this._transport = transport;
    this._armConnectTimer(); // the handshake's own time: a slow url()/auth() must not count against the transport
    const current = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => {
      if (epoch === this._epoch) fn(...args);
    };
    // The socket came up (only the answer to credentials was awaited): a close now is the
    // server's answer, not a transport that failed to open, and must not bring the fallback on.
    let handshook = false;
    transport.open({
      onOpen: current(() => {
        this._selection.opened(name);
        this._onOpen();
        // (an open listener may have closed the client already)
        if (epoch === this._epoch && transport instanceof LongPollingTransport) this._probeUpgrade(transport, url);
      }),
      onMessage: current((data: unknown) => {
        this._onMessage(data);
      }),
      onProtocolFrame: current(() => {
        this._stats.received++;
        this._heartbeat?.frame();
      }),
      onClose: current((event: TransportCloseEvent) => {
        if (this._upgrade?.pollingClosed(event)) return;
        if (this._state !== 'open' && !handshook) this._selection.failed(name);
        this._drop(event, true);
      }),
      onHandshake: current(() => {
        handshook = true;
        this._clock.clearTimeout(this._connectTimer);
      }),
      onError: current((event: unknown) => {
        this._transportError(name, url, event);
      }),
    });
  }

  /**
   * (Re)starts the connect timer, for `url()`/`auth()` and then for the handshake. A handshake can
   * hang for minutes (a proxy that swallows the upgrade, a half-open network): give up on it and
   * retry; a hung WebSocket handshake gives long-polling the next turn.
   */
  private _armConnectTimer(): void {
    this._clock.clearTimeout(this._connectTimer);
    this._connectTimer = this._clock.setTimeout(() => {
      if (this._transport) this._selection.failed(this._transport.name, true);
      this._drop({ code: CloseCode.CONNECT_TIMEOUT, reason: 'connect timeout', wasClean: false }, true);
    }, this._options.connectTimeout);
  }

  private _onOpen(): void {
    this._clock.clearTimeout(this._connectTimer);
    this._openedAt = this._clock.now();
    if (this._opened) this._stats.reconnects++;
    this._opened = true;
    const epoch = this._epoch;
    // Only the onOpen listeners may send ahead of the queue (an app's hello/auth); what state
    // listeners send waits behind it.
    this._outbox.paused = true;
    this._setState('open', 'connected');
    // Stale messages expire before anything is written (what an error listener sends meanwhile
    // waits behind the queue too); a throttled background-tab timer may not have expired them yet.
    if (epoch === this._epoch) this._outbox.expire();
    if (epoch !== this._epoch) return; // a state or error listener called close()
    this._outbox.paused = false;
    const heartbeat = this._options.heartbeat;
    if (heartbeat) {
      this._heartbeat = new Heartbeat(heartbeat, this._clock, {
        sendPing: () => {
          this._outbox.ping();
        },
        onDead: () => {
          this._drop({ code: CloseCode.HEARTBEAT_TIMEOUT, reason: 'heartbeat timeout', wasClean: false }, true);
        },
        // A ping behind a large upload cannot be answered until the upload is through.
        buffered: () => this._transport?.buffered?.() ?? 0,
      });
    }
    this._lifecycle.emit('open', { transport: (this._transport as Transport).name, attempt: this._attempt });
    // Flush after the open listeners (an app's hello/auth goes first).
    this._outbox.flush();
  }

  /** On long-polling, try WebSocket in the background (at once, then with backoff) and move over when it works. */
  private _probeUpgrade(polling: LongPollingTransport, url: string, delay = 0): void {
    // Moving needs somewhere to hold writes during the swap: without a queue, stay put.
    if (!this._selection.canUpgrade() || !this._outbox.queues) return;
    // The marker tells the server this socket continues a long-polling session, not a new connection.
    const probeUrl = new URL(url);
    probeUrl.searchParams.set('transport', Upgrade.QUERY);
    this._probeTimer = this._clock.setTimeout(() => {
      // The connection this probe belongs to; a listener run by the swap may end it (close(), connect()).
      const epoch = this._epoch;
      this._upgrade = new WebSocketUpgrade(polling, createWebSocket(probeUrl.href, this._options), this._clock, this._options.connectTimeout, {
        pause: () => {
          this._outbox.paused = true;
        },
        resume: () => {
          this._upgrade = undefined;
          this._outbox.paused = false;
          this._outbox.flush();
          this._probeUpgrade(polling, url, backoffDelay(++this._probes, this._options.reconnect || DEFAULTS.reconnect, this._options.random));
        },
        adopt: (socket, early) => {
          this._upgrade = undefined;
          this._outbox.paused = false;
          this._probes = 0;
          this._transport = socket;
          this._selection.opened('websocket');
          // Held writes first: what a state listener or a handler of an early frame sends must not overtake them.
          this._outbox.flush();
          const epoch = this._epoch;
          this._stateChanged('open', 'upgraded to websocket');
          for (const data of early) if (epoch === this._epoch) this._onMessage(data);
        },
        message: (data) => {
          this._onMessage(data);
        },
        error: (event) => {
          this._transportError('websocket', url, event);
        },
        close: (event) => {
          if (epoch === this._epoch) this._drop(event, true);
        },
        upgradeFrame: (sid) => this._codec.encode({ type: Upgrade.FRAME, payload: { sid } }),
      });
    }, delay);
  }

  private _transportError(name: TransportName, url: string, event: unknown): void {
    this._report(new EnhancedWsError('TRANSPORT_ERROR', `enhanced-ws: ${name} error (${url})`, event));
  }

  private _onMessage(data: unknown): void {
    this._stats.received++;
    this._heartbeat?.frame();
    const value = this._codec.decode(data);
    if (!isEnvelope(value)) {
      this._stats.malformed++;
      this._report(new EnhancedWsError('BAD_MESSAGE', `enhanced-ws: ignored a frame, not a {type, payload} envelope: ${typeof data === 'string' ? data.slice(0, 80) : 'binary data'}`));
      this._lifecycle.emit('message', { type: null, payload: value });
      return;
    }
    if (value.type === 'pong' && this._heartbeat) this._stats.rttMs = this._heartbeat.rtt(this._clock.now(), (value.payload as { t?: unknown } | undefined)?.t);
    this._lifecycle.emit('message', value);
    if (value.type === 'reply' && this._requests.settle(value)) return;
    this._messages.emit(value.type, value.payload, value);
  }

  /** The connection (or attempt) ended. `retry` false: leave it suspended (pagehide). */
  private _drop(event: TransportCloseEvent, retry: boolean): void {
    const wasOpen = this._state === 'open';
    const reconnect = this._options.reconnect;
    if (wasOpen && reconnect && this._clock.now() - this._openedAt >= reconnect.resetAfter) this._attempt = 0;
    const epoch = this._epoch;
    const willReconnect =
      reconnect && (!retry || (!reconnect.finalCodes.includes(event.code) && this._askShouldReconnect(reconnect, event) && this._attempt < reconnect.maxRetries));
    if (epoch !== this._epoch) return; // shouldReconnect, or a listener told it threw, closed the client
    if (!willReconnect) {
      this._finish(event, `closed with ${event.code}${event.reason ? ` (${event.reason})` : ''}`, wasOpen || retry);
      return;
    }
    if (!this._release(event)) return;
    const current = this._epoch;
    this._requests.rejectSent(`code ${event.code}`);
    this._setState('reconnecting', event.reason || `closed with ${event.code}`);
    // A state listener may have called close() (or connect() after it): that decision wins.
    if (wasOpen) this._lifecycle.emit('close', { ...event, willReconnect: current === this._epoch });
    if (!retry || current !== this._epoch) return;
    const attempt = ++this._attempt;
    const delay = backoffDelay(attempt, reconnect, this._options.random);
    this._lifecycle.emit('reconnecting', { attempt, delay, code: event.code, reason: event.reason });
    if (!isOffline() && this._state === 'reconnecting') {
      this._retryTimer = this._clock.setTimeout(() => {
        this._attemptNow();
      }, delay);
    }
  }

  /** The app's `shouldReconnect`; one that throws is reported, and the default (retry) applies. */
  private _askShouldReconnect(reconnect: ReconnectOptions, event: TransportCloseEvent): boolean {
    try {
      return reconnect.shouldReconnect?.(event) !== false;
    } catch (error) {
      this._report(error);
      return true;
    }
  }

  /**
   * Ends for good: `close()`, a final code, or retries exhausted. `tell`: `onClose` hears of it —
   * when an open connection closes, and when the server or the network stopped the client even
   * though no connection was open (a refused token, 4401, before any open; retries exhausted):
   * the app must learn why it stopped. Not for the app's own close() of an attempt.
   */
  private _finish(event: TransportCloseEvent, reason: string, tell: boolean): void {
    if (!this._release(event)) return;
    this._unwatch?.(); // (connect() attaches anew)
    this._suspended = false;
    this._requests.rejectAll(`connection closed: ${reason}`);
    const dropped = this._outbox.dropOnClose();
    // Closed before any listener runs: close() in one is a no-op, send() queues, connect() starts over.
    this._setState('closed', reason);
    for (const item of dropped) this._outbox.dropped(item, new ConnectionClosedError(`enhanced-ws: queued "${item.type}" message dropped: ${reason}`));
    if (tell) this._lifecycle.emit('close', { ...event, willReconnect: false });
  }

  /**
   * Lets go of the connection: timers stopped, unsent frames queued again, transport closed
   * (already closed by the peer in most cases, a no-op then). Returns false when a listener told
   * of an unsendable frame meanwhile closed the client: the caller's decision is moot.
   */
  private _release(event: TransportCloseEvent): boolean {
    this._clock.clearTimeout(this._retryTimer);
    this._clock.clearTimeout(this._connectTimer);
    this._clock.clearTimeout(this._probeTimer);
    this._probes = 0;
    this._upgrade?.cancel(event.code, event.reason);
    this._upgrade = undefined;
    this._outbox.reset();
    this._heartbeat?.stop();
    this._heartbeat = undefined;
    const epoch = ++this._epoch;
    // Let go of the transport before reporting what it never sent: a listener that sends then
    // must queue (or hear NOT_OPEN), not write into a dead transport.
    const transport = this._transport;
    this._transport = undefined;
    const unsent = transport?.unsent?.() ?? [];
    // A WebSocket the client gives up on with bytes still buffered (the heartbeat found the link
    // dead): the browser may yet send them, so they are not taken back now, and the retry does
    // not wait (a dead link can hold its close for minutes). Its close event says what never
    // left: queued again ahead of newer messages if no connection opened since (each open after
    // the first counts in stats.reconnects) and a closed client keeps its queue; else reported.
    const opens = this._stats.reconnects;
    transport?.close(
      event.code,
      event.reason,
      transport.buffered?.()
        ? (frames) => {
            const late = this._stats.reconnects !== opens || (this._state === 'closed' && this._options.queue && this._options.queue.dropOnClose);
            this._outbox.takeBack(frames, late ? 'the connection died before it was sent' : undefined);
          }
        : undefined,
    );
    this._outbox.takeBack(unsent);
    return epoch === this._epoch;
  }

  private _setState(next: ConnectionState, reason: string): void {
    const previous = this._state;
    if (next === previous) return;
    if (!canMove(previous, next)) throw new Error(`enhanced-ws: internal error, state ${previous} -> ${next}`);
    this._state = next;
    this._stateChanged(previous, reason);
  }

  /** Tells state listeners about a move, or about a new transport under the same state. */
  private _stateChanged(previous: ConnectionState, reason: string): void {
    this._lifecycle.emit('stateChange', { state: this._state, previous, reason, transport: this.transport });
  }
}
