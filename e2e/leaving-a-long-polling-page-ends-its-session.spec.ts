// Leaving a page on long-polling ends its session at once: the server's connection closes with 1000 'pagehide', even while an upload is in flight, or with the app's code when close() came first and was still waiting for the upload.
//
// The page is left in two ways. Navigating away: Chromium cancels the held upload while the
// page's script still runs, so a client whose DELETE waited for the upload sent it then anyway.
// Closing the tab: nothing of the page runs after pagehide, so only a DELETE sent at pagehide
// gets out; a client waiting for the upload never sent one, and the session expired (1006).
//
// The slow uplink is a proxy in front of the companion server, not `page.route`: with any route
// in place (page or context, even one matching nothing), the `keepalive` DELETE the page sends
// while it unloads reaches neither the route handler nor the server, and the session only
// expires (observed with Chromium 156, Playwright 1.65.1). Without a route it arrives at once.

import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveEach } from './fixtures/serve';
import type { Page } from '@playwright/test';
import { clientState, clientTransport, createPageClient, expect, test as base } from './fixtures';

/** Far longer than any wait here: only the page's DELETE can close the connection in time, not an expiry (1006). */
const SESSION_TIMEOUT_MS = 20_000;
/** How long the slow uplink holds each upload before passing it on: the page is left while one is held. */
const UPLOAD_DELAY_MS = 3_000;
/** How soon after the page is left the server must see the close: the DELETE leaves at pagehide. */
const CLOSE_WITHIN_MS = 2_000;

/** What became of an upload the slow uplink held: the browser gave up on it (closed the request) first, or it was passed on. */
type UploadFate = 'abandoned by the browser' | 'passed on';

interface SlowUplink {
  /** Where the page connects: the companion server's `/ws`, through the proxy. */
  readonly url: string;
  /** The requests that reached the proxy, in order: `POST handshake`, `POST upload`, or the method alone. */
  readonly requests: string[];
  /** What became of each upload held, in order. */
  readonly uploads: UploadFate[];
  close(): Promise<void>;
}

const hasSid = (req: IncomingMessage): boolean => new URL(req.url ?? '/', 'http://localhost').searchParams.has('sid');

/**
 * A proxy on 127.0.0.1, port 0, in front of a companion server's port that holds each
 * long-polling upload (a POST with a session id) for `UPLOAD_DELAY_MS` before passing it on, as
 * a slow uplink would; the handshake POST, polls, preflights and DELETEs pass at once. An upload
 * the browser abandons while held is not passed on; a request the browser closes is cut upstream.
 */
