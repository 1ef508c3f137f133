// resolveOptions: defaults, `false` sections, and a TypeError naming every bad option.
import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { jsonSerializer } from './envelope.js';
import { DEFAULTS, resolveOptions, type ClientOptions } from './options.js';

/** Options a caller might pass from untyped code. */
const loose = (options: Record<string, unknown>): ClientOptions => options;

describe('DEFAULTS', () => {
  it('holds the documented defaults, frozen', () => {
    expect(DEFAULTS.reconnect).toMatchObject({ initialDelay: 1000, multiplier: 2, maxDelay: 30000, jitter: 0.5, maxRetries: Infinity });
    expect(DEFAULTS.heartbeat).toEqual({ interval: 25000, timeout: 10000 });
    expect(DEFAULTS.queue).toMatchObject({ maxMessages: 1000, overflow: 'drop-oldest', dropOnClose: false });
    expect(DEFAULTS.requestTimeout).toBe(10000);
    expect(DEFAULTS.autoConnect).toBe(true);
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.reconnect)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.heartbeat)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.queue)).toBe(true);
    expect(DEFAULTS.reconnect.finalCodes).toEqual([1008, 4401, 4403]);
    expect(Object.isFrozen(DEFAULTS.reconnect.finalCodes)).toBe(true);
  });

  it('holds the transports default, frozen, which resolveOptions uses when none is given', () => {
    expect(DEFAULTS.transports).toEqual(['websocket', 'long-polling']);
    expect(Object.isFrozen(DEFAULTS.transports)).toBe(true);
    expect(resolveOptions().transports).toEqual(['websocket', 'long-polling']);
    expect(resolveOptions({ transports: ['long-polling'] }).transports).toEqual(['long-polling']);
  });
});

