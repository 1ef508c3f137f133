// Heartbeat: pings on an interval, declares death only by the clock, treats any frame as life.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { Heartbeat } from './heartbeat.js';

const options = { interval: 25_000, timeout: 10_000 };

function make(given = options) {
  const pings: number[] = [];
  const deaths: number[] = [];
  const heartbeat: Heartbeat = new Heartbeat(given, systemClock, {
    sendPing: () => {
      pings.push(Date.now());
      heartbeat.sent();
    },
    onDead: () => deaths.push(Date.now()),
  });
  return { heartbeat, pings, deaths };
}

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings every interval while frames keep answering', () => {
    const { heartbeat, pings, deaths } = make();
    vi.advanceTimersByTime(24_999);
    expect(pings).toEqual([]);
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(i === 0 ? 1 : 25_000 - 50);
      heartbeat.frame();
      vi.advanceTimersByTime(50);
      heartbeat.frame();
    }
    expect(pings).toEqual([1_025_000, 1_050_000, 1_075_000, 1_100_000]);
    expect(deaths).toEqual([]);
    heartbeat.stop();
  });

  it.each([5_000, Infinity])('pings every interval while frames answer, also with a timeout (%s) longer than the interval', (timeout) => {
    const { heartbeat, pings, deaths } = make({ interval: 1_000, timeout });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1_000);
      heartbeat.frame(); // the pong
    }
    expect(pings).toEqual([1_001_000, 1_002_000, 1_003_000, 1_004_000, 1_005_000, 1_006_000, 1_007_000, 1_008_000, 1_009_000, 1_010_000]);
    expect(deaths).toEqual([]);
    heartbeat.stop();
  });

  it.each([5_000, Infinity])('puts the next ping back on time when the pong comes later than the interval (timeout %s)', (timeout) => {
    const { heartbeat, pings } = make({ interval: 1_000, timeout });
    vi.advanceTimersByTime(1_000); // ping 1
    vi.advanceTimersByTime(1_500);
    heartbeat.frame(); // its pong, 1.5 s late
    vi.advanceTimersByTime(500);
    expect(pings).toEqual([1_001_000, 1_003_000]);
    heartbeat.stop();
  });

  it('with a timeout longer than the interval, declares death timeout ms after an unanswered ping, without pinging meanwhile', () => {
    const { pings, deaths } = make({ interval: 1_000, timeout: 5_000 });
    vi.advanceTimersByTime(5_999);
    expect({ pings, deaths }).toEqual({ pings: [1_001_000], deaths: [] });
    vi.advanceTimersByTime(1);
    expect(deaths).toEqual([1_006_000]);
  });

  it('does not count a frame from the same millisecond, just before the ping, as its answer', () => {
    const { heartbeat, pings, deaths } = make();
    vi.advanceTimersByTime(10_000);
    heartbeat.frame(); // the last frame before the network dies…
    heartbeat.probe(); // …and a ping in the same millisecond (the tab became visible)
    expect(pings).toEqual([1_010_000]);
    vi.advanceTimersByTime(10_000);
    expect(deaths).toEqual([1_020_000]);
  });

  it('times a held ping from when it leaves (sent()), not from when it fell due', () => {
    const pings: number[] = [];
    const deaths: number[] = [];
    const heartbeat = new Heartbeat(options, systemClock, {
      sendPing: () => pings.push(Date.now()), // held: writes paused by a transport swap
      onDead: () => deaths.push(Date.now()),
    });
    vi.advanceTimersByTime(25_000 + 15_000); // due at 1_025_000; no answer is due for a ping that never left
    expect({ pings: pings.length, deaths }).toEqual({ pings: 1, deaths: [] });
    heartbeat.sent(); // the swap ended: it leaves now, at 1_040_000
    vi.advanceTimersByTime(9_999);
    expect(deaths).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(deaths).toEqual([1_050_000]);
  });

  it('after a held ping left, declares death timeout ms later, not at the next interval', () => {
    const deaths: number[] = [];
    const heartbeat = new Heartbeat(options, systemClock, { sendPing: () => undefined, onDead: () => deaths.push(Date.now()) });
    vi.advanceTimersByTime(26_000); // due at 1_025_000, held
    heartbeat.sent(); // leaves at 1_026_000
    vi.advanceTimersByTime(10_000);
    expect(deaths).toEqual([1_036_000]);
  });

  it('declares the connection dead when nothing arrives within timeout after a ping', () => {
    const { pings, deaths } = make();
    vi.advanceTimersByTime(25_000);
    expect(pings).toEqual([1_025_000]);
    vi.advanceTimersByTime(9_999);
    expect(deaths).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(deaths).toEqual([1_035_000]);
    vi.advanceTimersByTime(100_000);
    expect(deaths).toHaveLength(1); // stopped itself: no more pings or deaths
    expect(pings).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts any frame after the ping as life, not only a pong', () => {
    const { heartbeat, deaths, pings } = make();
    vi.advanceTimersByTime(25_000);
    vi.advanceTimersByTime(9_000);
    heartbeat.frame(); // e.g. a chat message from a server that never answers pings
    vi.advanceTimersByTime(16_000);
    expect(deaths).toEqual([]);
    expect(pings).toEqual([1_025_000, 1_050_000]);
    heartbeat.stop();
  });

  it('judges by the clock when a throttled timer fires late: recent frames keep it alive', () => {
    const { heartbeat, deaths, pings } = make();
    vi.advanceTimersByTime(25_000); // ping at +25 s; the timeout check is due at +35 s
    // Background tab: the clock runs on 70 s with no timer firing, but frames keep arriving.
    vi.setSystemTime(Date.now() + 30_000);
    heartbeat.frame();
    vi.setSystemTime(Date.now() + 40_000);
    heartbeat.frame();
    vi.advanceTimersToNextTimer(); // the late check
    expect(deaths).toEqual([]);
    expect(pings).toHaveLength(2); // the interval had passed: it pinged at once
    heartbeat.stop();
  });

  it('declares death when a late timer finds no frame since the ping', () => {
    const { deaths } = make();
    vi.advanceTimersByTime(25_000);
    vi.setSystemTime(Date.now() + 70_000);
    vi.advanceTimersToNextTimer();
    expect(deaths).toHaveLength(1);
  });

  it('waits only for what is left of the timeout when a frame arrived before the ping', () => {
    const { heartbeat, deaths } = make();
    vi.advanceTimersByTime(20_000);
    heartbeat.frame();
    vi.advanceTimersByTime(5_000); // ping at +25 s
    vi.advanceTimersByTime(10_000);
    expect(deaths).toHaveLength(1);
  });

  it('probe() pings at once when no ping is out', () => {
    const { heartbeat, pings } = make();
    vi.advanceTimersByTime(3_000);
    heartbeat.probe();
    expect(pings).toEqual([1_003_000]);
    heartbeat.frame();
    vi.advanceTimersByTime(24_999);
    expect(pings).toHaveLength(1); // the next ping counts from the probe
    vi.advanceTimersByTime(1);
    expect(pings).toHaveLength(2);
    heartbeat.stop();
  });

  it('probe() while a ping is out checks the deadline instead of pinging again', () => {
    const { heartbeat, pings, deaths } = make();
    vi.advanceTimersByTime(25_000);
    vi.setSystemTime(Date.now() + 60_000); // the tab slept; the check has not run
    heartbeat.probe();
    expect(pings).toHaveLength(1);
    expect(deaths).toHaveLength(1);
  });

  it('measures the round-trip time from the ping the pong echoes, else from the last ping', () => {
    const { heartbeat } = make({ interval: 1_000, timeout: 5_000 });
    vi.advanceTimersByTime(1_000); // ping 1 (its t: 1_001_000)
    heartbeat.frame(); // a message: the next ping goes out though ping 1 is unanswered
    vi.advanceTimersByTime(1_000); // ping 2 (its t: 1_002_000)
    expect(heartbeat.rtt(Date.now() + 42, 1_001_000)).toBe(1042); // a late pong, for the earlier ping
    expect(heartbeat.rtt(Date.now() + 42, 1_002_000)).toBe(42);
    expect(heartbeat.rtt(Date.now() + 42, undefined)).toBe(42); // a pong without the ping's payload
    heartbeat.stop();
  });

  it.each([
    ['ahead', 5_000],
    ['behind', -5_000],
  ])('measures from the last ping when the pong carries the server clock (%s), not one of its pings', (_, skew) => {
    const { heartbeat } = make();
    vi.advanceTimersByTime(25_000); // the ping, t 1_025_000
    expect(heartbeat.rtt(Date.now() + 42, Date.now() + 42 + skew)).toBe(42);
    heartbeat.stop();
  });

  it('measures from the last ping when the pong repeats the t of a ping already answered', () => {
    const { heartbeat } = make({ interval: 1_000, timeout: 5_000 });
    vi.advanceTimersByTime(1_000); // ping 1, t 1_001_000
    heartbeat.frame();
    expect(heartbeat.rtt(Date.now() + 10, 1_001_000)).toBe(10); // its pong
    vi.advanceTimersByTime(1_000); // ping 2, t 1_002_000
    expect(heartbeat.rtt(Date.now() + 42, 1_001_000)).toBe(42); // ping 1's t again: not ping 2's answer
    heartbeat.stop();
  });

  it('never reports a negative round-trip time (the clock stepped back)', () => {
    const { heartbeat } = make();
    vi.advanceTimersByTime(25_000);
    expect(heartbeat.rtt(Date.now() - 1_000, undefined)).toBe(0);
    heartbeat.stop();
  });

  describe('with a send buffer (a ping can wait behind an upload)', () => {
    function makeBuffered(readings: number[]) {
      const deaths: number[] = [];
      let buffered = 0;
      const heartbeat: Heartbeat = new Heartbeat({ interval: 1_000, timeout: 3_000 }, systemClock, {
        sendPing: () => { heartbeat.sent(); },
        onDead: () => deaths.push(Date.now()),
        buffered: () => readings.shift() ?? buffered,
      });
      return { heartbeat, deaths, set: (value: number) => { buffered = value; } };
    }

    it('waits while bytes handed over before the ping are still buffered, then one timeout more once emptied', () => {
      // Read as the ping left (1_001_000), then at each expiry; the same twice: one message leaves whole.
      const { heartbeat, deaths } = makeBuffered([20_000_000, 20_000_000, 12_000_000, 0]);
      vi.advanceTimersByTime(1_000 + 3 * 3_000); // three looks: 20 MB, 12 MB, empty (the ping left meanwhile)
      expect(deaths).toEqual([]);
      vi.advanceTimersByTime(2_999);
      expect(deaths).toEqual([]);
      vi.advanceTimersByTime(1); // one timeout after it emptied, still empty, no answer
      expect(deaths).toEqual([1_013_000]);
      heartbeat.stop();
    });

    it('a frame while waiting behind the upload answers the ping as any frame does', () => {
      const { heartbeat, deaths, set } = makeBuffered([]);
      set(20_000_000);
      vi.advanceTimersByTime(1_000 + 6_000);
      heartbeat.frame(); // the pong, at last
      set(0);
      vi.advanceTimersByTime(3_000); // pinged again at 1_008_000 (its answer due at 1_011_000)
      expect(deaths).toEqual([]);
      heartbeat.stop();
    });

    it('declares death on time when the buffer grew since the ping: the app keeps writing into a link that takes nothing', () => {
      // Read as the ping left (1_001_000), then at the deadline: more than before.
      const { heartbeat, deaths } = makeBuffered([5_000, 9_000]);
      vi.advanceTimersByTime(1_000 + 3_000);
      expect(deaths).toEqual([1_004_000]);
      heartbeat.stop();
    });

    it('declares death on time when nothing was buffered before the ping or at the deadline', () => {
      const { deaths } = makeBuffered([]);
      vi.advanceTimersByTime(1_000 + 2_999);
      expect(deaths).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(deaths).toEqual([1_004_000]);
    });
  });

  it('stop() leaves no timer behind', () => {
    const { heartbeat, pings } = make();
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100_000);
    expect(pings).toEqual([]);
  });
});
