// Puts endpoints on paths of an http(s) server, leaving its other routes and upgrades alone.

import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Each gets the request target, parsed once here (`url.searchParams` for the query). */
export interface Endpoints {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
  request(req: IncomingMessage, res: ServerResponse, url: URL): void;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** What one http server carries while any endpoints are mounted on it. */
interface Mount {
  /** The server's own `request` listeners (an Express app, say), moved behind ours. */
  readonly app: readonly RequestListener[];
  readonly paths: Map<string, Endpoints>;
  readonly onRequest: RequestListener;
  readonly onUpgrade: UpgradeListener;
}

/**
 * One mount per http server, shared by every enhanced-ws server attached to it. With one each,
 * a later one took an earlier one's listener for the app's: requests reached the app twice, or
 * a closed server, and each left unmatched upgrades to "the other listener", so none answered.
 */
const mounts = new WeakMap<HttpServer, Mount>();

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

/** Takes over the server's `request` listeners and adds one `upgrade` listener, both routing by path. */
function install(server: HttpServer): Mount {
  const paths = new Map<string, Endpoints>();
  const app = server.listeners('request') as RequestListener[];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = targetOf(req);
    const endpoints = url && paths.get(url.pathname);
    if (endpoints) endpoints.request(req, res, url);
    else if (app.length) for (const listener of app) listener.call(server, req, res);
    else res.writeHead(url ? 404 : 400).end();
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = targetOf(req);
    const endpoints = url && paths.get(url.pathname);
    if (endpoints) endpoints.upgrade(req, socket, head, url);
    // Another listener (the app's) may serve it; with ours alone, nobody would answer and the socket would hang.
    else if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, url ? '404 Not Found' : '400 Bad Request');
  };
  server.removeAllListeners('request');
  server.on('request', onRequest).on('upgrade', onUpgrade);
  return { app, paths, onRequest, onUpgrade };
}

/**
 * Requests on `path` go to `endpoints`; the server's existing `request` listeners are moved
 * behind ours so they never answer our paths first, and get every other path. Unmatched
 * upgrades are left to the server's other `upgrade` listeners, or refused with 404 when there
 * are none. A target that is no URL is on none of our paths: it goes the same way, answered 400
 * when nobody else listens. Several paths may be mounted on one server (one `TypeError` for a
 * path mounted twice); the server's own listeners come back when the last one is unmounted.
 * Returns the function that unmounts `path`.
 */
export function mount(server: HttpServer, path: string, endpoints: Endpoints): () => void {
  const shared = mounts.get(server) ?? install(server);
  if (shared.paths.has(path)) {
    throw new TypeError(`enhanced-ws/server: another enhanced-ws server already serves path "${path}" on this http server`);
  }
  mounts.set(server, shared);
  shared.paths.set(path, endpoints);
  return () => {
    // Only our own entry: after a close, a new server may have mounted the same path.
    if (shared.paths.get(path) !== endpoints) return;
    shared.paths.delete(path);
    if (shared.paths.size || mounts.get(server) !== shared) return;
    mounts.delete(server);
    server.off('request', shared.onRequest).off('upgrade', shared.onUpgrade);
    for (const listener of shared.app) server.on('request', listener);
  };
}
