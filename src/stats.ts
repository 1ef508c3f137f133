// Counters the client keeps, read through `client.stats`.

export interface ClientStats {
  /** Frames handed to a transport (including pings and flushed queued frames). */
  sent: number;
  received: number;
  /** Messages waiting in the send queue now. */
  queued: number;
  /** Messages given up on and reported: queue overflow, closing for good under `queue.dropOnClose`, frames not delivered after `close()` or, with `queue: false`, when a connection dropped. */
  dropped: number;
  /** Queued messages that outlived `queue.maxAge`. */
  expired: number;
  /** Inbound frames that were not envelopes (bad JSON, binary). */
  malformed: number;
  /** Successful connections after the first. */
  reconnects: number;
  /** Round-trip time of the last heartbeat ping, in ms; null before the first pong. */
  rttMs: number | null;
  /** Why the client is on long-polling (WebSocket missing, or failing while HTTP works); null on WebSocket. */
  fallbackReason: string | null;
}

export function createStats(): ClientStats {
  return { sent: 0, received: 0, queued: 0, dropped: 0, expired: 0, malformed: 0, reconnects: 0, rttMs: null, fallbackReason: null };
}
