// close() while a large upload is still leaving, then connect() at once: the new connection's first message reaches the server after the old one's last.

import { clientState, createPageClient, expect, pageLog, test } from './fixtures';

const MB = 1024 * 1024;

test.describe('close() then connect() at once, on WebSocket', () => {
  test('the message sent after connect() arrives after everything sent before close(), each once', async ({ sdkPage: page, companion, throttlingProxy }) => {
    const server = await companion({ maxPayload: 8 * MB });
    const proxy = await throttlingProxy(server.port);
    await createPageClient(page, proxy.url('/ws'), { heartbeat: false });
    await expect.poll(() => clientState(page)).toBe('open');

    proxy.uplinkBytesPerSecond = 4 * MB; // the 3 MB upload takes most of a second
    await page.evaluate(() => {
      window.client.send('chat', { user: 'big', text: 'b'.repeat(3 * 1024 * 1024) });
      window.client.send('chat', { user: 'last', text: 'before close' });
      window.client.close();
      window.client.connect();
      window.client.send('chat', { user: 'first', text: 'after connect' });
    });

    await expect.poll(() => server.received.length, { timeout: 15_000 }).toBe(3);
    const [first, second] = server.accepted;
    expect(server.received.map(({ connection, payload }) => [connection === first ? 1 : connection === second ? 2 : 0, (payload as { user: string }).user])).toEqual([
      [1, 'big'],
      [1, 'last'],
      [2, 'first'],
    ]);
    expect(await clientState(page)).toBe('open');
    expect((await pageLog(page)).errors).toEqual([]);
  });
});
