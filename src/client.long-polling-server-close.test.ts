// The client on long-polling when the server closes the session while an upload is on the wire:
// the close waits for the upload's answer, and frames the server refused unprocessed are sent again.
import { expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import { useRealServers } from './real-server-test-utils.js';
import type { Connection } from './server/index.js';

const { startServer, track } = useRealServers();

it('sends again the frames of a POST the server refused because the session had just ended', async () => {
  const { server, url } = await startServer({ pingIntervalMs: false });
  const received: number[] = [];
  const conns: Connection[] = [];
  server.on('connection', (conn) => {
    conns.push(conn);
    conn.on('n', (n) => received.push(n as number));
  });
  const statuses: number[] = [];
  let posted: () => void = () => undefined;
  const postedOnce = new Promise<void>((resolve) => { posted = resolve; });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let gated = false;
  let closeSeen: () => void = () => undefined;
  const closeBatchSeen = new Promise<void>((resolve) => { closeSeen = resolve; });
  // The first upload of 'n' is on the wire while the server closes the session: it reaches the
  // server only after the session ended (a slow upload), and the server refuses it.
  const racingFetch: typeof fetch = async (input, init) => {
    if (!gated && init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('\\"n\\"')) {
      gated = true;
      posted();
      await released;
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    }
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET') {
      // the batch that ends the session carries a close item (an object) after the frames
      void response.clone().json().then((batch: unknown) => {
        if (Array.isArray(batch) && batch.some((item) => typeof item !== 'string')) closeSeen();
      }, () => undefined);
    }
    return response;
  };
  const made = track(new EnhancedWebSocketClient(url, {
    transports: ['long-polling'],
    fetch: racingFetch,
    reconnect: { initialDelay: 10, maxDelay: 50 },
  }));
  const errors: Error[] = [];
  made.onError((error) => errors.push(error));
  await vi.waitFor(() => { expect(made.state).toBe('open'); });

  made.send('n', 1);
  await postedOnce;
  const closes: number[] = [];
  made.onClose(({ code }) => closes.push(code));
  conns[0]!.close(1012, 'restarting'); // retryable: the client reconnects at once
  await closeBatchSeen; // the client has the server's close, and waits for the upload's answer
  expect(closes).toEqual([]);
  release();
  await vi.waitFor(() => { expect(statuses).toHaveLength(1); });
  expect(statuses[0]).toBeGreaterThanOrEqual(400); // the server did not process the frame
  await vi.waitFor(() => { expect(conns).toHaveLength(2); expect(made.state).toBe('open'); });
  made.send('n', 2);
  await vi.waitFor(() => { expect(received).toContain(2); });
  expect(closes).toEqual([1012]); // the server's close, not the refused upload's
  // n=1 was never processed: it must be sent again (or at least be reported as dropped)
  expect({ received, dropped: made.stats.dropped, errors: errors.length }).not.toEqual({ received: [2], dropped: 0, errors: 0 });
  expect(received).toEqual([1, 2]);
});