async function startSlowUplink(targetPort: number): Promise<SlowUplink> {
  const requests: string[] = [];
  const uploads: UploadFate[] = [];
  const held = new Set<NodeJS.Timeout>();
  const proxy = createServer((req, res) => {
    const upload = req.method === 'POST' && hasSid(req);
    requests.push(req.method === 'POST' ? `POST ${upload ? 'upload' : 'handshake'}` : (req.method ?? ''));
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      const pass = (): void => {
        const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => {
          if (res.headersSent) res.destroy();
          else res.writeHead(502).end();
        });
        res.on('close', () => upstream.destroy()); // (after the answer: a no-op)
        upstream.end(Buffer.concat(body));
      };
      if (!upload) {
        pass();
        return;
      }
      const timer = setTimeout(() => {
        held.delete(timer);
        uploads.push('passed on');
        pass();
      }, UPLOAD_DELAY_MS);
      held.add(timer);
      res.on('close', () => {
        if (!held.delete(timer)) return;
        clearTimeout(timer);
        uploads.push('abandoned by the browser');
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `ws://127.0.0.1:${String((proxy.address() as AddressInfo).port)}/ws`,
    requests,
    uploads,
    close: () => {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      proxy.closeAllConnections();
      return new Promise((resolve) => {
        proxy.close(() => {
          resolve();
        });
      });
    },
  };
}

const test = base.extend<{ slowUplink: (targetPort: number) => Promise<SlowUplink> }>({
  /** Starts a slow uplink in front of a port; each one is closed after the test. */
  // eslint-disable-next-line no-empty-pattern
  slowUplink: ({}, use) => serveEach(startSlowUplink, use, (uplink) => uplink.close()),
});

/** Ways to leave the page; each fires pagehide. */
const LEAVING = [
  { how: 'navigating to another page', leave: (page: Page) => page.goto('about:blank') },
  { how: 'closing the tab', leave: (page: Page) => page.close() },
] as const;

/**
 * What the page does: nothing, send (the upload is held), send then close() before leaving (its
 * DELETE waits for the upload), or send and close() in its own pagehide listener, added before
 * the client's (that event reaches no listener the client adds then).
 */
const BEFORE = [
  { uploading: false, close: 'no', name: `with nothing in flight: the server's connection closes with 1000 'pagehide' at once` },
  {
    uploading: true,
    close: 'no',
    name: `with an upload in flight: the server's connection closes with 1000 'pagehide' at once, without waiting for the upload, which the browser abandons`,
  },
  {
    uploading: true,
    close: 'first',
    name: `right after close(4100, 'bye') with an upload in flight: the server's connection closes with the app's code at once, not when the session expires`,
  },
  {
    uploading: true,
    close: 'in its pagehide listener',
    name: `with close(4100, 'bye') in the app's pagehide listener and an upload in flight: the server's connection closes with the app's code at once`,
  },
] as const;

for (const { how, leave } of LEAVING) {
  test.describe(`leaving a long-polling page by ${how} ends its session`, () => {
    for (const { uploading, close, name } of BEFORE) {
      test(name, async ({ companion, slowUplink, sdkPage: page }) => {
        const closes: { code: number; reason: string }[] = [];
        const server = await companion({ sessionTimeoutMs: SESSION_TIMEOUT_MS }, (conn) => {
          conn.onClose(({ code, reason }) => closes.push({ code, reason }));
        });
        const uplink = await slowUplink(server.port);
        if (close === 'in its pagehide listener') {
          await page.evaluate(() => {
            addEventListener('pagehide', () => {
              window.client.close(4100, 'bye');
            });
          });
        }
        await createPageClient(page, uplink.url, { transports: ['long-polling'], heartbeat: false });
        await expect.poll(() => clientState(page)).toBe('open');
        expect(await clientTransport(page)).toBe('long-polling');
        expect(server.accepted.map((conn) => conn.transport)).toEqual(['long-polling']);

        if (uploading) {
          await page.evaluate(() => {
            window.client.send('chat', { user: 'ann', text: 'leaving now' });
          });
          // The upload has left the page and is held on the uplink.
          await expect.poll(() => uplink.requests.filter((item) => item.startsWith('POST'))).toEqual(['POST handshake', 'POST upload']);
        }
        if (close === 'first') {
          await page.evaluate(() => {
            window.client.close(4100, 'bye'); // its DELETE waits for the held upload
          });
        }

        const left = Date.now();
        await leave(page);
        await expect.poll(() => closes, { timeout: CLOSE_WITHIN_MS }).toEqual([close === 'no' ? { code: 1000, reason: 'pagehide' } : { code: 4100, reason: 'bye' }]);
        expect(Date.now() - left).toBeLessThan(UPLOAD_DELAY_MS); // sooner than the held upload could have been answered

        // Polls and the DELETE's CORS preflight aside: the handshake, the upload (if any), then the DELETE.
        expect(uplink.requests.filter((item) => item !== 'GET' && item !== 'OPTIONS')).toEqual(
          uploading ? ['POST handshake', 'POST upload', 'DELETE'] : ['POST handshake', 'DELETE'],
        );
        // Once the page is gone, the browser gives up on the held upload: it is never answered (and, here, never passed on).
        if (uploading) await expect.poll(() => uplink.uploads).toEqual(['abandoned by the browser']);
        expect(server.received).toEqual([]);
        expect(server.accepted).toHaveLength(1);
      });
    }
  });
}
