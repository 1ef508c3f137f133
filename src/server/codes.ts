// The server's refusals (close code + HTTP status per reason) and the codes of its error frames.

import { CloseCode } from '../close-codes.js';

export { Upgrade } from '../upgrade-protocol.js';

/** Why the server turned a peer away: the WebSocket close code and the long-polling HTTP status. */
export interface Refusal {
  readonly code: number;
  readonly status: number;
  readonly reason: string;
}

/**
 * Every refusal, one row each. WebSocket peers are accepted and then closed with `code` (a
 * browser cannot read a refused handshake's status); long-polling gets `status` with
 * `{ code, reason }` as its JSON body, so both transports end with the same close code.
 */
export const Refusals = {
  ORIGIN: { code: CloseCode.POLICY_VIOLATION, status: 403, reason: 'origin not allowed' },
  /** The `allowedOrigins` predicate threw: retryable, like AUTH_FAILED. */
  ORIGIN_CHECK_FAILED: { code: CloseCode.INTERNAL_ERROR, status: 500, reason: 'origin check failed' },
  UNAUTHORIZED: { code: CloseCode.UNAUTHORIZED, status: 401, reason: 'unauthorized' },
  FORBIDDEN: { code: CloseCode.FORBIDDEN, status: 403, reason: 'forbidden' },
  AUTH_FAILED: { code: CloseCode.INTERNAL_ERROR, status: 500, reason: 'authentication failed' },
  TOO_MANY_CONNECTIONS: { code: CloseCode.TOO_MANY_CONNECTIONS, status: 429, reason: 'too many connections' },
  MESSAGE_TOO_BIG: { code: CloseCode.MESSAGE_TOO_BIG, status: 413, reason: 'message too big' },
  SESSION_NOT_FOUND: { code: CloseCode.SESSION_NOT_FOUND, status: 404, reason: 'unknown or expired session' },
  SHUTTING_DOWN: { code: CloseCode.GOING_AWAY, status: 503, reason: 'server shutting down' },
  BAD_BODY: { code: CloseCode.INVALID_PAYLOAD, status: 400, reason: 'body must be a JSON array of strings' },
  /** WebSocket only: an upgrade probe that named no live session, or sent no valid `upgrade` frame. */
  BAD_UPGRADE: { code: CloseCode.SESSION_NOT_FOUND, status: 404, reason: 'no live long-polling session to upgrade' },
} as const satisfies Record<string, Refusal>;

/** `payload.code` of the `{ type: 'error' }` frames the server sends for malformed input. */
export const FrameErrorCode = {
  /** A binary frame (WebSocket) or a non-string batch item (long-polling). */
  NOT_TEXT: 'NOT_TEXT',
  /** The text is not JSON. */
  BAD_JSON: 'BAD_JSON',
  /** JSON, but not an object with a string `type` (and a string `id`, if any). */
  BAD_ENVELOPE: 'BAD_ENVELOPE',
} as const;

export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode];

/**
 * Codes a close frame may carry (RFC 6455 §7.4; ws's rule): ws refuses to send the others and
 * fails a peer that sends one (1002). Both transports hold to it, in both directions.
 */
export const isValidCloseCode = (code: number): boolean =>
  Number.isInteger(code) && ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999));

/** The longest close reason, in UTF-8 bytes: a close frame's payload is at most 125 bytes, 2 of them the code. */
export const MAX_REASON_BYTES = 123;

/** What a close without a status code reports (RFC 6455 §7.1.5), e.g. a long-polling DELETE without a body. */
export const NO_STATUS = 1005;

/** `error.code` of a request's reply when the server has no handler for its type. */
export const NO_HANDLER = 'NO_HANDLER';
