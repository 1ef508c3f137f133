// The WebSocket transport: the native (or injected) WebSocket behind the Transport interface.

import { CloseCode } from '../close-codes.js';
import { show } from '../errors.js';
import { utf8Length } from '../utf8.js';
import type { Transport, TransportCloseEvent, TransportHandlers } from './transport.js';

export class WebSocketTransport implements Transport {
  readonly name = 'websocket';
  private _socket: WebSocket | undefined;
  /**
   * Frames that never reached the wire, in order: those still in the socket's send buffer when
   * the connection died; those sent once the closing handshake had begun (the peer's close frame
   * arrived, the close event not yet: browsers and `ws` silently discard them then); those sent
   * after the socket was gone, before the client heard of it.
   */
  private _unsent: string[] = [];
  /**
   * The frames written last, oldest first: only as many as may still be in the socket's send
   * buffer, so it stays small (empty while `bufferedAmount` reads 0), with no timer.
   */
  private _written: string[] = [];
  /** The UTF-16 length of `_written`: never more than its UTF-8 size, so trimming by it errs on keeping. */
  private _writtenLength = 0;
  private _closed = false;

  constructor(
    private readonly _url: string,
    private readonly _protocols: string | string[] | undefined,
    private readonly _WebSocket: typeof WebSocket,
  ) {}

  open(handlers: TransportHandlers): void {
    let socket: WebSocket;
    try {
      socket = this._socket = new this._WebSocket(this._url, this._protocols);
    } catch (error) {
      // A blocked URL (Content-Security-Policy, a forbidden port) throws here in some browsers:
      // a connection that failed to open, as a refused one does (so long-polling gets its turn).
      queueMicrotask(() => {
        if (this._closed) return;
        handlers.onError(error);
        handlers.onClose({ code: CloseCode.ABNORMAL, reason: show(error), wasClean: false });
      });
      return;
    }
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      handlers.onOpen();
    };
    socket.onmessage = (event: MessageEvent) => {
      handlers.onMessage(event.data);
    };
    socket.onerror = (event) => {
      handlers.onError(event);
    };
    socket.onclose = (event) => {
      this._unsent = this._neverSent(socket, event).concat(this._unsent);
      this._detach();
      handlers.onClose(closeEvent(event));
    };
  }

  send(frame: string): void {
    const socket = this._socket;
    // 1: OPEN (a literal: an injected WebSocket class need not carry the constants)
    if (socket?.readyState !== 1) {
      this._unsent.push(frame);
      return;
    }
    socket.send(frame);
    const written = this._written;
    written.push(frame);
    this._writtenLength += frame.length;
    // The oldest frame can never be in the buffer at close once the newer ones cover what it
    // holds now: until the next send, `bufferedAmount` only goes down.
    const buffered = socket.bufferedAmount;
    for (let oldest = written[0]; oldest !== undefined && this._writtenLength - oldest.length >= buffered; oldest = written[0]) {
      written.shift();
      this._writtenLength -= oldest.length;
    }
  }

  unsent(): string[] {
    return this._unsent.splice(0);
  }

  buffered(): number {
    return this._socket?.bufferedAmount ?? 0;
  }

  close(code: number, reason: string, lost?: (frames: string[], event?: TransportCloseEvent) => void): void {
    this._closed = true;
    const socket = this._detach();
    // The buffer still goes out before the close frame; if the link dies first (or the peer
    // refuses what came, which only the caller can tell from the code), `lost` hears.
    if (socket && lost) {
      socket.onclose = (event) => {
        socket.onclose = null;
        lost(this._neverSent(socket, event), closeEvent(event));
      };
    } else lost?.([]); // (no socket: it failed to open, or closed already)
    // Browsers allow only 1000 and 3000-4999 from scripts; anything else would throw.
    const allowed = code === CloseCode.NORMAL || (code >= 3000 && code <= 4999) ? code : CloseCode.NORMAL;
    try {
      socket?.close(allowed, reason);
    } catch {
      socket?.close(allowed); // a reason over 123 UTF-8 bytes (an error's text): the socket must close all the same
    }
  }

  /**
   * After an abnormal close, `bufferedAmount` still counts the UTF-8 bytes `send()` queued that
   * never left (WHATWG, as Chromium does): the frames covering them were never delivered, not even
   * the oldest, partly sent one (a server gets whole messages only). Node's `ws` (no EventTarget)
   * counts otherwise, control frames included: it is not trusted (docs/architecture.md).
   */
  private _neverSent(socket: WebSocket, event: CloseEvent): string[] {
    return !event.wasClean && typeof EventTarget === 'function' && socket instanceof EventTarget ? this._buffered(socket.bufferedAmount) : [];
  }

  /**
   * The last frames written whose UTF-8 bytes cover `bytes`, oldest first. None when even all of
   * them fall short: a count our frames cannot explain (framing, control frames) is not trusted.
   */
  private _buffered(bytes: number): string[] {
    const written = this._written;
    let start = written.length;
    let covered = 0;
    while (covered < bytes && start > 0) covered += utf8Length(written[--start] as string);
    return covered < bytes ? [] : written.slice(start);
  }

  private _detach(): WebSocket | undefined {
    const socket = this._socket;
    this._socket = undefined;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Not null: closing a socket still connecting fires `error`, and Node's `ws` throws an error nobody listens to.
      socket.onerror = ignore;
    }
    return socket;
  }
}

const ignore = (): void => undefined;

const closeEvent = (event: CloseEvent): TransportCloseEvent => ({ code: event.code || CloseCode.ABNORMAL, reason: event.reason, wasClean: event.wasClean });
