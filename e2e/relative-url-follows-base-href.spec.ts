// A relative url resolves as the browser's own `new WebSocket(url)` resolves it: against the
// document's base URL. An app under a sub-path (`<base href="/myapp/">`, as Angular and most
// sub-path deployments emit) connects to its endpoint from any deep route.

import { expect, test } from '@playwright/test';
import { startPlainApp, type PlainApp } from './fixtures/plain-app';
import { clientState } from './fixtures';

let app: PlainApp | undefined;
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window.client as typeof window.client | undefined)?.close()).catch(() => undefined);
  await app?.close();
});

test('a relative url on a deep route of an app with <base href> connects where WebSocket itself would', async ({ page }) => {
  app = await startPlainApp();
  await page.goto(`${app.origin}/myapp/rooms/42`);
  const native = await page.evaluate(() => {
    const socket = new WebSocket('ws');
    socket.close();
    return new URL(socket.url).pathname;
  });
  expect(native, 'what the browser itself makes of "ws" on this page').toBe('/myapp/ws');

  await page.evaluate(() => {
    window.client = new window.EnhancedWS.EnhancedWebSocketClient('ws', { reconnect: { initialDelay: 50, maxDelay: 100 } });
  });
  await expect.poll(() => clientState(page)).toBe('open');
  // (the native probe above may have reached the server too, at the same path)
  expect(new Set(app.upgrades)).toEqual(new Set(['/myapp/ws']));
});
