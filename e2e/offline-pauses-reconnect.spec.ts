// While the browser is offline the client does not burn retries; back online, it reconnects at once.
//
// What Chromium does under `context.setOffline(true)` (observed with Chromium 156, Playwright 1.65):
// `navigator.onLine` turns false and `offline` fires; an open WebSocket is NOT closed: its data
// frames are held in both directions and delivered after `setOffline(false)`, while a close frame
// from the server still gets through; a new WebSocket fails with 1006 without reaching the
// server; `fetch` rejects ("Failed to fetch"). So the test cuts the server side of the connection
// itself to put the client on the reconnect path while offline. Long-polling needs no help: the
// client pings on `offline`, the ping's POST fails to fetch, and that ends the session at once.

import { clientState, clientTransport, countAttempts, createPageClient, cutWebSocket, expect, pageLog, startedInPage, test } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };
/** Long enough for a client that ignored `offline` to retry several times at BACKOFF. */
const OFFLINE_MS = 2_000;

test.describe('offline pauses reconnect', () => {
  test('does not retry while offline, and reconnects as soon as the browser is back online', async ({ companion, context, sdkPage: page }) => {
    const server = await companion();
    await countAttempts(page);
    await createPageClient(page, server.url, { reconnect: BACKOFF });
    await expect.poll(() => clientState(page)).toBe('open');
    expect(await clientTransport(page)).toBe('websocket');
    expect(server.attempts).toHaveLength(1);

    await context.setOffline(true);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    // Chromium keeps the socket: the client has nothing to react to yet.
    expect(await clientState(page)).toBe('open');

    // The connection dies while offline (no close frame, as when the network goes).
    const [conn] = server.accepted;
    cutWebSocket(conn!);
    await expect.poll(() => clientState(page)).toBe('reconnecting');
    const reconnecting = (await pageLog(page)).reconnecting;
    expect(reconnecting).toHaveLength(1);
    expect(reconnecting[0]?.code).toBe(1006);

    // Proving an absence takes time: well past several backoff delays, no attempt was made. The
    // page-side count matters most: Chromium would stop an attempt before it reached the server.
    await page.waitForTimeout(OFFLINE_MS);
    expect(await clientState(page)).toBe('reconnecting');
    expect((await pageLog(page)).reconnecting).toHaveLength(1);
    expect(await startedInPage(page)).toEqual({ webSockets: 1, fetches: [] });
    expect(server.attempts).toHaveLength(1);

    // Back online: the `online` event reconnects at once (there is no retry timer left to wait for).
    await context.setOffline(false);
    await expect.poll(() => clientState(page), { timeout: 2_000 }).toBe('open');
    expect(server.attempts).toHaveLength(2);
    expect(server.accepted).toHaveLength(2);
    expect((await startedInPage(page)).webSockets).toBe(2);
    const log = await pageLog(page);
    expect(log.reconnecting).toHaveLength(1);
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  test('a long-polling page also goes quiet while offline and reconnects when back online', async ({ companion, context, newSdkPage }) => {
    const server = await companion();
    const page = await newSdkPage({ webSocket: false });
    await countAttempts(page);
    await createPageClient(page, server.url, { reconnect: BACKOFF });
    await expect.poll(() => clientState(page)).toBe('open');
    expect(await clientTransport(page)).toBe('long-polling');

    await context.setOffline(true);
    await expect.poll(() => clientState(page)).toBe('reconnecting');
    const { fetches } = await startedInPage(page);

    await page.waitForTimeout(OFFLINE_MS);
    expect(await clientState(page)).toBe('reconnecting');
    expect((await pageLog(page)).reconnecting).toHaveLength(1);
    expect((await startedInPage(page)).fetches).toEqual(fetches);
    expect(server.attempts).toHaveLength(1);

    await context.setOffline(false);
    await expect.poll(() => clientState(page), { timeout: 2_000 }).toBe('open');
    expect(server.attempts.map((attempt) => attempt.transport)).toEqual(['long-polling', 'long-polling']);
    expect((await pageLog(page)).states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });
});
