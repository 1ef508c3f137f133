// The `npm start` demo in Chromium: it connects, echoes what you send, and reconnects after the server drops it.

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
});
