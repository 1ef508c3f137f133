// Pushes the server's own vital signs to every connection on an interval: what the dashboard example draws.
//
//   server → client  metrics    { at, cpu: { process, load1, cores }, memory: { rss, heapUsed, heapTotal, systemUsed, systemTotal }, connections }
//   client → server  subscribe  'metrics'   only with the `room` option: join the room the samples go to
//
// `cpu.process` is this Node process's CPU time over the last interval, in percent of one core
// (process.cpuUsage); `cpu.load1` is the 1-minute load average (os.loadavg, 0 on Windows).
// Memory is in bytes.

import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

/** @typedef {import('./metrics.d.mts').Metrics} Metrics */

/**
 * Starts pushing `metrics` each `intervalMs` to every open connection, or with `room` only to the
 * connections that sent `subscribe` `'metrics'` (so other apps on the same endpoint are not
 * flooded). A connection gets the latest sample at once, so a page has something to show before
 * the next tick. Returns the function that stops it.
 *
 * @param {import('../../dist/server/index.js').EnhancedWebSocketServer} server
 * @param {{ intervalMs?: number, room?: string }} [options]
 * @returns {() => void}
 *
 * @example
 * const stop = metrics(createServer({ port: 8080 }), { intervalMs: 1000 });
 */
export function metrics(server, { intervalMs = 1000, room } = {}) {
  if (!Number.isFinite(intervalMs) || intervalMs < 50) throw new RangeError(`metrics: intervalMs must be a number ≥ 50, got ${intervalMs}`);
  const cores = cpus().length || 1;
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  /** @type {Metrics | null} */
  let latest = null;

  const sample = () => {
    const now = performance.now();
    const used = process.cpuUsage(lastCpu); // µs of user + system time since the last sample
    const elapsedUs = (now - lastAt) * 1000;
    lastCpu = process.cpuUsage();
    lastAt = now;
    const memory = process.memoryUsage();
    const systemTotal = totalmem();
    /** @type {Metrics} */
    const next = {
      at: Date.now(),
      cpu: {
        process: elapsedUs > 0 ? round((100 * (used.user + used.system)) / elapsedUs) : 0,
        load1: round(loadavg()[0] ?? 0),
        cores,
      },
      memory: {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        systemUsed: systemTotal - freemem(),
        systemTotal,
      },
      connections: server.connections.size,
    };
    return next;
  };

  const timer = setInterval(() => {
    latest = sample();
    if (room === undefined) server.broadcast('metrics', latest);
    else server.to(room).send('metrics', latest);
  }, intervalMs);
  timer.unref(); // a dashboard must not keep a process alive on its own

  /** The latest sample, now, to one connection (with the connection count as of now). */
  const catchUp = (/** @type {{ send(type: string, payload: unknown): boolean }} */ conn) => {
    if (latest) conn.send('metrics', { ...latest, connections: server.connections.size });
  };
  const off = server.on('connection', (conn) => {
    if (room === undefined) {
      catchUp(conn);
      return;
    }
    conn.on('subscribe', (topic) => {
      if (topic !== 'metrics' || conn.rooms.has(room)) return;
      conn.join(room);
      catchUp(conn);
    });
  });

  return () => {
    clearInterval(timer);
    off();
  };
}

const round = (/** @type {number} */ value) => Math.round(value * 100) / 100;
