// Emitter: unsubscribe functions, snapshot iteration, throwing handlers reported without breaking the loop.
import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter.js';

interface Events {
  [name: string]: (...args: never[]) => void;
  tick: (n: number) => void;
  pair: (a: string, b: number) => void;
}

function make() {
  const errors: unknown[] = [];
  const emitter = new Emitter<Events>((error) => errors.push(error));
  return { emitter, errors };
}

describe('Emitter', () => {
  it('calls each handler of a name with the emitted arguments, in subscription order', () => {
    const { emitter } = make();
    const calls: string[] = [];
    emitter.on('pair', (a, b) => calls.push(`first ${a} ${String(b)}`));
    emitter.on('pair', (a, b) => calls.push(`second ${a} ${String(b)}`));
    emitter.on('tick', () => calls.push('wrong name'));
    emitter.emit('pair', 'x', 1);
    expect(calls).toEqual(['first x 1', 'second x 1']);
  });

  it('stops calling a handler once its unsubscribe function ran', () => {
    const { emitter } = make();
    const handler = vi.fn();
    const off = emitter.on('tick', handler);
    emitter.emit('tick', 1);
    off();
    off(); // twice is harmless
    emitter.emit('tick', 2);
    expect(handler.mock.calls).toEqual([[1]]);
    expect(emitter.count()).toBe(0);
  });

  it('removes one handler with off(name, handler) and all of a name with off(name)', () => {
    const { emitter } = make();
    const a = vi.fn();
    const b = vi.fn();
    emitter.on('tick', a);
    emitter.on('tick', b);
    emitter.off('tick', a);
    emitter.emit('tick', 1);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledOnce();
    emitter.off('tick');
    emitter.emit('tick', 2);
    expect(b).toHaveBeenCalledOnce();
    expect(emitter.count()).toBe(0);
  });

  it('runs over a snapshot: handlers added or removed during an emit take effect on the next one', () => {
    const { emitter } = make();
    const late = vi.fn();
    const removed = vi.fn();
    let offRemoved = (): void => undefined;
    emitter.on('tick', () => {
      emitter.on('tick', late);
      offRemoved();
    });
    offRemoved = emitter.on('tick', removed);
    emitter.emit('tick', 1);
    expect(late).not.toHaveBeenCalled();
    expect(removed).toHaveBeenCalledOnce();
    emitter.emit('tick', 2);
    expect(late).toHaveBeenCalledWith(2);
    expect(removed).toHaveBeenCalledOnce();
  });

  it('reports a throwing handler and still runs the others', () => {
    const { emitter, errors } = make();
    const boom = new Error('boom');
    const after = vi.fn();
    emitter.on('tick', () => {
      throw boom;
    });
    emitter.on('tick', after);
    expect(() => { emitter.emit('tick', 1); }).not.toThrow();
    expect(errors).toEqual([boom]);
    expect(after).toHaveBeenCalledWith(1);
  });

  it('counts handlers across names', () => {
    const { emitter } = make();
    emitter.on('tick', vi.fn());
    emitter.on('tick', vi.fn());
    emitter.on('pair', vi.fn());
    expect(emitter.count()).toBe(3);
  });

  it('does nothing when a name has no handler', () => {
    const { emitter, errors } = make();
    expect(() => { emitter.emit('tick', 1); }).not.toThrow();
    expect(errors).toEqual([]);
  });
});

describe('Emitter on() unsubscribe', () => {
  it('removes only its own subscription, not a once() of the same handler', () => {
    const emitter = new Emitter<{ x: (n: number) => void }>(() => undefined);
    const got: number[] = [];
    const handler = (n: number): void => { got.push(n); };
    const unsubscribe = emitter.on('x', handler);
    const once = Object.assign((n: number) => { handler(n); }, { listener: handler }); // what client.once registers
    emitter.on('x', once);
    unsubscribe();
    emitter.emit('x', 1);
    expect(got).toEqual([1]); // not [] (the once registration must stay)
  });
});
