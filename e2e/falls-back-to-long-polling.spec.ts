// A proxy refuses (or swallows) WebSocket upgrades: the page falls back to long-polling, then moves to WebSocket once the proxy lets upgrades through, losing nothing.

import { clientState, clientStats, clientTransport, createPageClient, expect, pageLog, test, type TestEvents } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };
/** The client probes WebSocket in the background with backoff: allow it this long to move over. */
const UPGRADE_WITHIN_MS = 15_000;

declare global {
  interface Window {
    /** The numbered stream the page sends: `stream.stop()` ends it and says how many it sent. */
    stream?: { stop(): number };
  }
}

test.describe('falls back to long-polling', () => {
  test('behind a proxy that refuses upgrades, the page talks over long-polling, then moves to WebSocket without losing or reordering a message', async ({ companion, upgradeBlockingProxy: startProxy, sdkPage: page }) => {
    test.setTimeout(60_000);
    // One reply per message, on the connection it came from.
    const server = await companion({}, (conn) => {
      conn.on('seq', (payload) => conn.send('seq', payload));
    });
    const proxy = await startProxy(server.port);
    await createPageClient(page, proxy.url('/ws'), { reconnect: BACKOFF });

    await expect.poll(() => clientTransport(page)).toBe('long-polling');
    await expect.poll(() => clientState(page)).toBe('open');
    expect(proxy.refusedUpgrades).toBeGreaterThanOrEqual(2);
    expect((await clientStats(page)).fallbackReason).toEqual(expect.any(String));
    expect(server.accepted.map((conn) => conn.transport)).toEqual(['long-polling']);

    // A numbered message every 20 ms, across the move.
    await page.evaluate(() => {
      let sent = 0;
      const timer = setInterval(() => {
        window.client.send('seq', { n: ++sent });
      }, 20);
      window.stream = {
        stop() {
          clearInterval(timer);
          return sent;
        },
      };
    });
    await expect.poll(() => server.payloads('seq').length).toBeGreaterThanOrEqual(20);
    const before = await pageLog(page);
    const reconnectsBefore = (await clientStats(page)).reconnects;

    proxy.allowUpgrades = true;
    await expect.poll(() => clientTransport(page), { timeout: UPGRADE_WITHIN_MS }).toBe('websocket');
    expect(proxy.tunnelledUpgrades).toBeGreaterThanOrEqual(1);
    expect(server.probes.length).toBeGreaterThanOrEqual(1);
    // Keep talking for a while on the new transport, then stop.
    const movedAt = server.received.length;
    await expect.poll(() => server.received.length - movedAt).toBeGreaterThanOrEqual(20);
    const total = await page.evaluate(() => window.stream?.stop() ?? 0);

    // The server got every message exactly once, in order: first over long-polling, then over WebSocket.
    const numbers: TestEvents['seq'][] = Array.from({ length: total }, (_, i) => ({ n: i + 1 }));
    await expect.poll(() => server.payloads('seq')).toEqual(numbers);
    const transports = server.received.map((item) => item.transport);
    const firstWebSocket = transports.indexOf('websocket');
    expect(firstWebSocket).toBeGreaterThan(0);
    expect(transports.slice(0, firstWebSocket).every((name) => name === 'long-polling')).toBe(true);
    expect(transports.slice(firstWebSocket).every((name) => name === 'websocket')).toBe(true);

    // Server code saw one connection throughout: the move kept its identity (rooms, handlers, user).
    expect(server.accepted).toHaveLength(1);
    expect(new Set(server.received.map((item) => item.connection.id))).toEqual(new Set([server.accepted[0]?.id]));

    // The page got every reply exactly once, in order.
    await expect.poll(async () => (await pageLog(page)).seq).toEqual(numbers);

    // The move happened under an open connection: the one state change announces the new
    // transport (open → open), with no reconnect; nothing queued, dropped or failed.
    const log = await pageLog(page);
    expect(log.stateChanges.slice(before.stateChanges.length)).toEqual([expect.objectContaining({ state: 'open', previous: 'open', transport: 'websocket' })]);
    expect(log.reconnecting).toHaveLength(before.reconnecting.length);
    expect(await clientState(page)).toBe('open');
    expect(await clientStats(page)).toMatchObject({ reconnects: reconnectsBefore, queued: 0, dropped: 0, expired: 0, malformed: 0 });
    expect(log.errors.filter((error) => !error.startsWith('EnhancedWsError: enhanced-ws: websocket error'))).toEqual([]);
  });

  test('behind a proxy that swallows upgrades (no answer at all), the page gives up on each hung handshake after connectTimeout, talks over long-polling, then moves to WebSocket', async ({ companion, upgradeBlockingProxy: startProxy, sdkPage: page }) => {
    test.setTimeout(60_000);
    const server = await companion({}, (conn) => {
      conn.on('seq', (payload) => conn.send('seq', payload));
    });
    const proxy = await startProxy(server.port);
    proxy.swallowUpgrades = true;
    await createPageClient(page, proxy.url('/ws'), { reconnect: BACKOFF, connectTimeout: 500 });

    await expect.poll(() => clientTransport(page)).toBe('long-polling');
    await expect.poll(() => clientState(page)).toBe('open');
    const log = await pageLog(page);
    // One WebSocket attempt hung and was abandoned with 4008: a hang (unlike a refusal) gives long-polling the next turn.
    expect(log.reconnecting.map((context) => [context.code, context.reason])).toEqual([[4008, 'connect timeout']]);
    expect((await clientStats(page)).fallbackReason).toMatch(/handshake hung past connectTimeout/);
    await page.evaluate(() => {
      window.client.send('seq', { n: 1 });
    });
    await expect.poll(async () => (await pageLog(page)).seq).toEqual([{ n: 1 }]);

    // The upgrade probes hang too: each is given up (Chromium drops the socket) and the next one tried.
    await expect.poll(() => proxy.swallowedUpgrades).toBeGreaterThanOrEqual(4);
    await expect.poll(() => proxy.swallowed.size).toBeLessThanOrEqual(1);
    expect(await clientState(page)).toBe('open');

    proxy.allowUpgrades = true;
    await expect.poll(() => clientTransport(page), { timeout: UPGRADE_WITHIN_MS }).toBe('websocket');
    await page.evaluate(() => {
      window.client.send('seq', { n: 2 });
    });
    await expect.poll(async () => (await pageLog(page)).seq).toEqual([{ n: 1 }, { n: 2 }]);
    expect(server.payloads('seq')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(server.accepted).toHaveLength(1); // one connection, moved, never dropped
    expect(await clientStats(page)).toMatchObject({ reconnects: 0, dropped: 0, malformed: 0 });
  });
});
