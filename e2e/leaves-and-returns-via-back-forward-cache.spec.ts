// Leaving the page closes the connection cleanly (1000 'pagehide'); going back restores the page from the back/forward cache and the same client reconnects.
//
// What it takes to get Chromium's back/forward cache here (observed with Chromium 156, Playwright 1.65):
// - Playwright launches Chromium with `--disable-back-forward-cache`: a back navigation is then
//   always a fresh load (`type: 'back_forward'`, `notRestoredReasons: null`). This file drops that
//   one default argument and keeps the launch options of playwright.config.ts.
// - The static server sends the test page with `Cache-Control: no-store`. Chromium then keeps a
//   page that used a WebSocket out of the cache, even though the client closed it on pagehide:
//   `notRestoredReasons` lists `response-cache-control-no-store`, `websocket-used-with-ccns` and
//   `masked`. So the page goes through a small proxy in front of the static server that drops that
//   header from the HTML, and nothing else. (Rewriting the headers with `page.route` +
//   `route.fulfill` does not do: a page built from a fulfilled response could not open a WebSocket
//   to 127.0.0.1 at all, 1006 without reaching the server.)
// - A restore from the cache fires `pageshow` (persisted) but no `load`: `goBack` waits for the commit only.

import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import config from '../playwright.config';
import { clientState, clientStats, createPageClient, expect, pageLog, test as base } from './fixtures';

interface Transition {
  type: 'pagehide' | 'pageshow';
  persisted: boolean;
}

/** What the spec leaves on the page's window: it survives only if the page itself (its JS heap) comes back. */
type WatchedWindow = Window & { marker?: string; transitions?: Transition[] };

/** How the current document came to be, as the page itself reports it. */
interface Arrival {
  marker: string | undefined;
  transitions: Transition[] | undefined;
  /** The type of the document's navigation entry: a restored page keeps the one of its first load. */
  navigationType: string | undefined;
  /** Why Chromium did not restore the page from the cache (JSON), on a fresh back/forward load. */
  notRestoredReasons: string;
}

const test = base.extend<{ cacheableSite: string }>({
  /**
   * The static server's test page through a proxy on 127.0.0.1 that drops `Cache-Control` from
   * the HTML (so the page may enter the back/forward cache); everything else passes as it is.
   */
  cacheableSite: async ({ site }, use) => {
    const target = new URL(site.url);
    const proxy = createServer((req, res) => {
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const headers = { ...answer.headers };
        if (answer.headers['content-type']?.startsWith('text/html')) delete headers['cache-control'];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => {
      proxy.once('error', reject);
      proxy.listen(0, '127.0.0.1', resolve);
    });
    try {
      await use(`http://127.0.0.1:${String((proxy.address() as AddressInfo).port)}/`);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => {
        proxy.close(() => {
          resolve();
        });
      });
    }
  },
});

// Launch options are per worker: this file gets its own browser, with the cache on.
test.use({ launchOptions: { ...config.use?.launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] } });

/** Marks the page and records its pagehide/pageshow events, in the page's own JS heap. */
const watchPage = (page: Page, marker: string): Promise<void> =>
  page.evaluate((value) => {
    const win = window as WatchedWindow;
    const transitions: Transition[] = [];
    win.marker = value;
    win.transitions = transitions;
    for (const type of ['pagehide', 'pageshow'] as const) {
      addEventListener(type, (event) => transitions.push({ type, persisted: event.persisted }));
    }
  }, marker);

const arrival = (page: Page): Promise<Arrival> =>
  page.evaluate(() => {
    const win = window as WatchedWindow;
    const [entry] = performance.getEntriesByType('navigation') as (PerformanceNavigationTiming & { notRestoredReasons?: unknown })[];
    return {
      marker: win.marker,
      transitions: win.transitions?.map((transition) => ({ ...transition })),
      navigationType: entry?.type,
      notRestoredReasons: JSON.stringify(entry?.notRestoredReasons ?? null),
    };
  });

test.describe('leaves and returns via the back/forward cache', () => {
  test('closes with 1000 pagehide when the page is left, and the same client reconnects when the page comes back from the cache', async ({
    companion,
    cacheableSite,
    sdkPage: page,
  }) => {
    const closes: { id: string; code: number; reason: string }[] = [];
    const server = await companion({}, (conn) => {
      conn.onClose(({ code, reason }) => closes.push({ id: conn.id, code, reason }));
      conn.on('seq', (payload) => conn.send('seq', payload));
    });
    await page.goto(cacheableSite);
    expect(await page.evaluate(() => typeof window.EnhancedWS)).toBe('object');
    await createPageClient(page, server.url);
    await expect.poll(() => clientState(page)).toBe('open');
    await watchPage(page, 'before leaving');
    await page.evaluate(() => {
      window.client.send('seq', { n: 1 });
    });
    await expect.poll(async () => (await pageLog(page)).seq).toEqual([{ n: 1 }]);
    const [first] = server.accepted;

    // Leave for another page of the same site: the client closes its socket itself, cleanly.
    await page.goto(`${cacheableSite}?away`);
    expect((await arrival(page)).marker).toBeUndefined(); // another document
    await expect.poll(() => closes).toHaveLength(1);
    expect(closes[0]).toEqual({ id: first!.id, code: 1000, reason: 'pagehide' });
    expect(server.accepted).toHaveLength(1);

    // Back: Chromium restores the page itself (no load), with the objects it had.
    await page.goBack({ waitUntil: 'commit' });
    // Wait for either outcome: the restored page's pageshow, or a fresh load from history.
    await expect
      .poll(async () => {
        const { transitions, navigationType } = await arrival(page);
        return transitions?.length === 2 || navigationType === 'back_forward';
      })
      .toBe(true);
    const back = await arrival(page);
    expect(back, `restored from the back/forward cache (notRestoredReasons: ${back.notRestoredReasons})`).toEqual({
      marker: 'before leaving',
      transitions: [
        { type: 'pagehide', persisted: true },
        { type: 'pageshow', persisted: true },
      ],
      // A fresh load from history would be 'back_forward'; this is still the entry of the first load.
      navigationType: 'navigate',
      notRestoredReasons: 'null',
    });

    // The same client reconnects at pageshow, on a new connection, and messages round-trip again.
    await expect.poll(() => clientState(page)).toBe('open');
    expect(server.attempts).toHaveLength(2);
    expect(server.accepted).toHaveLength(2);
    await page.evaluate(() => {
      window.client.send('seq', { n: 2 });
    });
    await expect.poll(async () => (await pageLog(page)).seq).toEqual([{ n: 1 }, { n: 2 }]);
    expect(server.received.filter((item) => item.type === 'seq').map((item) => [item.connection, item.payload])).toEqual([
      [first, { n: 1 }],
      [server.accepted[1], { n: 2 }],
    ]);

    const log = await pageLog(page);
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(log.closes).toEqual([{ code: 1000, reason: 'pagehide', wasClean: true, willReconnect: true }]);
    // No backoff retry: the reconnect came from pageshow, at once.
    expect(log.reconnecting).toEqual([]);
    expect(log.opens.map((open) => open.attempt)).toEqual([0, 0]);
    expect(log.errors).toEqual([]);
    expect(await clientStats(page)).toMatchObject({ reconnects: 1, sent: 2, received: 2, queued: 0, dropped: 0 });
    expect(closes).toHaveLength(1); // the new connection is still open
  });
});
