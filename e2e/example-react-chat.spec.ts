// The React chat example (examples/react-chat, built by rollup) in Chromium: two people chat, a CDN page joins them, and the room survives a server restart.

import { chatLine, chatTexts, expect, joinChat, say, test } from './fixtures/examples-server';

/** Reconnecting takes one backoff delay after the server is back (under 2 s for the first retries). */
const RECONNECT = { timeout: 15_000 };

test.describe('React chat example', () => {
  test('two people chat; lines typed while the server is down are queued and delivered after it restarts', async ({ examples, openPage }, testInfo) => {
    const ada = await openPage(examples.url('/react-chat/'));
    const bob = await openPage(examples.url('/react-chat/'), { width: 390, height: 720 });
    await ada.screenshot({ path: testInfo.outputPath('react-chat-1-nickname.png') });
    await joinChat(ada, 'ada');
    await joinChat(bob, 'bob');
    await expect(ada.locator('#badge')).toHaveText('Connected');
    await expect(ada.locator('#lines .system', { hasText: 'bob joined' })).toBeVisible();

    await say(ada, 'rendering from useWebSocketEvent');
    await expect(chatLine(bob, 'ada', 'rendering from useWebSocketEvent')).toBeVisible();
    await say(bob, 'and the state from useWebSocket');
    await expect(chatLine(ada, 'bob', 'and the state from useWebSocket')).toBeVisible();
    for (const page of [ada, bob]) await expect(chatTexts(page)).toHaveText(['rendering from useWebSocketEvent', 'and the state from useWebSocket']);
    await ada.screenshot({ path: testInfo.outputPath('react-chat-2-chatting.png') });

    await examples.stop();
    for (const page of [ada, bob]) {
      await expect(page.locator('#badge')).toHaveAttribute('data-state', 'reconnecting');
      await expect(page.locator('#badge')).toHaveText(/^Reconnecting in \d+ s$/);
    }
    await say(bob, 'typed on a train in a tunnel');
    await expect(bob.locator('#queued')).toHaveText(/^1 message waiting/);
    await expect(bob.locator('#lines .pending')).toHaveCount(1);
    await bob.screenshot({ path: testInfo.outputPath('react-chat-3-reconnecting-phone.png') });

    await examples.restart();
    for (const page of [ada, bob]) await expect(page.locator('#badge')).toHaveAttribute('data-state', 'open', RECONNECT);
    await expect(chatLine(ada, 'bob', 'typed on a train in a tunnel')).toBeVisible();
    await expect(chatLine(bob, 'bob', 'typed on a train in a tunnel')).toBeVisible();
    await expect(bob.locator('#lines .pending')).toHaveCount(0);
    await expect(bob.locator('#queued')).toBeHidden();
    for (const page of [ada, bob]) {
      await expect(chatTexts(page)).toHaveText(['rendering from useWebSocketEvent', 'and the state from useWebSocket', 'typed on a train in a tunnel']);
    }
  });

  test('a CDN page and a React page chat in the same room', async ({ examples, openPage }, testInfo) => {
    const cdn = await openPage(examples.url('/cdn-chat/'));
    const react = await openPage(examples.url('/react-chat/'));
    await joinChat(cdn, 'cora');
    await joinChat(react, 'rex');

    await say(cdn, 'hello from a script tag');
    await expect(chatLine(react, 'cora', 'hello from a script tag')).toBeVisible();
    await say(react, 'hello from a hook');
    await expect(chatLine(cdn, 'rex', 'hello from a hook')).toBeVisible();
    for (const page of [cdn, react]) await expect(chatTexts(page)).toHaveText(['hello from a script tag', 'hello from a hook']);
    await react.screenshot({ path: testInfo.outputPath('react-chat-4-with-cdn.png') });
  });
});
