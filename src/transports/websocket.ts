// The WebSocket transport: the native (or injected) WebSocket behind the Transport interface.

import { CloseCode } from '../close-codes.js';
import { show } from '../errors.js';
import type { Transport, TransportHandlers } from './transport.js';

export class WebSocketTransport implements Transport {
  readonly name = 'websocket';
  private _socket: WebSocket | undefined;
  /**
   * Frames that never reached the wire: sent once the closing handshake had begun (the peer's
   * close frame arrived, the close event not yet: browsers and `ws` silently discard them then),
   * or after the socket was gone, before the client heard of it.
   */
  private readonly _unsent: string[] = [];
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
      this._detach();
      handlers.onClose({ code: event.code || CloseCode.ABNORMAL, reason: event.reason, wasClean: event.wasClean });
    };
  }

  send(frame: string): void {
    // 1: OPEN (a literal: an injected WebSocket class need not carry the constants)
    if (this._socket?.readyState === 1) this._socket.send(frame);
    else this._unsent.push(frame);
  }

  unsent(): string[] {
    return this._unsent.splice(0);
  }

  buffered(): number {
    return this._socket?.bufferedAmount ?? 0;
  }

  close(code: number, reason: string): void {
    this._closed = true;
    const socket = this._detach();
    // Browsers allow only 1000 and 3000-4999 from scripts; anything else would throw.
    const allowed = code === CloseCode.NORMAL || (code >= 3000 && code <= 4999) ? code : CloseCode.NORMAL;
    try {
      socket?.close(allowed, reason);
    } catch {
      socket?.close(allowed); // a reason over 123 UTF-8 bytes (an error's text): the socket must close all the same
    }
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
