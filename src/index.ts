// Public entry of the browser SDK: the client, its errors, close codes and types.

export { EnhancedWebSocketClient } from './client.js';
export type { CloseContext, OpenContext, ReconnectingContext, RequestOptions, StateChangeContext } from './lifecycle.js';
export { CloseCode, FINAL_CLOSE_CODES, isFinalCloseCode } from './close-codes.js';
export type { CloseCodeName } from './close-codes.js';
export { ConnectionClosedError, EnhancedWsError, ServerError, TimeoutError, isEnhancedWsError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { backoffDelay } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { DEFAULTS } from './options.js';
export type { ClientOptions, HeartbeatOptions, OverflowPolicy, QueueOptions, ReconnectOptions } from './options.js';
export type { Envelope, EventMap, InboundMessage, Serializer } from './envelope.js';
export type { ConnectionState } from './state.js';
export type { ClientStats } from './stats.js';
export type { Clock } from './clock.js';
export type { TransportName, TransportCloseEvent } from './transports/transport.js';
export type { UrlSource } from './url.js';
