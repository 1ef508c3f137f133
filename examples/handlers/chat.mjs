// The chat room every chat example joins: nicknames, one 'lobby' room, server-ordered lines and a short history.
//
// Protocol (JSON envelopes, see docs/protocol.md):
//   client → server  join    { nick, again? }   enter the lobby under that nickname; again after each reconnect, with `again: true`
//   client → server  chat    { text, cid? }     say something; `cid` is echoed back so the sender can match its pending line
//   client → server  request history            → { lines }: the last `historySize` lines, oldest first
//   server → client  chat    { kind: 'chat', id, nick, text, at, cid? }   to everyone in the lobby, sender included
//   server → client  system  { kind: 'system', id, text, at }            joins, returns, renames and leaves
//   server → client  chat-error { code, message }                        to the sender only: a bad nickname (BAD_NICK)
//
// Every line goes out through the server, sender included, so every page shows the same order.

import { randomUUID } from 'node:crypto';

export const ROOM = 'lobby';
const MAX_NICK = 24;
const MAX_TEXT = 500;
const MAX_CID = 64;

/** @typedef {import('./chat.d.mts').ChatLine} ChatLine */
/** @typedef {import('./chat.d.mts').SystemLine} SystemLine */
/** @typedef {import('./chat.d.mts').Line} Line */

/** A trimmed, non-empty string of at most `max` characters, or null. Payloads come from the network: check them. */
function cleanText(value, max) {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text && text.length <= max ? text : null;
}

/**
 * Registers the chat room on a companion server.
 *
 * @param {import('../../dist/server/index.js').EnhancedWebSocketServer} server
 * @param {{ historySize?: number }} [options]
 * @returns {{ history(): Line[] }}
 *
 * @example
 * const server = createServer({ port: 8080, path: '/ws' });
 * chat(server);
 */
export function chat(server, { historySize = 50 } = {}) {
  /** @type {Line[]} */
  const history = [];

  /** Records a line and sends it to the lobby. */
  const publish = (/** @type {'chat' | 'system'} */ type, /** @type {Line} */ line) => {
    history.push(line);
    if (history.length > historySize) history.splice(0, history.length - historySize);
    server.to(ROOM).send(type, line);
  };
  const system = (/** @type {string} */ text) => publish('system', { kind: 'system', id: randomUUID(), text, at: Date.now() });

  server.on('connection', (conn) => {
    /** @type {string | null} */
    let nick = null;

    conn.on('join', (payload) => {
      const wanted = cleanText(/** @type {{ nick?: unknown } | null} */ (payload)?.nick, MAX_NICK);
      if (!wanted) {
        // Not `error`: that type is the protocol's own (docs/protocol.md, "Reserved message types").
        conn.send('chat-error', { code: 'BAD_NICK', message: `a nickname is 1 to ${MAX_NICK} characters` });
        return;
      }
      const previous = nick;
      const again = /** @type {{ again?: unknown }} */ (payload).again === true;
      nick = wanted;
      conn.join(ROOM);
      if (previous !== null && previous !== nick) system(`${previous} is now ${nick}`);
      else if (previous === null) system(again ? `${nick} is back` : `${nick} joined`);
    });

    conn.on('chat', (payload) => {
      // Not in the lobby: another app on the same endpoint (the npm start demo has its own `chat`).
      if (nick === null) return;
      const body = /** @type {{ text?: unknown, cid?: unknown } | null} */ (payload);
      const text = cleanText(body?.text, MAX_TEXT);
      if (!text) return;
      /** @type {ChatLine} */
      const line = { kind: 'chat', id: randomUUID(), nick, text, at: Date.now() };
      if (typeof body?.cid === 'string' && body.cid.length <= MAX_CID) line.cid = body.cid;
      publish('chat', line);
    });

    conn.handle('history', () => ({ lines: history.slice() }));

    conn.onClose(() => {
      if (nick !== null) system(`${nick} left`);
    });
  });

  return {
    history: () => history.slice(),
  };
}
