// The WebSocket side: admits an upgraded socket (origin, cap, `auth` first frame) and links it to a Connection.

import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { CloseCode } from '../close-codes';
import type { Clock } from '../clock';
import { isEnvelope } from '../envelope';
import type { Admission } from './admission';
import type { Connection, Link } from './connection';
import type { HeartbeatSweep } from './heartbeat-sweep';

export interface WebSocketContext {
  readonly admission: Admission;
  readonly authTimeoutMs: number;
  readonly clock: Clock;
  readonly sweep: HeartbeatSweep | undefined;
  /** Creates and registers the connection, lets `wire` attach the transport, then announces it. */
  open(link: Link, request: IncomingMessage, user: unknown, wire: (conn: Connection) => void): void;
}

const PROTOCOL_ERROR = 1002;
/** The close code ws sends for its errors (the rest are protocol errors, 1002). */
const WS_ERROR_CODES: Partial<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.MESSAGE_TOO_BIG,
  WS_ERR_INVALID_UTF8: CloseCode.INVALID_PAYLOAD,
};

/** A text frame as a string; binary data stays as it is (the connection answers NOT_TEXT). */
const toFrame = (data: RawData, isBinary: boolean): unknown => (isBinary ? data : (data as Buffer).toString('utf8'));

/** The credentials of an `{"type":"auth","payload":"<credential>"}` frame, or null when the frame is something else. */
function authCredentials(frame: unknown): { credentials: string | undefined } | null {
  if (typeof frame !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!isEnvelope(value) || value.type !== 'auth') return null;
  return { credentials: typeof value.payload === 'string' ? value.payload : undefined };
}

function webSocketLink(socket: WebSocket): Link {
  return {
    transport: 'websocket',
    send(frame) {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    },
    close(code, reason) {
      socket.close(code, reason);
    },
  };
}

/**
 * Refusals are sent as close frames after accepting the upgrade: a browser cannot read a
 * refused handshake's status (it sees 1006 and would retry forever), but it reads 1008/4401.
 * With an `authenticate` hook, the first frame is awaited (up to `authTimeoutMs`): an `auth`
 * frame carries the credentials and is consumed; any other frame means "no credentials" and is
 * delivered after acceptance, like every frame that arrives while the hook runs.
 */
export function admitWebSocket(socket: WebSocket, request: IncomingMessage, context: WebSocketContext): void {
  const { admission, clock } = context;
  // ws closes on peer errors itself (and stops reading, so no close frame comes back): keep the code it sent.
  let failure: number | undefined;
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code?.startsWith('WS_ERR_')) failure = WS_ERROR_CODES[error.code] ?? PROTOCOL_ERROR;
  });
  const refusal = admission.origin(request) ?? admission.reserve();
  if (refusal) {
    socket.close(refusal.code, refusal.reason);
    return;
  }
  let conn: Connection | undefined;
  const pending: unknown[] = [];
  let waiting = admission.hasAuthenticate && context.authTimeoutMs > 0;

  const decide = (credentials: string | undefined): void => {
    waiting = false;
    clock.clearTimeout(timer);
    socket.pause(); // backpressure while the hook runs; frames already read wait in `pending`
    void admission.authenticate(request, credentials).then((verdict) => {
      socket.resume();
      if (socket.readyState !== WebSocket.OPEN) return; // gone meanwhile; 'close' released the slot
      if ('code' in verdict) {
        socket.close(verdict.code, verdict.reason);
        return;
      }
      context.open(webSocketLink(socket), request, verdict.user, (accepted) => {
        conn = accepted;
        context.sweep?.add(socket);
      });
      for (const frame of pending.splice(0)) conn?.receive(frame);
    });
  };

  socket.on('message', (data, isBinary) => {
    const frame = toFrame(data, isBinary);
    if (conn) {
      conn.receive(frame);
      return;
    }
    const auth = waiting ? authCredentials(frame) : null;
    if (!auth) pending.push(frame);
    if (waiting) decide(auth?.credentials);
  });
  socket.on('close', (code, reason) => {
    clock.clearTimeout(timer);
    if (conn) conn.ended(failure ?? code, reason.toString());
    else admission.release();
  });
  const timer = waiting
    ? clock.setTimeout(() => {
        decide(undefined);
      }, context.authTimeoutMs)
    : undefined;
  if (!waiting) decide(undefined);
}
