// A heartbeat ping that falls due while an upgrade holds writes, against the real companion server on loopback.
import { describe, expect, it } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import type { Clock, TimerHandle } from './clock.js';
import type { CloseContext } from './lifecycle.js';
import { frameType, gatedWebSocket, useRealServers } from './real-server-test-utils.js';

// Delays no other timer of the client uses (backoff stays under 50 ms, long-polling deadlines
// are 20 s and more, the upgrade commit timeout is 10 s): only these two are held for the test.
const INTERVAL = 8888;
const TIMEOUT = 7777; // shorter than the interval: the timer after a ping is this one

const { startServer, track } = useRealServers();

/**
 * Real timers, and a `now()` that moves only by `offset`; the heartbeat's two timers are held
 * instead, for `fire()`. The heartbeat judges by `now()`, so advance first, then fire.
 */
function heldHeartbeatClock() {
  const held = new Map<TimerHandle, { ms: number; callback: () => void }>();
  // Time moves only when the test says so: with real time under it, a millisecond passing between
  // two readings in one heartbeat step made a 7776 ms timer the test did not hold (flaky).
  const start = Date.now();
  let offset = 0;
  const clock: Clock = {
    setTimeout: (callback, ms) => {
      if (ms !== INTERVAL && ms !== TIMEOUT) return setTimeout(callback, ms);
      const handle = {} as unknown as TimerHandle;
      held.set(handle, { ms, callback });
      return handle;
    },
    clearTimeout: (handle) => {
      if (handle !== undefined && !held.delete(handle)) clearTimeout(handle);
    },
    now: () => start + offset,
  };
  return {
    clock,
    /** The delays of the held timers still pending. */
    pending: () => [...held.values()].map(({ ms }) => ms),
    /** Moves `now()` forward by `ms`, then runs the one pending held timer of that delay. */
    advanceAndFire(ms: number): void {
      const due = [...held].filter(([, timer]) => timer.ms === ms);
      expect(due, `one pending ${String(ms)} ms timer`).toHaveLength(1);
      const [handle, timer] = due[0]!;
      held.delete(handle);
      offset += ms;
      timer.callback();
    },
  };
}

/** Types of the frames long-polling POSTed, in order. */
function recordingFetch() {
  const posted: unknown[] = [];
  const recording: typeof fetch = (input, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string') {
      for (const frame of JSON.parse(init.body) as string[]) posted.push(frameType(frame));
    }
    return fetch(input, init);
  };
  return { fetch: recording, posted };
}

describe('EnhancedWebSocketClient heartbeat across a long-polling → WebSocket upgrade', () => {
  it('sends a ping that fell due while the upgrade paused writes right after the swap, and stays open', async () => {
    const { url } = await startServer({ pingIntervalMs: false });
    const time = heldHeartbeatClock();
    const socket = gatedWebSocket({ holdUpgrade: true });
    const http = recordingFetch();
    const made = track(new EnhancedWebSocketClient(url, {
      WebSocket: socket.WebSocket,
      fetch: http.fetch,
      clock: time.clock,
      heartbeat: { interval: INTERVAL, timeout: TIMEOUT },
      reconnect: { initialDelay: 10, maxDelay: 50 },
    }));
    const closes: Pick<CloseContext, 'code' | 'reason'>[] = [];
    made.onClose(({ code, reason }) => closes.push({ code, reason }));
    const upgraded = new Promise<void>((resolve) => {
      made.onStateChange(({ transport }) => { if (transport === 'websocket') resolve(); });
    });
    const pong = new Promise<void>((resolve) => {
      made.onAny(({ type }) => { if (type === 'pong') resolve(); });
    });

    await new Promise<void>((resolve) => made.onOpen(() => { resolve(); }));
    expect(made.transport).toBe('long-polling');
    expect(socket.refusals()).toBeGreaterThanOrEqual(2);
    expect(time.pending()).toEqual([INTERVAL]);

    socket.allow();
    await socket.upgradeHeld; // the probe opened and long-polling drained: writes are paused now
    time.advanceAndFire(INTERVAL); // the ping falls due inside the paused window
    const queuedWhilePaused = made.stats.queued;
    const postedWhilePaused = [...http.posted];

    socket.release();
    await upgraded; // adopted, and the held writes flushed (in the same task)
    expect(made.transport).toBe('websocket');
    // The pong of a ping that went out is on its way; a ping that never went out gets none,
    // and then the heartbeat below has its say.
    if (socket.sent.includes('ping')) await pong;

    // A held ping is timed from when it left: its timeout runs from the swap.
    expect(time.pending()).toEqual([TIMEOUT]);
    time.advanceAndFire(TIMEOUT);
    expect(closes).toEqual([]); // not 4000 "heartbeat timeout"
    expect(made.state).toBe('open');
    expect(made.transport).toBe('websocket');
    expect(queuedWhilePaused).toBe(0); // the ping waited outside the queue…
    expect(postedWhilePaused).not.toContain('ping'); // …was not written to long-polling…
    expect(socket.sent.slice(0, 2)).toEqual(['upgrade', 'ping']); // …and went first on the new socket
    expect(made.stats.rttMs).toEqual(expect.any(Number));
  });

  /** A client on long-polling whose upgrade is paused (upgrade frame held) when a ping falls due. */
  async function pausedWithPingDue(options: { dropOnClose?: boolean } = {}) {
    const { url } = await startServer({ pingIntervalMs: false });
    const time = heldHeartbeatClock();
    const socket = gatedWebSocket({ holdUpgrade: true });
    const made = track(new EnhancedWebSocketClient(url, {
      WebSocket: socket.WebSocket,
      clock: time.clock,
      heartbeat: { interval: INTERVAL, timeout: TIMEOUT },
      reconnect: { initialDelay: 10, maxDelay: 50 },
      queue: { dropOnClose: options.dropOnClose ?? false },
    }));
    const errors: Error[] = [];
    made.onError((error) => errors.push(error));
    await new Promise<void>((resolve) => made.onOpen(() => { resolve(); }));
    socket.allow();
    await socket.upgradeHeld;
    time.advanceAndFire(INTERVAL);
    return { made, errors };
  }

  it('reports no heartbeat ping as a dropped message when close() comes while the ping waits', async () => {
    const { made, errors } = await pausedWithPingDue({ dropOnClose: true });
    made.close();
    expect(errors).toEqual([]);
    expect(made.stats.dropped).toBe(0);
  });

  it('keeps no stale ping for the next connect() after close() while the ping waits', async () => {
    const { made } = await pausedWithPingDue();
    made.close();
    expect(made.stats.queued).toBe(0);
  });
});
