// EnhancedWebSocketClient leaves nothing behind: no socket, browser listener or timer survives reconnects or close().
import { describe, expect, it, vi } from 'vitest';
import { FakeBrowser, MOCK_DELAY, advance, makeClient, openClient, recordSockets, settle, startServer, uniqueUrl, useHarness } from './test-utils.js';

useHarness();

describe('EnhancedWebSocketClient resources', () => {
  it('holds one socket, five browser listeners and one timer after 1,000 reconnect cycles, and none after close()', async () => {
    const browser = new FakeBrowser().install();
    const { client, server, sockets } = await openClient({
      random: () => 0,
      reconnect: { initialDelay: 10, resetAfter: 0 },
      requestTimeout: 60_000,
    });
    const userListeners = [client.onOpen(() => undefined), client.on('x', () => undefined)];
    const failures: unknown[] = [];
    for (let cycle = 0; cycle < 1000; cycle++) {
      // a request in flight and a queued message each time, so their timers and entries are exercised too
      client.request('work', cycle).catch((error: unknown) => failures.push(error));
      server.kill();
      await advance(MOCK_DELAY);
      client.send('queued', cycle);
      await advance(10);
      await settle();
    }
    expect(client.state).toBe('open');
    expect(client.stats.reconnects).toBe(1000);
    expect(failures).toHaveLength(1000); // every in-flight request was rejected, none left hanging
    expect(sockets.created).toHaveLength(1001);
    expect(server.openCount).toBe(1);
    expect(browser.listenerCount).toBe(5);
    expect(browser.window.added).toBe(4);
    expect(browser.document.added).toBe(1);
    expect(client.stats.queued).toBe(0);
    await advance(MOCK_DELAY);
    expect(vi.getTimerCount()).toBe(1); // the heartbeat of the live connection

    for (const off of userListeners) off();
    client.close();
    await advance(MOCK_DELAY);
    expect(server.openCount).toBe(0);
    expect(browser.listenerCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer after close() with requests pending, a retry scheduled and messages queued', async () => {
    const url = uniqueUrl();
    const client = makeClient(url, { random: () => 0 });
    await advance(MOCK_DELAY); // the first attempt fails: a retry is scheduled
    client.request('a').catch(() => undefined);
    client.send('b');
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(2);
    client.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer when a state listener closes the client as it opens', async () => {
    const url = uniqueUrl();
    startServer(url);
    const client = makeClient(url, { autoConnect: false });
    const opens = vi.fn();
    const errors = vi.fn();
    client.onOpen(opens);
    client.onError(errors);
    client.onStateChange(({ state }) => {
      if (state === 'open') client.close();
    });
    client.connect();
    await settle();
    expect(client.state).toBe('closed');
    expect(opens).not.toHaveBeenCalled();
    await advance(MOCK_DELAY); // mock-socket delivers the close
    expect(vi.getTimerCount()).toBe(0);
    await advance(60_000); // a heartbeat left behind would ping a closed transport here
    expect(errors).not.toHaveBeenCalled();
  });

  it('drops an attempt whose url resolves after close()', async () => {
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    const slowUrl = (): Promise<string> => new Promise((resolve) => setTimeout(() => { resolve(url); }, 100));
    const client = makeClient(slowUrl, { WebSocket: sockets.WebSocket });
    await advance(50);
    client.close();
    await advance(1000);
    expect(sockets.created).toEqual([]);
    expect(server.connections).toEqual([]);
    expect(client.state).toBe('closed');
  });

  it('drops the late result of an older url call once a newer attempt started', async () => {
    const browser = new FakeBrowser().install();
    const url = uniqueUrl();
    startServer(url);
    const sockets = recordSockets();
    const delays = [5000, 0];
    const source = vi.fn(
      (): Promise<string> => new Promise((resolve) => setTimeout(() => { resolve(url); }, delays.shift() ?? 0)),
    );
    const client = makeClient(source, { WebSocket: sockets.WebSocket });
    await advance(10);
    browser.goOnline(); // no attempt socket yet: the client starts a fresh attempt
    await settle();
    expect(client.state).toBe('open');
    await advance(10_000); // the first call resolves now, too late
    expect(source).toHaveBeenCalledTimes(2);
    expect(sockets.created).toHaveLength(1);
  });
});
