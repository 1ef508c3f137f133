// The room's lines as React state: server lines in server-time order without duplicates, then our own pending ones.

import type { Line } from '../../handlers/chat.mjs';

/** A line we sent that the server has not sent back yet (queued while offline, or in flight). */
export interface Pending {
  readonly cid: string;
  readonly text: string;
}

export interface LinesState {
  readonly lines: readonly Line[];
  readonly pending: readonly Pending[];
}

export type LinesAction = { type: 'received'; lines: readonly Line[] } | { type: 'pending'; pending: Pending };

const MAX_LINES = 500;

export const noLines: LinesState = { lines: [], pending: [] };

/**
 * Live lines and the `history` reply overlap (history is asked for on every reconnect), and
 * after a reconnect history may hold lines older than live ones already shown: merge by id,
 * order by server time. A line of ours coming back retires its pending copy.
 */
export function linesReducer(state: LinesState, action: LinesAction): LinesState {
  if (action.type === 'pending') return { ...state, pending: [...state.pending, action.pending] };
  const known = new Set(state.lines.map((line) => line.id));
  const fresh: Line[] = [];
  for (const line of action.lines) {
    if (known.has(line.id)) continue;
    known.add(line.id);
    fresh.push(line);
  }
  if (fresh.length === 0) return state;
  const delivered = new Set(fresh.flatMap((line) => (line.kind === 'chat' && line.cid ? [line.cid] : [])));
  return {
    lines: [...state.lines, ...fresh].sort((a, b) => a.at - b.at).slice(-MAX_LINES), // sort is stable: same-ms lines keep arrival order
    pending: state.pending.filter((pending) => !delivered.has(pending.cid)),
  };
}
