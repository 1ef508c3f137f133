// The interface every transport implements: I/O only, no backoff, heartbeat or queue.

/** Why a transport closed, shaped like the browser's CloseEvent so policies read one thing. */
export interface TransportCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** Callbacks a transport calls; the client sets them once before `open()`. */
export interface TransportHandlers {
  onOpen(): void;
  /**
   * The connection itself is up but `onOpen` waits (for the server's answer to credentials):
   * the handshake is over, so the client's connect timer stops; the wait has its own bound.
   */
  onHandshake?(): void;
  /** One inbound frame: text, or binary data the client reports as non-envelope. */
  onMessage(data: unknown): void;
  /** A frame of the transport's own protocol arrived (not delivered): proof of life all the same. */
  onProtocolFrame?(): void;
  /** Called exactly once per transport, after which it is finished. */
  onClose(event: TransportCloseEvent): void;
  onError(error: unknown): void;
}

/**
 * A bidirectional frame pipe. A transport is single-use: `open()` once, then `close()` or a
 * peer-initiated close ends it for good; the client makes a new one for every attempt.
 */
export interface Transport {
  readonly name: TransportName;
  open(handlers: TransportHandlers): void;
  /** Sends one text frame now (synchronously hands it to the underlying socket). */
  send(frame: string): void;
  /**
   * Closes and detaches; no other handler runs after this returns. `lost` (the app's `close()`, or
   * a WebSocket the client gives up on while it still buffers bytes): frames already handed over
   * still go out first, as a WebSocket sends its buffer before its close frame; those the peer
   * then refuses, or the link never carried, are handed to `lost` once the close is over (a
   * WebSocket passes its close event too: the peer's code says what it made of them). `lost` is
   * called exactly once (after the app's `close()`, a new connection waits for it). Without it
   * they stay for `unsent()`.
   */
  close(code: number, reason: string, lost?: (frames: string[], event?: TransportCloseEvent) => void): void;
  /**
   * Frames handed to `send()` that the server has not acknowledged, in order, taken out of the
   * transport so the client can queue them again. A WebSocket knows those sent once it was closing
   * and, after an abnormal close, those still counted in its `bufferedAmount` (never transmitted; a
   * browser WebSocket only, not Node's `ws`); what had already passed to the network stack when
   * the connection died is lost with it (at most once, as on any socket). Long-polling hands back
   * what no upload carried, what a refused upload carried, and an upload whose outcome stayed
   * unknown through its retries (at least once: docs/protocol.md, "Retries").
   */
  unsent?(): string[];
  /**
   * Bytes handed to `send()` that have not left yet (WebSocket `bufferedAmount`). The heartbeat
   * reads it: a ping queued behind a large upload cannot be answered until the upload has left.
   */
  buffered?(): number;
}

export type TransportName = 'websocket' | 'long-polling';

