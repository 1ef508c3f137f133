// The server dies under an open client; messages sent meanwhile queue, and arrive in order once it is back.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };

test.describe('reconnects and flushes the queue', () => {
  test('queues messages while the server is down and delivers them in order after it returns on the same port', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url, { reconnect: BACKOFF });
    await expect.poll(() => clientState(page)).toBe('open');
    await page.evaluate(() => {
      window.client.send('seq', { n: 0 });
    });
    await expect.poll(async () => (await pageLog(page)).seq).toEqual([{ n: 0 }]);

    // Crash the server: sockets terminated without a close frame, listener gone.
    const port = echo.port;
    await echo.stop();
    await expect.poll(() => clientState(page)).toBe('reconnecting');

    await page.evaluate(() => {
      for (let n = 1; n <= 5; n++) window.client.send('seq', { n });
    });
    expect(await clientStats(page)).toMatchObject({ queued: 5, dropped: 0 });
    // Let a few retries fail against the closed port; the queue must survive them.
    await expect.poll(async () => (await pageLog(page)).reconnecting.length).toBeGreaterThanOrEqual(3);
    expect(await clientState(page)).toBe('reconnecting');
    expect(await clientStats(page)).toMatchObject({ queued: 5 });

    await echo.restart();
    expect(echo.port).toBe(port);
    await expect.poll(() => clientState(page)).toBe('open');

    // The server got the queued messages, in order, on the new connection.
    await expect.poll(() => echo.envelopes('seq').length).toBe(6);
    expect(echo.received.filter((frame) => frame.connection === 2).map((frame) => frame.json)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ type: 'seq', payload: { n } })),
    );
    // …and echoed them back to the page, in order.
    await expect.poll(async () => (await pageLog(page)).seq).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ n })));

    const log = await pageLog(page);
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(log.opens.map((open) => open.attempt)).toEqual([0, log.reconnecting.length]);
    for (const [index, context] of log.reconnecting.entries()) {
      expect(context.attempt).toBe(index + 1);
      expect(context.delay).toBeLessThanOrEqual(BACKOFF.maxDelay);
    }
    expect(log.reconnecting[0]?.code).toBe(1006);
    expect(await clientStats(page)).toMatchObject({ queued: 0, dropped: 0, reconnects: 1, sent: 6, received: 6 });
  });

  test('a request sent while disconnected waits in the queue and resolves after the reconnect', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url, { reconnect: BACKOFF, requestTimeout: 15_000 });
    await expect.poll(() => clientState(page)).toBe('open');

    await echo.stop();
    await expect.poll(() => clientState(page)).toBe('reconnecting');
    await page.evaluate(() => {
      window.client.send('count', 1);
      (window as Window & { pending?: Promise<number[]> }).pending = window.client.request('sum', [2, 3]);
      window.client.send('count', 2);
    });
    expect(await clientStats(page)).toMatchObject({ queued: 3 });

    await echo.restart();
    const reply = await page.evaluate(() => (window as Window & { pending?: Promise<number[]> }).pending);
    expect(reply).toEqual([2, 3]);
    await expect.poll(() => echo.received.map((frame) => (frame.json as { type: string }).type)).toEqual(['count', 'sum', 'count']);
    await expect.poll(async () => (await pageLog(page)).count).toEqual([1, 2]);
  });

  test('does not reconnect after close(), and keeps the queue for a later connect()', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url, { reconnect: BACKOFF });
    await expect.poll(() => clientState(page)).toBe('open');

    await page.evaluate(() => {
      window.client.close();
      window.client.send('count', 1);
    });
    expect(await clientState(page)).toBe('closed');
    await expect.poll(() => echo.clientCount).toBe(0);
    // Well past several backoff delays: still closed, nothing sent.
    await page.waitForTimeout(4 * BACKOFF.maxDelay);
    expect(await clientState(page)).toBe('closed');
    expect(echo.clientCount).toBe(0);
    expect(await clientStats(page)).toMatchObject({ queued: 1 });

    await page.evaluate(() => {
      window.client.connect();
    });
    await expect.poll(async () => (await pageLog(page)).count).toEqual([1]);
    expect(await clientState(page)).toBe('open');
  });
});
