// A plain (non-companion) WebSocket app behind one origin restarts: the reverse proxy refuses two
// upgrades, and the app's CSRF filter answers the long-polling handshake 403. That 403 is not a
// verdict on the page (the app never spoke long-polling): the client gets back on WebSocket.

import { clientState, clientTransport, createPageClient, expect, pageLog, test } from './fixtures';
import { startPlainApp, type PlainApp } from './fixtures/plain-app';

let app: PlainApp | undefined;
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window.client as typeof window.client | undefined)?.close()).catch(() => undefined);
  await app?.close();
});

test('gets back on WebSocket after a restart, though the app answers its long-polling POST 403', async ({ page }) => {
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  app = await startPlainApp({ refuseUpgrades: 2, otherStatus: 403 });
  await page.goto(`${app.origin}/myapp/`);
  await expect.poll(() => page.evaluate(() => typeof window.EnhancedWS)).toBe('object');
  // Absolute, same origin: the long-polling POST reaches the app itself, as behind one proxy.
  await createPageClient(page, `${app.origin.replace(/^http/, 'ws')}/myapp/ws`, { reconnect: { initialDelay: 50, maxDelay: 100 } });

  const { requests, upgrades } = app;
  const polling = (): string[] => requests.filter((request) => request.includes('transport=polling')); // (not the favicon)
  await expect.poll(polling, { message: 'the long-polling handshake reached the app, and was refused' }).toEqual(['POST /myapp/ws?transport=polling']);
  const story = async (): Promise<string> =>
    `${await clientState(page)}: ${(await pageLog(page)).stateChanges.map(({ state, reason }) => `${state} (${reason})`).join(' > ')}`;
  await expect.poll(story, { timeout: 3000 }).toMatch(/^open/);
  expect(await clientTransport(page)).toBe('websocket');
  expect(upgrades).toEqual(['/myapp/ws', '/myapp/ws', '/myapp/ws']);
  const { reconnecting } = await pageLog(page);
  expect(reconnecting.map(({ code }) => code), 'two refused upgrades, then the refused handshake: all an outage').toEqual([1006, 1006, 1006]);
  expect(reconnecting[2]?.reason).toBe('HTTP 403');
  await expect.poll(async () => (await pageLog(page)).messages).toEqual([{ type: 'hello', payload: 'plain server' }]);
  expect(pageErrors, 'uncaught errors in the page').toEqual([]);
});
