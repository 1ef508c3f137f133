// The server starts closing a WebSocket: its close frame has arrived (the page's socket is CLOSING) but the close event has not fired (the client still says 'open'). A message sent then goes out once, after the reconnect.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';

const BACKOFF = { initialDelay: 100, maxDelay: 500 };

declare global {
  interface Window {
    /** Every native WebSocket the page created, in order: the client's, seen through a wrapped constructor. */
    nativeSockets?: WebSocket[];
  }
}

test.describe('a message sent while the server closes is not lost', () => {
  test("sent after the server's close frame arrived but before the close event, it reaches the server once, on the next connection, and counts once as sent", async ({ sdkPage: page, echo }) => {
    // Before the client exists: keep a reference to each socket it opens.
    await page.evaluate(() => {
      const sockets: WebSocket[] = (window.nativeSockets = []);
      window.WebSocket = new Proxy(window.WebSocket, {
        construct(target, args: ConstructorParameters<typeof WebSocket>) {
          const socket = new target(...args);
          sockets.push(socket);
          return socket;
        },
      });
    });
    // No heartbeat: pings would count in stats.sent.
    await createPageClient(page, echo.url, { reconnect: BACKOFF, heartbeat: false });
    await expect.poll(() => clientState(page)).toBe('open');
    await page.evaluate(() => {
      window.client.send('order', { id: 1 });
    });
    await expect.poll(async () => (await pageLog(page)).messages).toEqual([{ type: 'order', payload: { id: 1 } }]);

    // The server's close frame goes out; the TCP connection stays up, and nothing answers the page's close frame.
    echo.startClosingHandshake(1001, 'restarting');
    // In the page, as soon as the frame has landed: the native socket is CLOSING, the client still open.
    const inTheWindow = await page.evaluate(async () => {
      const socket = window.nativeSockets?.[0];
      if (!socket) throw new Error('the client opened no WebSocket');
      while (socket.readyState === WebSocket.OPEN) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const before = { readyState: socket.readyState, state: window.client.state };
      window.client.send('order', { id: 2 });
      // Handed to the browser, it would sit in bufferedAmount, never to be sent.
      return { ...before, bufferedAmount: socket.bufferedAmount, closes: window.log.closes.length, reconnecting: window.log.reconnecting.length };
    });
    expect(inTheWindow).toEqual({ readyState: 2 /* CLOSING */, state: 'open', bufferedAmount: 0, closes: 0, reconnecting: 0 });

    // Now the server drops the connection: the page's close event fires, the client reconnects.
    echo.cutConnections();
    await expect.poll(async () => (await pageLog(page)).opens.length).toBe(2);
    await expect.poll(async () => (await pageLog(page)).messages).toEqual([
      { type: 'order', payload: { id: 1 } },
      { type: 'order', payload: { id: 2 } },
    ]);

    // The server got each order exactly once: the second on the new connection.
    expect(echo.received.filter((frame) => (frame.json as { type?: unknown } | undefined)?.type === 'order').map(({ connection, json }) => ({ connection, json }))).toEqual([
      { connection: 1, json: { type: 'order', payload: { id: 1 } } },
      { connection: 2, json: { type: 'order', payload: { id: 2 } } },
    ]);
    // Between the close frame and the cut, the page sent its close frame and nothing else.
    expect(echo.framesAfterClose).toEqual([{ connection: 1, opcode: 8, code: 1001, text: 'restarting' }]);

    const log = await pageLog(page);
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(log.reconnecting.map((context) => [context.code, context.reason])).toEqual([[1001, 'restarting']]);
    expect(await clientStats(page)).toMatchObject({ sent: 2, received: 2, queued: 0, dropped: 0, reconnects: 1 });
    expect(log.errors).toEqual([]);
  });
});
