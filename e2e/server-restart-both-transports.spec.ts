// The companion server shuts down and comes back on the same port: a WebSocket page and a long-polling page both queue, reconnect and deliver in order.

import { clientState, clientStats, clientTransport, createPageClient, expect, pageLog, test, type TestEvents } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };
const QUEUED = 5;

test.describe('server restart, both transports', () => {
  test('messages sent while the server is down queue on both pages and reach the new server in order', async ({ companion, newSdkPage }) => {
    test.setTimeout(45_000);
    const server = await companion();
    const ws = await newSdkPage();
    const lp = await newSdkPage({ webSocket: false });
    await createPageClient(ws, server.url, { reconnect: BACKOFF });
    await createPageClient(lp, server.url, { reconnect: BACKOFF });
    await expect.poll(() => clientState(ws)).toBe('open');
    await expect.poll(() => clientState(lp)).toBe('open');
    expect(await clientTransport(ws)).toBe('websocket');
    expect(await clientTransport(lp)).toBe('long-polling');

    const say = (user: string, n: number): TestEvents['chat'] => ({ user, text: String(n) });
    for (const [page, user] of [[ws, 'ws'], [lp, 'lp']] as const) {
      await page.evaluate((message) => {
        window.client.send('chat', message);
      }, say(user, 0));
    }
    await expect.poll(() => server.payloads('chat', 1)).toHaveLength(2);

    // The app shuts its server down (`await server.close()`: 1001 to every connection) and the port goes quiet.
    const port = server.port;
    await server.stop();
    // (an attempt made while the server was closing reached it, and was refused with 503)
    const attemptsWhileUp = server.attempts.length;
    await expect.poll(() => clientState(ws)).toBe('reconnecting');
    await expect.poll(() => clientState(lp)).toBe('reconnecting');
    expect((await pageLog(ws)).reconnecting[0]?.code).toBe(1001);

    for (const [page, user] of [[ws, 'ws'], [lp, 'lp']] as const) {
      await page.evaluate(
        ([name, count]) => {
          for (let n = 1; n <= count; n++) window.client.send('chat', { user: name, text: String(n) });
        },
        [user, QUEUED] as const,
      );
      expect(await clientStats(page)).toMatchObject({ queued: QUEUED, dropped: 0 });
    }
    // Let a few retries fail against the closed port; the queues survive them.
    for (const page of [ws, lp]) await expect.poll(async () => (await pageLog(page)).reconnecting.length).toBeGreaterThanOrEqual(3);
    expect(server.attempts.length).toBe(attemptsWhileUp); // nothing reached the closed port

    await server.restart();
    expect(server.port).toBe(port);
    await expect.poll(() => clientState(ws)).toBe('open');
    await expect.poll(() => clientState(lp)).toBe('open');

    // The new server got each page's queued messages once, in order.
    const queued = (user: string): TestEvents['chat'][] => Array.from({ length: QUEUED }, (_, i) => say(user, i + 1));
    const from = (user: string): unknown[] => server.payloads('chat', 2).filter((payload) => (payload as TestEvents['chat']).user === user);
    await expect.poll(() => from('ws')).toEqual(queued('ws'));
    await expect.poll(() => from('lp')).toEqual(queued('lp'));
    expect(server.payloads('chat')).toHaveLength(2 + 2 * QUEUED);
    for (const page of [ws, lp]) expect(await clientStats(page)).toMatchObject({ queued: 0, dropped: 0, reconnects: 1 });

    // The long-polling page stays on long-polling; the WebSocket page ends on WebSocket (an
    // attempt during the outage may have opened on long-polling first; the upgrade probe then moves it).
    expect(await clientTransport(lp)).toBe('long-polling');
    await expect.poll(() => clientTransport(ws), { timeout: 15_000 }).toBe('websocket');
  });
});
