// Public entry of `enhanced-ws/server` (Node only): createServer and its types.

export { createServer } from './server.js';
export type { BroadcastOptions, EnhancedWebSocketServer, RoomTarget } from './server.js';
export type { Connection, ConnectionCloseEvent, MessageHandler, RequestHandler } from './connection.js';
export { ForbiddenError } from './admission.js';
export { SERVER_DEFAULTS } from './options.js';
export type { Authenticate, ServerOptions } from './options.js';
export { FrameErrorCode, NO_HANDLER, Refusals, Upgrade } from './codes.js';
export type { Refusal } from './codes.js';
export type { Handshake } from './long-polling.js';
export { CloseCode } from '../close-codes.js';
export type { Envelope } from '../envelope.js';
