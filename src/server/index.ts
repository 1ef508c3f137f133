// Public entry of `enhanced-ws/server` (Node only): createServer and its types.

export { createServer } from './server';
export type { BroadcastOptions, EnhancedWebSocketServer, RoomTarget } from './server';
export type { Connection, ConnectionCloseEvent, MessageHandler, RequestHandler } from './connection';
export { ForbiddenError } from './admission';
export { SERVER_DEFAULTS } from './options';
export type { Authenticate, ServerOptions } from './options';
export { FrameErrorCode, NO_HANDLER, Refusals, Upgrade } from './codes';
export type { Refusal } from './codes';
export type { Handshake } from './long-polling';
export { CloseCode } from '../close-codes';
export type { Envelope } from '../envelope';
