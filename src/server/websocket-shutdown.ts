// Shutdown of the WebSocket side: waits for every socket to close, drops the ones left after a grace.

import { WebSocket, type WebSocketServer } from 'ws';

const openSockets = (wss: WebSocketServer): WebSocket[] => [...wss.clients].filter((socket) => socket.readyState !== WebSocket.CLOSED);

const closed = (socket: WebSocket): Promise<void> => new Promise((resolve) => socket.once('close', () => { resolve(); }));

/**
 * Resolves once every socket of `wss` has closed; those still open when `grace` resolves are
 * terminated (1006) rather than waited for (ws's close timeout is 30 s). Until then `wss` keeps
 * completing upgrades, so that a peer arriving meanwhile is accepted and then closed with 1001 by
 * the admission (`closed`), as docs/protocol.md says: `wss.close()` makes ws answer upgrades with
 * a bare HTTP 503, which a browser only sees as 1006. Late peers join the wait under the same
 * deadline; `wss.close()` comes after it, so reconnecting peers cannot hold shutdown open forever.
 */
export async function closeWebSockets(wss: WebSocketServer, grace: Promise<void>): Promise<void> {
  const deadline = grace.then(() => 'deadline' as const);
  for (let open = openSockets(wss); open.length; open = openSockets(wss)) {
    if ((await Promise.race([Promise.all(open.map(closed)), deadline])) === 'deadline') break;
  }
  await new Promise<void>((resolve) => {
    wss.close(() => { resolve(); });
    for (const socket of wss.clients) socket.terminate();
  });
}
