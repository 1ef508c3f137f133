// The link stops taking bytes mid-upload, the heartbeat gives up and the client reconnects; the old connection then dies: what the browser never transmitted goes out first on the new one, once, in order.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';

const MB = 1024 * 1024;

test.describe('messages stuck on a dead link', () => {
  test('go out first on the connection the heartbeat reconnected to, each once, in order', async ({ sdkPage: page, companion, throttlingProxy }) => {
    const server = await companion({ maxPayload: 32 * MB });
    const proxy = await throttlingProxy(server.port);
    // A long first retry delay: the old connection dies (below) before the new one starts.
    await createPageClient(page, proxy.url('/ws'), { heartbeat: { interval: 500, timeout: 1000 }, reconnect: { initialDelay: 3000, jitter: 0 } });
    await expect.poll(() => clientState(page)).toBe('open');

    proxy.uplinkBytesPerSecond = 0; // the link takes (next to) nothing: writes pile up in the browser
    await page.evaluate(() => {
      window.client.send('chat', { user: 'big', text: 'b'.repeat(12 * 1024 * 1024) });
      window.client.send('chat', { user: 'a', text: 'behind it' });
    });
    await page.waitForTimeout(700); // the heartbeat's ping goes behind them
    await page.evaluate(() => {
      window.client.send('chat', { user: 'c', text: 'the buffer grew' });
    });
    await expect.poll(() => clientState(page), { timeout: 5000 }).toBe('reconnecting'); // heartbeat timeout, 4000
    proxy.cut(); // the old connection dies with most of it untransmitted
    proxy.uplinkBytesPerSecond = Infinity;

    await expect.poll(() => server.received.length, { timeout: 20_000 }).toBe(3);
    const second = server.accepted[1];
    expect(server.received.map(({ connection, payload }) => [connection === second ? 2 : 1, (payload as { user: string }).user])).toEqual([
      [2, 'big'],
      [2, 'a'],
      [2, 'c'],
    ]);
    const log = await pageLog(page);
    expect(log.reconnecting.map(({ code }) => code)).toEqual([4000]);
    expect(log.errors).toEqual([]);
    expect(await clientStats(page)).toMatchObject({ dropped: 0, queued: 0 });
  });
});
