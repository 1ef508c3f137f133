// A scripted browser WebSocket whose send buffer (`bufferedAmount`) the test drains by hand, for the transport's and the client's unit tests.

import { utf8Length } from '../utf8.js';

/**
 * A WebSocket as the WHATWG spec describes its send buffer: `send()` adds the frame's UTF-8 bytes
 * to `bufferedAmount`, `transmit(n)` takes n bytes off as the network does, and the close event
 * leaves the count as it was. An EventTarget, as browser WebSockets are. Nothing happens on its
 * own: the test opens it, drains it and ends it.
 */
export class BufferingSocket extends EventTarget {
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  /** Every frame leaves as it is written (`bufferedAmount` stays 0), as `ws` reports one written straight to its socket. */
  instant = false;
  /** Every frame written while open, in order. */
  readonly sent: string[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;

  constructor(readonly url: string) {
    super();
  }

  send(frame: string): void {
    if (this.readyState !== 1) return; // discarded, nothing thrown: as browsers do once closing
    this.sent.push(frame);
    if (!this.instant) this.bufferedAmount += utf8Length(frame);
  }

  /** The app's close: the closing handshake begins; the close event waits for `closed()`. */
  close(): void {
    if (this.readyState < 2) this.readyState = 2;
  }

  // The network's and the server's side:

  /** The handshake succeeded: OPEN, `open` fires. */
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** The network took `bytes` off the send buffer. */
  transmit(bytes: number): void {
    this.bufferedAmount -= bytes;
  }

  /** A frame arrives. */
  deliver(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The peer's close frame arrived: CLOSING, and the close event has not fired yet. */
  closing(): void {
    this.readyState = 2;
  }

  /** The close event (1006: the connection died, not clean); `bufferedAmount` stays as it was. */
  closed(code = 1006, wasClean = code !== 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '', wasClean });
  }
}

export interface BufferingSockets {
  /** Pass as the `WebSocket` option (or to the transport). */
  readonly WebSocket: typeof WebSocket;
  /** Every socket constructed, in order. */
  readonly made: BufferingSocket[];
  /** The newest socket. */
  last(): BufferingSocket;
}

/** A `WebSocket` class of buffering sockets, recording each one made. */
export function bufferingSockets(): BufferingSockets {
  const made: BufferingSocket[] = [];
  class Recorded extends BufferingSocket {
    constructor(url: string) {
      super(url);
      made.push(this);
    }
  }
  return {
    WebSocket: Recorded as unknown as typeof WebSocket,
    made,
    last: () => {
      const socket = made.at(-1);
      if (!socket) throw new Error('buffering sockets: none constructed yet');
      return socket;
    },
  };
}
