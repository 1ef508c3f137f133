// A server that refuses the page (bad credentials, disallowed Origin) is asked once: the client ends closed with the final code instead of retrying forever.

import type { Page } from '@playwright/test';
import { clientState, clientTransport, createPageClient, expect, pageLog, test, type CompanionServer } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };
/** Several backoff delays: a client that retried would have made more attempts by then. */
const RETRY_WINDOW_MS = 2_000;
const authenticate = (_request: unknown, credentials: string | undefined): boolean => credentials === 'good';

/** Ends `closed` after exactly one attempt, and says why with `code` through onStateChange (and onClose when it had opened). */
async function expectRefusedOnce(page: Page, server: CompanionServer, transport: 'websocket' | 'long-polling', code: number): Promise<void> {
  await expect.poll(() => clientState(page)).toBe('closed');
  await page.waitForTimeout(RETRY_WINDOW_MS);
  expect(await clientState(page)).toBe('closed');
  expect(server.attempts.map((attempt) => attempt.transport)).toEqual([transport]);
  expect(server.accepted).toEqual([]);
  const log = await pageLog(page);
  expect(log.reconnecting).toEqual([]);
  const last = log.stateChanges.at(-1);
  expect(last?.state).toBe('closed');
  expect(last?.reason).toContain(String(code));
  for (const close of log.closes) expect(close).toMatchObject({ code, willReconnect: false });
}

test.describe('auth refused stops retrying', () => {
  test('a WebSocket page with a refused credential ends closed with 4401 after one attempt', async ({ companion, sdkPage: page }) => {
    const server = await companion({ authenticate });
    await createPageClient(page, server.url, { auth: 'bad', reconnect: BACKOFF });
    await expectRefusedOnce(page, server, 'websocket', 4401);
  });

  test('a long-polling page with a refused credential ends closed with 4401 (HTTP 401) after one attempt', async ({ companion, newSdkPage }) => {
    const server = await companion({ authenticate });
    const page = await newSdkPage({ webSocket: false });
    await createPageClient(page, server.url, { auth: 'bad', reconnect: BACKOFF });
    await expectRefusedOnce(page, server, 'long-polling', 4401);
  });

  test('with the right credential both transports open, and the credential never appears in a URL', async ({ companion, newSdkPage }) => {
    const server = await companion({ authenticate }, (conn) => {
      conn.on('chat', (payload) => conn.send('chat', payload));
    });
    const ws = await newSdkPage();
    const lp = await newSdkPage({ webSocket: false });
    for (const page of [ws, lp]) await createPageClient(page, server.url, { auth: 'good', reconnect: BACKOFF });
    for (const page of [ws, lp]) await expect.poll(() => clientState(page)).toBe('open');
    expect(await clientTransport(ws)).toBe('websocket');
    expect(await clientTransport(lp)).toBe('long-polling');

    // Accepted means the server handed over a connection whose messages flow both ways.
    for (const page of [ws, lp]) {
      await page.evaluate(() => {
        window.client.send('chat', { user: 'ada', text: 'hello' });
      });
      await expect.poll(async () => (await pageLog(page)).chat).toEqual([{ user: 'ada', text: 'hello' }]);
    }
    expect(server.accepted.map((conn) => [conn.transport, conn.user])).toEqual(
      expect.arrayContaining([
        ['websocket', true],
        ['long-polling', true],
      ]),
    );
    expect(server.attempts).toHaveLength(2);
    for (const attempt of server.attempts) expect(attempt.url).not.toContain('good');
  });

  for (const transport of ['websocket', 'long-polling'] as const) {
    test(`a ${transport} page from a disallowed Origin ends closed with 1008 after one attempt`, async ({ companion, newSdkPage }) => {
      const server = await companion({ allowedOrigins: ['http://allowed.example'] });
      const page = await newSdkPage({ webSocket: transport === 'websocket' });
      await createPageClient(page, server.url, { reconnect: BACKOFF });
      await expectRefusedOnce(page, server, transport, 1008);
      expect(server.attempts[0]?.origin).toBe(new URL(page.url()).origin);
    });
  }
});
