// The CDN chat example (examples/cdn-chat) in Chromium: two people chat, the badge counts down while the server is away, and what was typed meanwhile arrives once it is back.

import { chatLine as line, chatTexts, expect, joinChat as join, say, test } from './fixtures/examples-server';

/** Reconnecting takes one backoff delay after the server is back (under 2 s for the first retries). */
const RECONNECT = { timeout: 15_000 };

test.describe('CDN chat example', () => {
  test('two people chat; lines typed while the server is down are queued, shown as waiting, and delivered after it restarts', async ({ examples, openPage }, testInfo) => {
    const ada = await openPage(examples.url('/cdn-chat/'));
    // Bob is on a phone-sized screen: the layout has to work there too.
    const bob = await openPage(examples.url('/cdn-chat/'), { width: 390, height: 720 });
    await join(ada, 'ada');
    await join(bob, 'bob');
    await expect(ada.locator('#badge')).toHaveText('Connected');
    await expect(ada.locator('#lines .system', { hasText: 'bob joined' })).toBeVisible();

    await say(ada, 'hello bob, is the build green?');
    await expect(line(bob, 'ada', 'hello bob, is the build green?')).toBeVisible();
    await say(bob, 'green on my side, ship it');
    await expect(line(ada, 'bob', 'green on my side, ship it')).toBeVisible();
    // Every page shows the server's order, its own lines included.
    for (const page of [ada, bob]) {
      await expect(chatTexts(page)).toHaveText(['hello bob, is the build green?', 'green on my side, ship it']);
    }
    await ada.screenshot({ path: testInfo.outputPath('cdn-chat-1-chatting.png') });
    await bob.screenshot({ path: testInfo.outputPath('cdn-chat-2-phone.png') });

    await examples.stop();
    for (const page of [ada, bob]) {
      await expect(page.locator('#badge')).toHaveAttribute('data-state', 'reconnecting');
      await expect(page.locator('#badge')).toHaveText(/^Reconnecting in \d+ s$/);
    }
    await say(ada, 'typed while the server was down');
    await say(ada, 'and one more');
    await expect(ada.locator('#queued')).toHaveText(/^2 messages waiting/);
    await expect(ada.locator('#lines .pending')).toHaveCount(2);
    await ada.screenshot({ path: testInfo.outputPath('cdn-chat-3-reconnecting.png') });

    await examples.restart();
    for (const page of [ada, bob]) await expect(page.locator('#badge')).toHaveAttribute('data-state', 'open', RECONNECT);
    await expect(line(bob, 'ada', 'typed while the server was down')).toBeVisible();
    await expect(line(bob, 'ada', 'and one more')).toBeVisible();
    await expect(line(ada, 'ada', 'and one more')).toBeVisible();
    await expect(ada.locator('#lines .pending')).toHaveCount(0);
    await expect(ada.locator('#queued')).toBeHidden();
    // Still in order after the restart, on both pages.
    for (const page of [ada, bob]) {
      await expect(chatTexts(page)).toHaveText(['hello bob, is the build green?', 'green on my side, ship it', 'typed while the server was down', 'and one more']);
    }
    await expect(bob.locator('#lines .system', { hasText: 'ada is back' })).toBeVisible();
    await bob.screenshot({ path: testInfo.outputPath('cdn-chat-4-back.png') });
  });

  test('a long-polling page shows it in the badge and chats with a WebSocket page', async ({ examples, openPage }, testInfo) => {
    const ada = await openPage(examples.url('/cdn-chat/'));
    const lp = await openPage(examples.url('/cdn-chat/?transport=long-polling'));
    await join(ada, 'ada');
    await join(lp, 'lee');
    await expect(lp.locator('#badge')).toHaveText('Connected · long-polling');
    await expect(lp.locator('#badge')).toHaveAttribute('data-transport', 'long-polling');
    await expect(ada.locator('#badge')).toHaveAttribute('data-transport', 'websocket');

    await say(lp, 'hello over long-polling');
    await expect(line(ada, 'lee', 'hello over long-polling')).toBeVisible();
    await say(ada, 'hello over WebSocket');
    await expect(line(lp, 'ada', 'hello over WebSocket')).toBeVisible();
    await lp.screenshot({ path: testInfo.outputPath('cdn-chat-5-long-polling.png') });
  });
});
