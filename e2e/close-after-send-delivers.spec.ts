// close() right after send(): the server gets the message, then the close with the client's code, on WebSocket and on long-polling.

import { clientState, clientStats, countAttempts, createPageClient, expect, pageLog, startedInPage, test } from './fixtures';

const CLOSE = { code: 4100, reason: 'done' };
/** Long-polling uploads are held this long in the browser, as on a slow uplink: close() comes while one is in flight or about to be. */
const UPLOAD_DELAY_MS = 300;

/**
 * How the page calls them: one right after the other, at the start of a task or in a continuation
 * after an `await`; or with an `await` between them (on long-polling, the upload has started by then).
 */
const TIMINGS = [
  { name: 'in the same task', awaitBefore: false, awaitBetween: false },
  { name: 'after an await', awaitBefore: true, awaitBetween: false },
  { name: 'with an await between them', awaitBefore: false, awaitBetween: true },
] as const;

for (const transport of ['websocket', 'long-polling'] as const) {
  test.describe(`close() after send() delivers, on ${transport}`, () => {
    for (const { name, awaitBefore, awaitBetween } of TIMINGS) {
      test(`send('bye') then close(${String(CLOSE.code)}) ${name}: the server's connection gets 'bye', then its close with that code`, async ({ companion, sdkPage: page }) => {
        const seen: unknown[] = [];
        const server = await companion({}, (conn) => {
          conn.on('bye', (payload) => seen.push({ bye: payload }));
          conn.onClose(({ code, reason }) => seen.push({ close: code, reason }));
        });
        await countAttempts(page);
        if (transport === 'long-polling') {
          await page.route(
            (url) => url.searchParams.has('sid'),
            async (route) => {
              if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, UPLOAD_DELAY_MS));
              // (Rejects when the page aborted the request meanwhile: then it never reaches the server.)
              await route.continue().catch(() => undefined);
            },
          );
        }
        await createPageClient(page, server.url, { transports: [transport], heartbeat: false });
        await expect.poll(() => clientState(page)).toBe('open');
        expect(server.accepted.map((conn) => conn.transport)).toEqual([transport]);

        const uploadsBeforeClose = await page.evaluate(
          async ([before, between, { code, reason }]) => {
            if (before) await Promise.resolve();
            window.client.send('bye', 'see you');
            if (between) await Promise.resolve();
            const uploads = (window.started?.fetches ?? []).filter((fetch) => fetch.startsWith('POST') && fetch.includes('sid=')).length;
            window.client.close(code, reason);
            return uploads;
          },
          [awaitBefore, awaitBetween, CLOSE] as const,
        );
        // On long-polling, the await let the upload start: close() must not abort it. Without it, close() must still send it.
        expect(uploadsBeforeClose).toBe(transport === 'long-polling' && awaitBetween ? 1 : 0);

        await expect.poll(() => seen).toEqual([{ bye: 'see you' }, { close: CLOSE.code, reason: CLOSE.reason }]);
        expect(server.accepted).toHaveLength(1);

        expect(await clientState(page)).toBe('closed');
        expect(await clientStats(page)).toMatchObject({ sent: 1, queued: 0, dropped: 0 });
        const log = await pageLog(page);
        expect(log.closes).toEqual([expect.objectContaining({ ...CLOSE, wasClean: true, willReconnect: false })]);
        expect(log.errors).toEqual([]);
        if (transport === 'long-polling') {
          // Polls aside: the handshake, one upload carrying 'bye', then the DELETE.
          const { fetches } = await startedInPage(page);
          expect(fetches.filter((fetch) => !fetch.startsWith('GET')).map((fetch) => fetch.split(' ')[0])).toEqual(['POST', 'POST', 'DELETE']);
        }
      });
    }
  });
}
