// The named close codes shared by client, server and docs/protocol.md (whose table also lists 1002 and 1005).

/** Close codes used by enhanced-ws, named. 1xxx are RFC 6455; 4xxx are this protocol's own. */
export const CloseCode = {
  /** The user (or the server, on purpose) closed the connection. */
  NORMAL: 1000,
  /** The server is shutting down. */
  GOING_AWAY: 1001,
  /** No close frame was received: network loss, refused handshake, killed server. */
  ABNORMAL: 1006,
  /** A frame could not be decoded (bad JSON, bad envelope). */
  INVALID_PAYLOAD: 1007,
  /** The peer broke a rule it will keep breaking (e.g. disallowed Origin). */
  POLICY_VIOLATION: 1008,
  /** A message exceeded `maxPayload`. */
  MESSAGE_TOO_BIG: 1009,
  /** The server hit an unexpected error. */
  INTERNAL_ERROR: 1011,
  /** The server is restarting; come back soon. */
  SERVICE_RESTART: 1012,
  /** The server is overloaded; come back later. */
  TRY_AGAIN_LATER: 1013,
  /** Client side: nothing arrived within the heartbeat timeout, the connection was declared dead. */
  HEARTBEAT_TIMEOUT: 4000,
  /** Client side: an attempt did not open within `connectTimeout` (e.g. a proxy that swallows the upgrade). Mirrors HTTP 408. */
  CONNECT_TIMEOUT: 4008,
  /** Authentication missing or refused. Final: retrying with the same credentials cannot help. */
  UNAUTHORIZED: 4401,
  /** Authenticated but not allowed. Final. */
  FORBIDDEN: 4403,
  /** Long-polling: the session id is unknown or expired; open a new session. */
  SESSION_NOT_FOUND: 4404,
  /** The server's connection cap is reached. */
  TOO_MANY_CONNECTIONS: 4429,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/**
 * Codes after which reconnecting cannot help, so the client stops by default (the default of
 * `reconnect.finalCodes`). Everything else (including 1000 from the server and 1006) is retried.
 */
export const FINAL_CLOSE_CODES: readonly number[] = Object.freeze([
  CloseCode.POLICY_VIOLATION,
  CloseCode.UNAUTHORIZED,
  CloseCode.FORBIDDEN,
]);

/** Whether the client should stop reconnecting after this close code, by the default table. */
export function isFinalCloseCode(code: number): boolean {
  return FINAL_CLOSE_CODES.includes(code);
}
