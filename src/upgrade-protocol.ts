// The wire names of the long-polling → WebSocket upgrade, read by the client and the server alike.

import { CloseCode } from './close-codes.js';

/**
 * The long-polling → WebSocket upgrade (docs/protocol.md): the query that marks a probe socket,
 * the type of its first frame, and how the polling session of an upgraded connection ends (the
 * last item of its last batch).
 */
export const Upgrade = {
  /** `?transport=upgrade` on the WebSocket URL: the socket's first frame will be `upgrade`. */
  QUERY: 'upgrade',
  /** The `type` of the probe's first frame: `{ "type": "upgrade", "payload": { "sid": string } }`. */
  FRAME: 'upgrade',
  CODE: CloseCode.NORMAL,
  REASON: 'upgraded',
} as const;
