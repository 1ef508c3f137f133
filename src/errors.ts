// The error family: one base class with a stable `code`, a few subclasses for `instanceof`.

export type ErrorCode =
  | 'TIMEOUT'
  | 'CONNECTION_CLOSED'
  | 'SERVER_ERROR'
  | 'QUEUE_OVERFLOW'
  | 'MESSAGE_EXPIRED'
  | 'NOT_OPEN'
  | 'SERIALIZE_FAILED'
  | 'BAD_MESSAGE'
  | 'HANDLER_FAILED'
  | 'TRANSPORT_ERROR';

/** A printable form of any value, for messages (`String()` throws on objects without a prototype, and prints [] as nothing). */
export const show = (value: unknown): string => (typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value));

/** Base class of every error enhanced-ws raises or reports. `code` is stable; messages may change. */
export class EnhancedWsError extends Error {
  override name = 'EnhancedWsError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** A request got no reply in time. */
export class TimeoutError extends EnhancedWsError {
  override name = 'TimeoutError';
  constructor(
    message: string,
    readonly timeout: number,
  ) {
    super('TIMEOUT', message);
  }
}

/** The connection closed before the operation could finish (or `close()` was called). */
export class ConnectionClosedError extends EnhancedWsError {
  override name = 'ConnectionClosedError';
  constructor(message: string, cause?: unknown) {
    super('CONNECTION_CLOSED', message, cause);
  }
}

/** The server answered a request with an error. */
export class ServerError extends EnhancedWsError {
  override name = 'ServerError';
  constructor(
    message: string,
    /** The `code` field of the server's error, if it sent one. */
    readonly serverCode: string | undefined,
  ) {
    super('SERVER_ERROR', message);
  }
}

/** Type guard: `isEnhancedWsError(e, 'TIMEOUT')`. */
export function isEnhancedWsError(error: unknown, code?: ErrorCode): error is EnhancedWsError {
  return error instanceof EnhancedWsError && (code === undefined || error.code === code);
}
