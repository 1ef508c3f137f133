// A page loads the UMD bundle from a script tag, connects to an echo server and round-trips typed messages.

import { clientState, clientStats, createPageClient, expect, pageLog, test } from './fixtures';

test.describe('round-trips typed messages', () => {
  test('delivers each echoed message to on(type) in order, and counts it in stats', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url);
    await expect.poll(() => clientState(page)).toBe('open');
    expect(await page.evaluate(() => window.client.transport)).toBe('websocket');

    await page.evaluate(() => {
      window.client.send('chat', { user: 'ada', text: 'hello' });
      window.client.send('count', 1);
      window.client.send('chat', { user: 'grace', text: 'héllo, 世界 👋' });
      window.client.send('count', 2);
    });

    await expect.poll(async () => (await pageLog(page)).count).toEqual([1, 2]);
    const log = await pageLog(page);
    expect(log.chat).toEqual([
      { user: 'ada', text: 'hello' },
      { user: 'grace', text: 'héllo, 世界 👋' },
    ]);
    expect(log.messages.map((message) => message.type)).toEqual(['chat', 'count', 'chat', 'count']);
    expect(log.states).toEqual(['connecting', 'open']);
    expect(log.opens).toEqual([{ transport: 'websocket', attempt: 0 }]);
    expect(log.errors).toEqual([]);

    // The wire format is the plain envelope of docs/protocol.md.
    expect(echo.received.map((frame) => frame.json)).toEqual([
      { type: 'chat', payload: { user: 'ada', text: 'hello' } },
      { type: 'count', payload: 1 },
      { type: 'chat', payload: { user: 'grace', text: 'héllo, 世界 👋' } },
      { type: 'count', payload: 2 },
    ]);

    expect(await clientStats(page)).toMatchObject({ sent: 4, received: 4, queued: 0, dropped: 0, malformed: 0, reconnects: 0 });
    expect(await clientState(page)).toBe('open');
  });

  test('unsubscribe and once() stop delivery', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url);
    await expect.poll(() => clientState(page)).toBe('open');

    await page.evaluate(() => {
      const seen = ((window as Window & { seen?: number[] }).seen = [] as number[]);
      const off = window.client.on('count', (n) => {
        seen.push(n);
        if (n === 1) off();
      });
      window.client.once('count', (n) => seen.push(n * 100));
      window.client.send('count', 1);
      window.client.send('count', 2);
    });

    await expect.poll(async () => (await pageLog(page)).count).toEqual([1, 2]);
    expect(await page.evaluate(() => (window as Window & { seen?: number[] }).seen)).toEqual([1, 100]);
  });

  test('request() resolves with the server reply matched by id', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url);
    await expect.poll(() => clientState(page)).toBe('open');

    const replies = await page.evaluate(() => Promise.all([window.client.request('sum', [1, 2]), window.client.request('sum', [3, 4, 5], { timeout: 2000 })]));
    expect(replies).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);

    const requests = echo.envelopes('sum');
    expect(requests.map((request) => request.payload)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    const ids = requests.map((request) => request.id);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(2);

    // Replies settle their requests; they do not also reach on('sum') or the type listeners.
    const log = await pageLog(page);
    expect(log.messages.map((message) => message.type)).toEqual(['reply', 'reply']);
    expect(await clientStats(page)).toMatchObject({ sent: 2, received: 2, queued: 0 });
  });

  test('measures round-trip time from heartbeat pongs', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url, { heartbeat: { interval: 200, timeout: 2000 } });
    await expect.poll(() => clientState(page)).toBe('open');

    await expect.poll(async () => (await clientStats(page)).rttMs).not.toBeNull();
    const { rttMs } = await clientStats(page);
    expect(rttMs).toBeGreaterThanOrEqual(0);
    expect(rttMs).toBeLessThan(1000);

    const ping = echo.envelopes('ping')[0];
    expect(ping?.payload).toEqual({ t: expect.any(Number) as unknown });
    expect(await clientState(page)).toBe('open');
  });

  test('reports frames that are not envelopes and stays open', async ({ sdkPage: page, echo }) => {
    await createPageClient(page, echo.url);
    await expect.poll(() => clientState(page)).toBe('open');

    echo.sendToAll('not json');
    echo.sendToAll('{"no":"type"}');
    await page.evaluate(() => {
      window.client.send('count', 7);
    });

    await expect.poll(async () => (await pageLog(page)).count).toEqual([7]);
    const log = await pageLog(page);
    expect(log.messages).toEqual([
      { type: null, payload: 'not json' },
      { type: null, payload: { no: 'type' } },
      { type: 'count', payload: 7 },
    ]);
    expect(log.errors).toHaveLength(2);
    expect(log.errors[0]).toContain('not a {type, payload} envelope');
    expect(await clientStats(page)).toMatchObject({ received: 3, malformed: 2 });
    expect(await clientState(page)).toBe('open');
  });
});
