// Two pages chat through the companion server, one over WebSocket and one without WebSocket (long-polling): every message arrives, in order, both ways.

import { clientState, clientStats, clientTransport, createPageClient, expect, pageLog, test, type TestEvents } from './fixtures';

const MESSAGES = 20;

test.describe('chat across transports', () => {
  test('a WebSocket page and a long-polling page exchange 20 messages each way, in order', async ({ companion, newSdkPage }) => {
    const server = await companion({}, (conn, self) => {
      conn.on('chat', (payload) => self.broadcast('chat', payload, { except: conn }));
    });
    const ada = await newSdkPage();
    const bob = await newSdkPage({ webSocket: false });
    await createPageClient(ada, server.url);
    await createPageClient(bob, server.url);

    await expect.poll(() => clientState(ada)).toBe('open');
    await expect.poll(() => clientState(bob)).toBe('open');
    expect(await clientTransport(ada)).toBe('websocket');
    expect(await clientTransport(bob)).toBe('long-polling');
    expect((await clientStats(ada)).fallbackReason).toBeNull();
    expect((await clientStats(bob)).fallbackReason).toEqual(expect.any(String));
    // onStateChange says which transport the connection uses.
    expect((await pageLog(ada)).stateChanges.find((change) => change.state === 'open')?.transport).toBe('websocket');
    expect((await pageLog(bob)).stateChanges.find((change) => change.state === 'open')?.transport).toBe('long-polling');
    // The server sees one connection per transport; relaying needs both to be there.
    await expect.poll(() => [...server.server.connections.values()].map((conn) => conn.transport).sort()).toEqual(['long-polling', 'websocket']);

    // Both pages talk at once, a message every few ms, so long-polling carries several batches.
    const talk = (user: string): Promise<void> =>
      (user === 'ada' ? ada : bob).evaluate(
        async ([name, count]) => {
          for (let n = 1; n <= count; n++) {
            window.client.send('chat', { user: name, text: `message ${String(n)}` });
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        },
        [user, MESSAGES] as const,
      );
    await Promise.all([talk('ada'), talk('bob')]);

    const from = (user: string): TestEvents['chat'][] => Array.from({ length: MESSAGES }, (_, i) => ({ user, text: `message ${String(i + 1)}` }));
    await expect.poll(async () => (await pageLog(bob)).chat).toEqual(from('ada'));
    await expect.poll(async () => (await pageLog(ada)).chat).toEqual(from('bob'));

    // The server got each page's messages once, in order, each over its page's transport.
    const sent = (user: string): { transport: string; payload: unknown }[] =>
      server.received.filter((item) => (item.payload as TestEvents['chat']).user === user).map(({ transport, payload }) => ({ transport, payload }));
    expect(sent('ada')).toEqual(from('ada').map((payload) => ({ transport: 'websocket', payload })));
    expect(sent('bob')).toEqual(from('bob').map((payload) => ({ transport: 'long-polling', payload })));

    // Nobody got their own messages back, and nothing was lost or reconnected along the way.
    for (const page of [ada, bob]) {
      expect(await clientStats(page)).toMatchObject({ received: MESSAGES, queued: 0, dropped: 0, malformed: 0, reconnects: 0 });
      expect((await pageLog(page)).errors).toEqual([]);
    }
    expect(await clientTransport(bob)).toBe('long-polling');
  });
});
