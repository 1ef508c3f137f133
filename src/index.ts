// Public entry of the browser SDK: the client, its errors, close codes and types.

export { EnhancedWebSocketClient } from './client';
export type { CloseContext, OpenContext, ReconnectingContext, RequestOptions, StateChangeContext } from './lifecycle';
export { CloseCode, FINAL_CLOSE_CODES, isFinalCloseCode } from './close-codes';
export type { CloseCodeName } from './close-codes';
export { ConnectionClosedError, EnhancedWsError, ServerError, TimeoutError, isEnhancedWsError } from './errors';
export type { ErrorCode } from './errors';
export { backoffDelay } from './backoff';
export type { BackoffPolicy } from './backoff';
export { DEFAULTS } from './options';
export type { ClientOptions, HeartbeatOptions, OverflowPolicy, QueueOptions, ReconnectOptions } from './options';
export type { Envelope, EventMap, InboundMessage, Serializer } from './envelope';
export type { ConnectionState } from './state';
export type { ClientStats } from './stats';
export type { Clock } from './clock';
export type { TransportName, TransportCloseEvent } from './transports/transport';
export type { UrlSource } from './url';
