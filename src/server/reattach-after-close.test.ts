// close() on a server attached to an app's http server, then a new one attached at once (a dev
// server's hot reload): the app's own routes run once, and never for our path.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createServer } from './server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a server attached right after another one closed gets the app\'s routes once', async () => {
  const seen: string[] = [];
  const app = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    if (!res.writableEnded && !res.headersSent) res.end('app');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    const closed = new Promise((resolve) => app.close(resolve));
    app.closeAllConnections();
    await closed;
  });
  const port = (app.address() as { port: number }).port;

  const first = createServer({ server: app });
  await first.ready;
  const closing = first.close(); // not awaited before the next one attaches
  const second = createServer({ server: app });
  cleanups.push(() => second.close());
  await second.ready;
  await closing;

  expect(await (await fetch(`http://127.0.0.1:${String(port)}/other`)).text()).toBe('app');
  const handshake = await fetch(`http://127.0.0.1:${String(port)}/ws?transport=polling`, { method: 'POST' });
  expect(handshake.status).toBe(200);
  await handshake.text();
  expect(seen).toEqual(['/other']); // once, and never our path
});
