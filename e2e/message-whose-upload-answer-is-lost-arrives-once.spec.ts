// On long-polling, the connection carrying an upload drops after the server processed it (the page never gets the answer): the message reaches the server once, and the page stays on the same connection.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';
import { UploadCuttingProxy } from './fixtures/upload-cutting-proxy';

test.describe('a message whose upload answer is lost arrives once', () => {
  test('the page sends the upload again on the same session; the server app gets each message exactly once, in order, and nothing reconnects', async ({ companion, sdkPage: page }) => {
    const server = await companion();
    const proxy = await UploadCuttingProxy.start(server.port);
    try {
      await createPageClient(page, proxy.url('/ws'), { transports: ['long-polling'], heartbeat: false });
      await expect.poll(() => clientState(page)).toBe('open');

      proxy.cutNext = true;
      await page.evaluate(() => {
        window.client.send('seq', { n: 1 });
      });
      await expect.poll(() => proxy.cuts).toBe(1); // the server processed n=1; the page got a network error
      expect(server.payloads('seq')).toEqual([{ n: 1 }]);
      await page.evaluate(() => {
        window.client.send('seq', { n: 2 });
        window.client.send('seq', { n: 3 });
      });

      await expect.poll(() => server.payloads('seq')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(proxy.uploads).toEqual(['1', '1', '2']); // n=1 again under the same seq, then 2 and 3 behind it
      await page.waitForTimeout(300); // (nothing more arrives)
      expect(server.payloads('seq')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(server.accepted).toHaveLength(1);
      const log = await pageLog(page);
      expect({ closes: log.closes, reconnecting: log.reconnecting, errors: log.errors }).toEqual({ closes: [], reconnecting: [], errors: [] });
      expect(await clientState(page)).toBe('open');
      expect(await clientStats(page)).toMatchObject({ sent: 3, dropped: 0, reconnects: 0 });
    } finally {
      await proxy.close();
    }
  });
});