describe('transports option, whose default is a list and not a section', () => {
  const message = (got: string) => `enhanced-ws: option "transports" must be a non-empty array of "websocket" and "long-polling", got ${got}`;

  it.each([
    [false, 'false'],
    [true, 'true'],
    [{}, '[object Object]'],
    [{ 0: 'websocket' }, '[object Object]'],
    [null, 'null'],
    [[], '[object Array]'],
  ])('throws the same TypeError as before for %o (not turned off, kept or merged like a section)', (transports, got) => {
    let thrown: unknown;
    try {
      resolveOptions(loose({ transports }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toBe(message(got));
  });
});

describe('resolveOptions', () => {
  it('fills every section from DEFAULTS when nothing is given', () => {
    const resolved = resolveOptions();
    expect(resolved.reconnect).toEqual(DEFAULTS.reconnect);
    expect(resolved.heartbeat).toEqual(DEFAULTS.heartbeat);
    expect(resolved.queue).toEqual(DEFAULTS.queue);
    expect(resolved.autoConnect).toBe(true);
    expect(resolved.requestTimeout).toBe(10000);
    expect(resolved.random).toBe(Math.random);
  });

  it('merges a partial section over the defaults without touching DEFAULTS', () => {
    const resolved = resolveOptions({ reconnect: { initialDelay: 50 }, queue: { overflow: 'error' } });
    expect(resolved.reconnect).toEqual({ ...DEFAULTS.reconnect, initialDelay: 50 });
    expect(resolved.queue).toEqual({ ...DEFAULTS.queue, overflow: 'error' });
    expect(DEFAULTS.reconnect.initialDelay).toBe(1000);
  });

  it('turns a section off with false', () => {
    const resolved = resolveOptions({ reconnect: false, heartbeat: false, queue: false });
    expect(resolved.reconnect).toBe(false);
    expect(resolved.heartbeat).toBe(false);
    expect(resolved.queue).toBe(false);
  });

  it('keeps the injected parts', () => {
    const random = () => 0.5;
    const shouldReconnect = () => true;
    const resolved = resolveOptions({ random, clock: systemClock, serializer: jsonSerializer, protocols: ['v1'], reconnect: { shouldReconnect } });
    expect(resolved.random).toBe(random);
    expect(resolved.clock).toBe(systemClock);
    expect(resolved.serializer).toBe(jsonSerializer);
    expect(resolved.protocols).toEqual(['v1']);
    expect(resolved.reconnect && resolved.reconnect.shouldReconnect).toBe(shouldReconnect);
  });

  it('accepts the edges of each range', () => {
    expect(() => resolveOptions({ reconnect: { jitter: 0 }, queue: { maxAge: 0 } })).not.toThrow();
    expect(() => resolveOptions({ reconnect: { jitter: 1, multiplier: 1, maxRetries: 0 } })).not.toThrow();
  });

  it('throws a TypeError naming an unknown option', () => {
    expect(() => resolveOptions(loose({ reconect: {} }))).toThrow(TypeError);
    expect(() => resolveOptions(loose({ reconect: {} }))).toThrow(/"reconect"/);
    expect(() => resolveOptions(loose({ reconnect: { delay: 5 } }))).toThrow(/"reconnect\.delay"/);
    expect(() => resolveOptions(loose({ queue: { size: 5 } }))).toThrow(/"queue\.size"/);
    expect(() => resolveOptions(loose({ heartbeat: { intervalMs: 5 } }))).toThrow(/"heartbeat\.intervalMs"/);
  });

  const bad: [string, Record<string, unknown>][] = [
    ['reconnect.jitter', { reconnect: { jitter: 2 } }],
    ['reconnect.jitter', { reconnect: { jitter: -0.1 } }],
    ['reconnect.initialDelay', { reconnect: { initialDelay: -1 } }],
    ['reconnect.initialDelay', { reconnect: { initialDelay: '1000' } }],
    ['reconnect.initialDelay', { reconnect: { initialDelay: Number.NaN } }],
    ['reconnect.multiplier', { reconnect: { multiplier: 0.5 } }],
    ['reconnect.maxDelay', { reconnect: { maxDelay: null } }],
    ['reconnect.maxRetries', { reconnect: { maxRetries: -1 } }],
    ['reconnect.resetAfter', { reconnect: { resetAfter: 'soon' } }],
    ['reconnect.shouldReconnect', { reconnect: { shouldReconnect: true } }],
    ['reconnect.finalCodes', { reconnect: { finalCodes: 4401 } }],
    ['reconnect.finalCodes', { reconnect: { finalCodes: ['4401'] } }],
    ['reconnect.finalCodes', { reconnect: { finalCodes: { 0: 4401 } } }],
    ['reconnect', { reconnect: 'yes' }],
    ['reconnect', { reconnect: null }],
    ['heartbeat.interval', { heartbeat: { interval: 0 } }],
    ['heartbeat.interval', { heartbeat: { interval: -5 } }],
    ['heartbeat.timeout', { heartbeat: { timeout: -1 } }],
    ['heartbeat.timeout', { heartbeat: { timeout: 0 } }],
    ['heartbeat', { heartbeat: 25000 }],
    ['queue.overflow', { queue: { overflow: 'x' } }],
    ['queue.maxMessages', { queue: { maxMessages: -1 } }],
    ['queue.maxBytes', { queue: { maxBytes: '1kb' } }],
    ['queue.maxAge', { queue: { maxAge: -1 } }],
    ['queue.dropOnClose', { queue: { dropOnClose: 'yes' } }],
    ['queue', { queue: 'big' }],
    ['requestTimeout', { requestTimeout: 0 }],
    ['requestTimeout', { requestTimeout: '10s' }],
    ['autoConnect', { autoConnect: 'no' }],
    ['WebSocket', { WebSocket: 'ws' }],
    ['random', { random: 0.5 }],
    ['serializer', { serializer: 'json' }],
    ['serializer', { serializer: { encode: JSON.stringify } }],
    ['clock', { clock: {} }],
    ['protocols', { protocols: 5 }],
  ];

  it.each(bad)('throws a TypeError naming %s for %o', (name, options) => {
    let thrown: unknown;
    try {
      resolveOptions(loose(options));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toContain(`"${name}"`);
  });

  it.each([[null], [5], ['fast']])('throws a TypeError naming the options argument for %o', (options: unknown) => {
    expect(() => resolveOptions(options as ClientOptions)).toThrow(TypeError);
    expect(() => resolveOptions(options as ClientOptions)).toThrow(/options/);
  });
});

describe('section options given an array', () => {
  it('refuses a Promise of options (a forgotten await) with a TypeError naming options', () => {
    expect(() => resolveOptions(loose(Promise.resolve({ autoConnect: false }) as unknown as Record<string, unknown>))).toThrow(/"options" must be an object, got \[object Promise\]/);
  });

  class Policy {
    maxRetries = 3;
    shouldReconnect(): boolean {
      return false;
    }
  }

  it.each([
    ['reconnect', new Map([['maxRetries', 0]]), '[object Map]'],
    ['queue', Promise.resolve({ maxMessages: 1 }), '[object Promise]'],
    ['heartbeat', new Date(0), '[object Date]'],
    ['reconnect', new Policy(), '[object Object]'],
  ])('refuses a %s section that is no plain object (%s), whose settings would be missed, with a TypeError naming it', (name, value, shown) => {
    expect(() => resolveOptions(loose({ [name]: value }))).toThrow(`option "${name}" must be an object or false, got ${shown}`);
  });

  it('refuses options whose settings sit on a prototype (a class, Object.create), which would be missed', () => {
    class Options {
      // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- an accessor on purpose: that is the case under test
      get autoConnect(): boolean {
        return false;
      }
    }
    for (const options of [new Options(), Object.create({ autoConnect: false }) as object]) {
      expect(() => resolveOptions(loose(options as Record<string, unknown>))).toThrow(/"options" must be an object/);
    }
  });

  it('accepts plain objects without a prototype, and from another realm', async () => {
    const bare = Object.assign(Object.create(null) as object, { autoConnect: false });
    expect(resolveOptions(loose(bare as Record<string, unknown>)).autoConnect).toBe(false);
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext('({ autoConnect: false, reconnect: { maxRetries: 2 } })') as Record<string, unknown>;
    expect(resolveOptions(loose(foreign))).toMatchObject({ autoConnect: false, reconnect: { maxRetries: 2 } });
  });

  it.each(['heartbeat', 'reconnect', 'queue'])('%s: [] throws a TypeError naming it', (name) => {
    expect(() => resolveOptions({ [name]: [] })).toThrow(new RegExp(`"${name}"`));
  });
});

describe('options error message', () => {
  it('names the option when the bad value is a null-prototype object', () => {
    expect(() => resolveOptions({ reconnect: { initialDelay: Object.create(null) as number } })).toThrow(/"reconnect\.initialDelay"/);
  });
  it('names the option when transports holds a null-prototype object', () => {
    expect(() => resolveOptions({ transports: [Object.create(null) as 'websocket'] })).toThrow(/"transports"/);
  });
});

describe('protocols option', () => {
  it.each([[['chat', 'chat']], [''], ['two words'], [['a,b']]])('throws a TypeError naming "protocols" for %j, which WebSocket would refuse on every attempt', (protocols) => {
    expect(() => resolveOptions({ protocols })).toThrow(/"protocols" must be a subprotocol token or an array of distinct ones/);
  });

  it('accepts a token and an array of distinct tokens', () => {
    expect(resolveOptions({ protocols: 'v1.chat' }).protocols).toBe('v1.chat');
    expect(resolveOptions({ protocols: ['v1', 'v2'] }).protocols).toEqual(['v1', 'v2']);
  });
});
