// The `npm start` demo in Chromium: it connects, echoes what you send, reconnects after the server drops it, and lets two tabs chat.

import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

test.describe('demo page', () => {
  test('connects, echoes a message, and reconnects after the server drops the socket', async ({ page, demo }) => {
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(demo.url);
    const state = page.locator('#state');
    await expect(state).toHaveText('open');

    await page.locator('#text').fill('hi there');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.locator('#log li.in', { hasText: '"text":"hi there"' })).toHaveCount(1);

    await page.getByRole('button', { name: 'Ask the server to drop the connection' }).click();
    await expect(page.locator('#log li', { hasText: 'attempt 1 in' })).toHaveCount(1);
    await expect(page.locator('#reconnects')).toHaveText('1');
    await expect(state).toHaveText('open');

    // Closed on purpose: what you send waits in the queue, shown in the page, until Connect.
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(state).toHaveText('closed');
    await page.locator('#text').fill('later');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.locator('#queued')).toHaveText('1');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.locator('#log li.in', { hasText: '"text":"later"' })).toHaveCount(1);
    await expect(page.locator('#queued')).toHaveText('0');
    await expect(state).toHaveText('open');

    expect(pageErrors).toEqual([]);
  });

  test('two tabs chat through the companion server, one of them forced onto long-polling', async ({ context, demo }) => {
    const pageErrors: Error[] = [];
    const ws = await context.newPage();
    const lp = await context.newPage();
    for (const page of [ws, lp]) page.on('pageerror', (error) => pageErrors.push(error));
    await ws.goto(demo.url);
    await lp.goto(`${demo.url}?transport=long-polling`);
    for (const page of [ws, lp]) await expect(page.locator('#state')).toHaveText('open');
    // The badge beside the state says what carries the connection.
    await expect(ws.locator('#transport')).toHaveText('websocket');
    await expect(lp.locator('#transport')).toHaveText('long-polling');

    const send = async (page: Page, text: string): Promise<void> => {
      await page.locator('#text').fill(text);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
    };
    await send(ws, 'hello from the websocket tab');
    await send(lp, 'hello from the long-polling tab');
    // Each tab sees its own message come back and the other tab's message arrive.
    for (const page of [ws, lp]) {
      await expect(page.locator('#log li.in', { hasText: 'hello from the websocket tab' })).toHaveCount(1);
      await expect(page.locator('#log li.in', { hasText: 'hello from the long-polling tab' })).toHaveCount(1);
    }

    // Requests are answered over long-polling too.
    await lp.getByRole('button', { name: 'Server time' }).click();
    await expect(lp.locator('#log li', { hasText: /server time \d{4}-\d\d-\d\dT/ })).toHaveCount(1);

    // Dropping a long-polling session: the tab reconnects, still on long-polling.
    await lp.getByRole('button', { name: 'Ask the server to drop the connection' }).click();
    await expect(lp.locator('#log li', { hasText: 'connection lost (code 1012)' })).toHaveCount(1);
    await expect(lp.locator('#reconnects')).toHaveText('1');
    await expect(lp.locator('#state')).toHaveText('open');
    await expect(lp.locator('#transport')).toHaveText('long-polling');

    expect(pageErrors).toEqual([]);
  });
});
