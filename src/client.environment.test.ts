// EnhancedWebSocketClient in a (stubbed) browser: offline/online, background tabs, visibility, back/forward cache.
import { describe, expect, it, vi } from 'vitest';
import type { CloseContext, ReconnectingContext } from './lifecycle.js';
import {
  FakeBrowser,
  MOCK_DELAY,
  advance,
  collect,
  makeClient,
  openClient,
  recordSockets,
  settle,
  startServer,
  uniqueUrl,
  useHarness,
} from './test-utils.js';

useHarness();

const pings = (frames: { type: string }[]): number => frames.filter((frame) => frame.type === 'ping').length;

describe('EnhancedWebSocketClient offline', () => {
  it('makes no attempt and runs no timer while offline, then connects at once on online', async () => {
    const browser = new FakeBrowser().install();
    browser.onLine = false;
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    const client = makeClient(url, { WebSocket: sockets.WebSocket });
    expect(client.state).toBe('connecting');
    expect(vi.getTimerCount()).toBe(0);
    await advance(120_000);
    expect(sockets.created).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    browser.goOnline();
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('makes no attempt when the browser went offline while url() resolved, then connects on online', async () => {
    const browser = new FakeBrowser().install();
    const url = uniqueUrl();
    const server = startServer(url);
    const sockets = recordSockets();
    let resolveUrl: (value: string) => void = () => undefined;
    let calls = 0;
    // The first url() resolves when the test says; later ones at once.
    const client = makeClient(() => (calls++ === 0 ? new Promise<string>((resolve) => { resolveUrl = resolve; }) : url), { WebSocket: sockets.WebSocket });
    browser.goOffline();
    resolveUrl(url);
    await advance(120_000);
    expect(sockets.created).toEqual([]);
    expect(vi.getTimerCount()).toBe(0); // (no connect timer left to fire 4008 while offline)
    expect(client.state).toBe('connecting');
    browser.goOnline();
    await settle();
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('goes quiet when the connection drops while offline, and retries at once on online', async () => {
    const browser = new FakeBrowser().install();
    const { client, server, sockets } = await openClient({ random: () => 0 });
    const reconnecting = collect<ReconnectingContext>();
    client.onReconnecting(reconnecting.push);
    browser.goOffline();
    server.kill();
    await advance(MOCK_DELAY);
    expect(client.state).toBe('reconnecting');
    expect(reconnecting.items).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    await advance(120_000);
    expect(sockets.created).toHaveLength(1);
    browser.goOnline();
    await settle();
    expect(client.state).toBe('open');
    expect(sockets.created).toHaveLength(2);
  });

  it('cancels a retry already scheduled when the browser goes offline', async () => {
    const browser = new FakeBrowser().install();
    const url = uniqueUrl();
    const sockets = recordSockets();
    const client = makeClient(url, { WebSocket: sockets.WebSocket, random: () => 0, reconnect: { initialDelay: 10_000 } });
    await advance(MOCK_DELAY); // the first attempt fails: a retry in 10 s
    expect(client.state).toBe('reconnecting');
    browser.goOffline();
    await advance(60_000);
    expect(sockets.created).toHaveLength(1);
    startServer(url);
    browser.goOnline(); // no need to wait out the 10 s
    await settle();
    expect(client.state).toBe('open');
  });

  it('probes an open connection when the browser says offline and again when it says online', async () => {
    const browser = new FakeBrowser().install();
    const { client, sockets } = await openClient({}, { answerPings: true });
    browser.goOffline();
    expect(pings(sockets.sent())).toBe(1);
    await advance(MOCK_DELAY); // the pong
    browser.goOnline();
    expect(pings(sockets.sent())).toBe(2);
    expect(client.state).toBe('open');
  });
});

describe('EnhancedWebSocketClient in a background tab', () => {
  it('does not reconnect when a throttled timer fires 70 s late while frames kept arriving', async () => {
    const { client, server, sockets } = await openClient({ random: () => 0 });
    const closes = vi.fn();
    client.onClose(closes);
    await advance(25_000 + MOCK_DELAY); // a ping leaves and lands; this server never answers pings
    expect(pings(sockets.sent())).toBe(1);
    expect(vi.getTimerCount()).toBe(1); // only the heartbeat's check is pending
    // Chrome throttles the tab: the clock runs 70 s on in one jump with no timer firing, frames still arrive.
    vi.setSystemTime(Date.now() + 30_000);
    server.send('news', 1);
    vi.setSystemTime(Date.now() + 40_000);
    server.send('news', 2);
    await vi.advanceTimersToNextTimerAsync(); // the heartbeat's check finally runs
    expect(client.state).toBe('open');
    expect(closes).not.toHaveBeenCalled();
    expect(sockets.created).toHaveLength(1);
    expect(pings(sockets.sent())).toBe(2); // the interval had long passed: it pinged at once
  });

  it('does reconnect when the late timer finds nothing arrived since the ping', async () => {
    const { client, sockets } = await openClient({ random: () => 0 });
    const closes = collect<CloseContext>();
    client.onClose(closes.push);
    await advance(25_000 + MOCK_DELAY);
    vi.setSystemTime(Date.now() + 70_000);
    await vi.advanceTimersToNextTimerAsync();
    expect(closes.items).toEqual([expect.objectContaining({ code: 4000, willReconnect: true })]);
    await advance(1000);
    await settle();
    expect(client.state).toBe('open');
    expect(sockets.created).toHaveLength(2);
  });

  it('probes at once when the tab becomes visible: a ping is sent', async () => {
    const browser = new FakeBrowser().install();
    const { sockets } = await openClient();
    browser.setVisibility('hidden');
    await advance(10_000);
    expect(pings(sockets.sent())).toBe(0);
    browser.setVisibility('visible');
    expect(pings(sockets.sent())).toBe(1);
  });

  it('declares the connection dead at once when the tab becomes visible long after an unanswered ping', async () => {
    const browser = new FakeBrowser().install();
    const { client, server } = await openClient({ random: () => 0 });
    await advance(25_000); // ping out, no answer
    browser.setVisibility('hidden');
    vi.setSystemTime(Date.now() + 60_000); // the tab slept; its timers did not run
    browser.setVisibility('visible');
    expect(client.state).toBe('reconnecting');
    await advance(MOCK_DELAY);
    expect(server.closes).toEqual([4000]);
  });
});

describe('EnhancedWebSocketClient and the back/forward cache', () => {
  it('closes cleanly on pagehide, stays away, and reconnects on pageshow', async () => {
    const browser = new FakeBrowser().install();
    const { client, server, sockets } = await openClient({ random: () => 0 });
    const closes = collect<CloseContext>();
    client.onClose(closes.push);
    browser.pagehide();
    expect(closes.items).toEqual([expect.objectContaining({ code: 1000, wasClean: true })]);
    await advance(MOCK_DELAY);
    expect(server.closes).toEqual([1000]);
    expect(server.openCount).toBe(0);
    client.send('m', 'while hidden');
    await advance(120_000);
    expect(sockets.created).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    browser.goOnline(); // even an online event does not wake a suspended page
    await advance(1000);
    expect(sockets.created).toHaveLength(1);
    browser.pageshow();
    await settle();
    expect(client.state).toBe('open');
    expect(sockets.created).toHaveLength(2);
    expect(sockets.created[1]?.sent).toEqual(['{"type":"m","payload":"while hidden"}']);
  });

  it('attaches its browser listeners on connect and removes them all on close', async () => {
    const browser = new FakeBrowser().install();
    const url = uniqueUrl();
    startServer(url);
    const client = makeClient(url, { autoConnect: false });
    expect(browser.listenerCount).toBe(0);
    client.connect();
    expect(browser.listenerCount).toBe(5);
    await settle();
    client.close();
    expect(browser.listenerCount).toBe(0);
    expect(browser.window.added).toBe(browser.window.removed);
    expect(browser.document.added).toBe(browser.document.removed);
  });

  it('removes its browser listeners when it gives up on its own', async () => {
    const browser = new FakeBrowser().install();
    const { client, server } = await openClient();
    server.kill(4401);
    await advance(MOCK_DELAY);
    expect(client.state).toBe('closed');
    expect(browser.listenerCount).toBe(0);
  });
});
