// The dashboard example (examples/dashboard) in Chromium: live metrics and their chart, the heartbeat's round trip, and the connection through a server restart.

import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/examples-server';

/** Reconnecting takes one backoff delay after the server is back (under 2 s for the first retries). */
const RECONNECT = { timeout: 15_000 };

const samples = async (page: Page): Promise<number> => Number(await page.locator('#samples').textContent());
const cpuLine = (page: Page) => page.locator('#cpu-chart polyline').getAttribute('points');

test.describe('dashboard example', () => {
  test('draws the metrics the server pushes, shows the round trip, and goes live again after a restart', async ({ examples, openPage }, testInfo) => {
    const page = await openPage(examples.url('/dashboard/'));
    const badge = page.locator('#badge');
    await expect(badge).toHaveAttribute('data-state', 'open');
    await expect(badge).toHaveText('Live');

    // The fixture's server pushes a sample every 250 ms: the numbers and the chart move.
    await expect.poll(() => samples(page)).toBeGreaterThanOrEqual(1);
    const first = await samples(page);
    const firstLine = await cpuLine(page);
    await expect.poll(() => samples(page)).toBeGreaterThanOrEqual(first + 2);
    expect(await cpuLine(page)).not.toEqual(firstLine);
    await expect(page.locator('#cpu')).toHaveText(/^\d+\.\d %$/);
    await expect(page.locator('#heap')).toHaveText(/^\d+\.\d MB$/);
    await expect(page.locator('#connections')).toHaveText('1');
    // The first heartbeat ping goes out 2 s after open; its pong sets stats.rttMs.
    await expect(page.locator('#rtt')).toHaveText(/^\d+ ms$/, { timeout: 10_000 });
    await expect.poll(() => samples(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(20); // a chart worth looking at
    await expect(page.locator('#memory-chart polyline')).toHaveCount(2); // RSS and heap
    await page.screenshot({ path: testInfo.outputPath('dashboard-1-live.png'), fullPage: true });

    await examples.stop();
    await expect(badge).toHaveAttribute('data-state', 'reconnecting');
    await expect(badge).toHaveText(/^Reconnecting in \d+ s$/);
    await expect(page.locator('body')).toHaveAttribute('data-live', 'false');
    const before = await samples(page);
    await page.screenshot({ path: testInfo.outputPath('dashboard-2-reconnecting.png'), fullPage: true });

    await examples.restart();
    await expect(badge).toHaveText('Live', RECONNECT);
    await expect.poll(() => samples(page)).toBeGreaterThanOrEqual(before + 2);
    await expect(page.locator('body')).toHaveAttribute('data-live', 'true');
    await expect(page.locator('#connections')).toHaveText('1');
    // On a phone the tiles and charts stack.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: testInfo.outputPath('dashboard-3-phone.png'), fullPage: true });
  });

  test.describe('on a server that pushes metrics to every connection', () => {
    test.use({ examplesOptions: { metricsRoom: undefined } });

    test('draws the samples all the same', async ({ examples, openPage }) => {
      const page = await openPage(examples.url('/dashboard/'));
      await expect(page.locator('#badge')).toHaveText('Live');
      await expect.poll(() => samples(page)).toBeGreaterThanOrEqual(3);
      await expect(page.locator('#cpu-chart')).toHaveAttribute('data-points', /^([3-9]|\d\d)$/);
    });
  });
});
