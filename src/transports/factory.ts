// Makes the transport of an attempt, or of an upgrade probe, from the client's options.

import type { Clock } from '../clock.js';
import { isEnvelope, type Codec } from '../envelope.js';
import type { ResolvedOptions, WebSocketConstructor } from '../options.js';
import { withCredentials } from './credentials.js';
import { LongPollingTransport } from './long-polling.js';
import type { Transport, TransportName } from './transport.js';
import { WebSocketTransport } from './websocket.js';

/** The WebSocket constructor to use: the `WebSocket` option, else the global one (none in old Node, some workers). */
export const webSocketConstructor = (options: ResolvedOptions): WebSocketConstructor | undefined =>
  options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;

export function createWebSocket(url: string, options: ResolvedOptions): WebSocketTransport {
  const WebSocketImpl = webSocketConstructor(options);
  if (!WebSocketImpl) throw new TypeError('enhanced-ws: no WebSocket here: pass the WebSocket option, or allow "long-polling" in transports');
  // (driven through the browser's API, which a class shaped like it implements; protocols only read)
  return new WebSocketTransport(url, options.protocols as string | string[] | undefined, WebSocketImpl as typeof WebSocket);
}

/**
 * Credentials never go in the URL (proxy logs): long-polling sends them as a header, WebSocket
 * in its first frame, answered by the companion server with `{type:'auth'}`.
 */
export function createTransport(name: TransportName, url: string, credentials: string | undefined, options: ResolvedOptions, clock: Clock, codec: Codec): Transport {
  if (name === 'long-polling') return new LongPollingTransport(url, { fetch: options.fetch ?? globalThis.fetch, clock, credentials });
  const socket = createWebSocket(url, options);
  if (credentials === undefined) return socket;
  const isAnswer = (data: unknown): boolean => {
    const value = codec.decode(data);
    return isEnvelope(value) && value.type === 'auth';
  };
  return withCredentials(socket, codec.encode({ type: 'auth', payload: credentials }), isAnswer, clock);
}
