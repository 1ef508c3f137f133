// The app closes while the browser still sends a large upload, and a proxy then resets the connection: what never reached the server is reported, not lost without a word.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';

const MB = 1024 * 1024;

/** Sent at once while open: a small one, then large ones the slow uplink is still carrying when close() comes. */
const MESSAGES = [
  { user: 'm0', bytes: 10 },
  { user: 'm1', bytes: 12 * MB },
  { user: 'm2', bytes: 10 },
  { user: 'm3', bytes: 4 * MB },
];

test.describe('an upload cut after close()', () => {
  test('each message either reached the server or is reported as not delivered after close(), none both', async ({ sdkPage: page, companion, throttlingProxy }) => {
    const server = await companion({ maxPayload: 32 * MB });
    const proxy = await throttlingProxy(server.port);
    await createPageClient(page, proxy.url('/ws'), { heartbeat: false });
    await expect.poll(() => clientState(page)).toBe('open');

    proxy.uplinkBytesPerSecond = 2 * MB;
    await page.evaluate((messages) => {
      for (const { user, bytes } of messages) window.client.send('chat', { user, text: user.at(-1)!.repeat(bytes) });
    }, MESSAGES);
    await expect.poll(() => proxy.forwarded, { timeout: 10_000 }).toBeGreaterThan(MB);
    await page.evaluate(() => {
      window.client.close();
    });
    expect(await clientState(page)).toBe('closed');
    expect((await pageLog(page)).errors).toEqual([]); // the buffer may still go out before the close frame
    proxy.cut();

    const reported = (): Promise<string[]> => pageLog(page).then(({ errors }) => errors);
    await expect.poll(reported, { timeout: 10_000 }).not.toEqual([]);
    const received = server.received.map(({ payload }) => (payload as { user: string }).user);
    expect(received).toEqual(['m0']); // m1 was cut halfway: the server got nothing after m0
    expect(await reported()).toEqual(
      ['m1', 'm2', 'm3'].map(() => 'ConnectionClosedError: enhanced-ws: "chat" was not sent: not delivered after close()'),
    );
    expect(await clientStats(page)).toMatchObject({ sent: 1, dropped: 3, queued: 0 });
  });
});
