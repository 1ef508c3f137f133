// Puts the endpoints on one path of an http(s) server, leaving its other routes and upgrades alone.

import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Endpoints {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  request(req: IncomingMessage, res: ServerResponse): void;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? '/', 'http://localhost').pathname;

/**
 * Requests on `path` go to `endpoints`; the server's existing `request` listeners (an Express
 * app, say) are moved behind ours so they never answer our path first, and get every other
 * path. Unmatched upgrades are left to the server's other `upgrade` listeners, or refused with
 * 404 when there are none. Returns the function that undoes all of it.
 */
export function mount(server: HttpServer, path: string, endpoints: Endpoints): () => void {
  const others = server.listeners('request') as RequestListener[];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (pathOf(req) === path) endpoints.request(req, res);
    else if (others.length) for (const listener of others) listener.call(server, req, res);
    else res.writeHead(404).end();
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) === path) endpoints.upgrade(req, socket, head);
    else if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  };
  server.removeAllListeners('request');
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
    for (const listener of others) server.on('request', listener);
  };
}
