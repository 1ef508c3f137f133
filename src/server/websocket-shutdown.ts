// Shutdown of the WebSocket side: waits for every socket to close, drops the ones left after a grace.

import { WebSocket, type WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../clock';

const openSockets = (wss: WebSocketServer): WebSocket[] => [...wss.clients].filter((socket) => socket.readyState !== WebSocket.CLOSED);

const closed = (socket: WebSocket): Promise<void> => new Promise((resolve) => socket.once('close', () => { resolve(); }));

/**
 * Resolves once every socket of `wss` has closed; those still open `graceMs` after the call are
 * terminated (1006) rather than waited for (ws's close timeout is 30 s). Until then `wss` keeps
 * completing upgrades, so that a peer arriving meanwhile is accepted and then closed with 1001 by
 * the admission (`closed`), as docs/protocol.md says: `wss.close()` makes ws answer upgrades with
 * a bare HTTP 503, which a browser only sees as 1006. Late peers join the wait under the same
 * deadline; `wss.close()` comes after it, so reconnecting peers cannot hold shutdown open forever.
 */
export async function closeWebSockets(wss: WebSocketServer, clock: Clock, graceMs: number): Promise<void> {
  let timer: TimerHandle | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = clock.setTimeout(() => { resolve('deadline'); }, graceMs);
  });
  for (let open = openSockets(wss); open.length; open = openSockets(wss)) {
    if ((await Promise.race([Promise.all(open.map(closed)), deadline])) === 'deadline') break;
  }
  clock.clearTimeout(timer);
  await new Promise<void>((resolve) => {
    wss.close(() => { resolve(); });
    for (const socket of wss.clients) socket.terminate();
  });
}
