// The shapes listeners receive (one context object each, so fields can be added) and the typed-API helpers.

import type { Envelope, InboundMessage } from './envelope.js';
import type { ConnectionState } from './state.js';
import type { TransportCloseEvent, TransportName } from './transports/transport.js';

export interface OpenContext {
  transport: TransportName;
  /** The retries this connection took: 0 when the first attempt (or the first after a stable connection) opened. */
  attempt: number;
}
export interface CloseContext extends TransportCloseEvent {
  /** Whether the client will try to reconnect. */
  willReconnect: boolean;
}
export interface ReconnectingContext {
  /** 1 for the first retry. */
  attempt: number;
  /** Wait before this attempt, in ms (the attempt waits for `online` while offline). */
  delay: number;
  code: number;
  reason: string;
}
export interface StateChangeContext {
  state: ConnectionState;
  previous: ConnectionState;
  reason: string;
  transport: TransportName | null;
}

/** The client's lifecycle events, by name. */
export interface Lifecycle {
  open(context: OpenContext): void;
  close(context: CloseContext): void;
  error(error: Error): void;
  stateChange(context: StateChangeContext): void;
  reconnecting(context: ReconnectingContext): void;
  message(message: InboundMessage): void;
  [name: string]: (context: never) => void;
}

/**
 * The payload `send`/`request` accept for event `K`. For a union of names (a `type` variable typed
 * `'chat' | 'sum'`), only what fits every one of them: a payload checked against the union could fit
 * one name and go out as another.
 */
export type PayloadFor<E, K extends keyof E> = (K extends unknown ? (payload: E[K]) => void : never) extends (payload: infer P) => void ? P : never;
/** `payload` is optional exactly when the event's payload type admits `undefined`. */
export type PayloadArgs<P> = undefined extends P ? [payload?: P] : [payload: P];
export type Handler<P, K extends string> = (payload: P, message: Envelope<K, P>) => void;
export type Reply<R, K> = K extends keyof R ? R[K] : unknown;
export interface RequestOptions {
  /** In ms (Infinity: none); `undefined` means the client's `requestTimeout`. */
  timeout?: number | undefined;
}
export type RequestArgs<P> = undefined extends P ? [payload?: P, options?: RequestOptions] : [payload: P, options?: RequestOptions];
