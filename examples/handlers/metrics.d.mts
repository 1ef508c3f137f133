// Types of metrics.mjs: the sample it pushes, shared by the e2e fixture and anyone typing a dashboard.

import type { EnhancedWebSocketServer } from '../../src/server/index';

/** One sample, pushed as `{ type: 'metrics', payload }`. */
export interface Metrics {
  /** Server time, ms since the epoch. */
  at: number;
  cpu: {
    /** This process's CPU time over the last interval, % of one core. */
    process: number;
    /** 1-minute load average (0 on Windows). */
    load1: number;
    cores: number;
  };
  /** Bytes. */
  memory: { rss: number; heapUsed: number; heapTotal: number; systemUsed: number; systemTotal: number };
  /** Open connections, both transports. */
  connections: number;
}

export interface MetricsOptions {
  /** How often to sample and push, ms (default 1000, at least 50). */
  intervalMs?: number;
  /** Push only to this room, which a connection joins by sending `subscribe` `'metrics'`; default: every connection. */
  room?: string;
}

/** Pushes `metrics` each `intervalMs` to every connection (or to `room`'s subscribers); returns the function that stops it. */
export declare function metrics(server: EnhancedWebSocketServer, options?: MetricsOptions): () => void;
