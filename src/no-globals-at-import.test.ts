// Importing the SDK in Node (SSR, workers, tests) touches no browser global and starts no timer.
import { afterEach, describe, expect, it, vi } from 'vitest';

const BROWSER_GLOBALS = ['window', 'document', 'location', 'navigator', 'addEventListener', 'WebSocket'] as const;

describe('importing src/index.ts', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('reads no window, document, location or navigator, adds no listener and starts no timer', async () => {
    vi.resetModules(); // evaluate every module afresh, under the watch below
    vi.useFakeTimers();
    const touched: string[] = [];
    const saved = new Map<string, PropertyDescriptor | undefined>();
    for (const name of BROWSER_GLOBALS) {
      saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          return undefined;
        },
      });
    }
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const microtasks = vi.spyOn(globalThis, 'queueMicrotask');
    let exports: Record<string, unknown>;
    try {
      exports = await import('./index.js');
    } finally {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor);
        else Reflect.deleteProperty(globalThis, name);
      }
    }
    expect(Object.keys(exports)).toEqual(expect.arrayContaining(['EnhancedWebSocketClient', 'CloseCode', 'EnhancedWsError', 'DEFAULTS']));
    expect(touched).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(timeouts).not.toHaveBeenCalled();
    expect(intervals).not.toHaveBeenCalled();
    expect(microtasks).not.toHaveBeenCalled();
  });
});
