// A proxy resets the connection in the middle of a large upload: what the browser had not yet sent (its bufferedAmount) goes out again after the reconnect, once, in order.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };
const MB = 1024 * 1024;

declare global {
  interface Window {
    /** What the client's first native WebSocket read in its close event. */
    firstClose?: { code: number; wasClean: boolean; bufferedAmount: number };
  }
}

/** The messages the page sends: small ones around large ones, told apart by `user`. */
const MESSAGES = [
  { user: 'm0', bytes: 10 },
  { user: 'm1', bytes: 12 * MB },
  { user: 'm2', bytes: 10 },
  { user: 'm3', bytes: 4 * MB },
  { user: 'm4', bytes: 10 },
];

test.describe('an upload cut mid-transfer is sent again', () => {
  test('every message reaches the server exactly once, in order, when a proxy resets the connection while the browser still buffers them', async ({ sdkPage: page, companion, throttlingProxy }) => {
    const server = await companion({ maxPayload: 32 * MB });
    const proxy = await throttlingProxy(server.port);
    // Before the client exists: note what its first native socket reads when it closes.
    await page.evaluate(() => {
      window.WebSocket = new Proxy(window.WebSocket, {
        construct(target, args: ConstructorParameters<typeof WebSocket>) {
          const socket = new target(...args);
          socket.addEventListener('close', (event) => {
            window.firstClose ??= { code: event.code, wasClean: event.wasClean, bufferedAmount: socket.bufferedAmount };
          });
          return socket;
        },
      });
    });
    // No heartbeat: pings would count in stats.sent.
    await createPageClient(page, proxy.url('/ws'), { reconnect: BACKOFF, heartbeat: false });
    await expect.poll(() => clientState(page)).toBe('open');

    // A slow uplink; all five are handed to the socket at once, while open.
    proxy.uplinkBytesPerSecond = 2 * MB;
    await page.evaluate((messages) => {
      for (const { user, bytes } of messages) window.client.send('chat', { user, text: user.at(-1)!.repeat(bytes) });
    }, MESSAGES);
    // Part of m1 is through; the rest, and everything after it, is still on its way.
    await expect.poll(() => proxy.forwarded, { timeout: 10_000 }).toBeGreaterThan(MB);
    proxy.cut();
    proxy.uplinkBytesPerSecond = Infinity;

    // Once reconnected, one more: whatever the client sends again goes out before it.
    await expect.poll(() => clientStats(page).then(({ reconnects }) => reconnects), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => clientState(page)).toBe('open');
    await page.evaluate(() => {
      window.client.send('chat', { user: 'm5', text: 'after' });
    });
    await expect.poll(() => server.received.at(-1)?.payload, { timeout: 15_000 }).toEqual({ user: 'm5', text: 'after' });
    const [first, second] = server.accepted;
    expect(server.received.map(({ connection, payload }) => {
      const { user, text } = payload as { user: string; text: string };
      return { connection: connection === first ? 1 : connection === second ? 2 : 0, user, bytes: text.length, intact: text === user.at(-1)!.repeat(text.length) || text === 'after' };
    })).toEqual([
      { connection: 1, user: 'm0', bytes: 10, intact: true },
      ...MESSAGES.slice(1).map(({ user, bytes }) => ({ connection: 2, user, bytes, intact: true })),
      { connection: 2, user: 'm5', bytes: 5, intact: true },
    ]);

    // The browser counted in bufferedAmount, after the close, bytes it had never sent.
    const close = await page.evaluate(() => window.firstClose);
    expect(close).toMatchObject({ code: 1006, wasClean: false });
    expect(close?.bufferedAmount).toBeGreaterThan(4 * MB);

    const log = await pageLog(page);
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(log.reconnecting.map(({ code }) => code)).toEqual([1006]);
    expect(await clientStats(page)).toMatchObject({ sent: MESSAGES.length + 1, queued: 0, dropped: 0, reconnects: 1 });
    expect(log.errors).toEqual([]);
  });
});
