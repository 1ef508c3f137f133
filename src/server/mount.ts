// Puts the endpoints on one path of an http(s) server, leaving its other routes and upgrades alone.

import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Each gets the request target, parsed once here (`url.searchParams` for the query). */
export interface Endpoints {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
  request(req: IncomingMessage, res: ServerResponse, url: URL): void;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The request target as a URL, or null when it cannot be one: Node's parser accepts targets
 * such as `//a:b` that `new URL()` throws on, and a throw here would escape the http listener.
 */
function targetOf(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** Ends an upgrade nobody serves with a bare HTTP answer, e.g. `404 Not Found`. */
const refuseUpgrade = (socket: Duplex, status: string): void => {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
};

/**
 * Requests on `path` go to `endpoints`; the server's existing `request` listeners (an Express
 * app, say) are moved behind ours so they never answer our path first, and get every other
 * path. Unmatched upgrades are left to the server's other `upgrade` listeners, or refused with
 * 404 when there are none. A target that is no URL is not our path: it goes the same way,
 * answered 400 when nobody else listens. Returns the function that undoes all of it.
 */
export function mount(server: HttpServer, path: string, endpoints: Endpoints): () => void {
  const others = server.listeners('request') as RequestListener[];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = targetOf(req);
    if (url?.pathname === path) endpoints.request(req, res, url);
    else if (others.length) for (const listener of others) listener.call(server, req, res);
    else res.writeHead(url ? 404 : 400).end();
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = targetOf(req);
    if (url?.pathname === path) endpoints.upgrade(req, socket, head, url);
    else if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, url ? '404 Not Found' : '400 Bad Request');
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
