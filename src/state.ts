// Connection states and the moves allowed between them.

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * Allowed moves. `connecting` is the first attempt after `connect()`; every later attempt,
 * and the wait before it, is `reconnecting`.
 */
const MOVES: Record<ConnectionState, readonly ConnectionState[]> = {
  idle: ['connecting', 'closed'],
  connecting: ['open', 'reconnecting', 'closed'],
  open: ['reconnecting', 'closed'],
  reconnecting: ['open', 'closed'],
  closed: ['connecting'],
};

export function canMove(from: ConnectionState, to: ConnectionState): boolean {
  return MOVES[from].includes(to);
}
