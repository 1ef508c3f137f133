// The client on long-polling against a scripted long-polling server (a fetch stub): frames that provably never reached the server are sent again, not lost.
import { describe, expect, it } from 'vitest';
import type { ClientOptions } from './options.js';
import { ScriptedPollingServer, scriptedSockets } from './scripted-transports-test-utils.js';
import { FakeBrowser, advance, makeClient, useHarness } from './test-utils.js';

useHarness();

const refusal = (body: unknown, status: number): Response => new Response(JSON.stringify(body), { status });

function client(fetch: typeof globalThis.fetch, options: ClientOptions = {}) {
  const made = makeClient('ws://example.test/ws', { transports: ['long-polling'], fetch, heartbeat: false, random: () => 0, ...options });
  const errors: Error[] = [];
  made.onError((error) => errors.push(error));
  return { made, errors };
}

describe('EnhancedWebSocketClient on long-polling: a send between the end of the session and onClose', () => {
  it('does not lose a reply sent from the handler of the last frame before the close item', async () => {
    // the first session's first poll ends it with a frame and a close item
    const server = new ScriptedPollingServer();
    server.push(JSON.stringify({ type: 'm' }), { code: 1012, reason: 'restart' });
    const { made, errors } = client(server.fetch);
    let handled = 0;
    made.on('m', () => {
      handled++;
      made.send('ack'); // state is still 'open': the client hands it to the transport
    });
    await advance(5000); // session 1 ends (1012), the client reconnects with session 2
    expect(handled).toBe(1);
    expect(server.handshakes).toHaveLength(2);
    expect(made.state).toBe('open');
    // queued again when the session's close arrived, and sent on session 2
    expect(server.posted.map((frame) => (JSON.parse(frame) as { type: string }).type)).toEqual(['ack']);
    expect(errors).toEqual([]);
    made.close();
  });
});

describe('EnhancedWebSocketClient on long-polling: a POST the server refused unprocessed', () => {
  it('sends again, on the next session, the frames of a POST the server refused unprocessed (410)', async () => {
    // session 1 is closed: its uploads are answered 410, frames not processed
    const server = new ScriptedPollingServer({ refuse: (sid) => (sid === 's1' ? refusal({ code: 1012, reason: 'restart' }, 410) : undefined) });
    const { made, errors } = client(server.fetch);
    await advance(10);
    expect(made.state).toBe('open');
    made.send('x', 1);
    await advance(5000);
    expect(server.handshakes).toHaveLength(2);
    expect(server.posted).toEqual(['{"type":"x","payload":1}']);
    expect(errors).toEqual([]);
    made.close();
  });
});

describe('EnhancedWebSocketClient on long-polling: a POST refused 413 (body over maxPayload)', () => {
  it('does not resend the oversized frame on each new session (reconnect loop, later messages stuck)', async () => {
    // like the companion server: a body over maxPayload is answered 413 and the session closes with 1009
    const server = new ScriptedPollingServer({ maxPayload: 100, refuse: (_sid, body) => (body.length > 100 ? refusal({ code: 1009, reason: 'message too big' }, 413) : undefined) });
    const { made } = client(server.fetch, { reconnect: { initialDelay: 100, maxDelay: 100 } });
    await advance(10);
    expect(made.state).toBe('open');
    made.send('big', 'x'.repeat(200));
    await advance(10);
    made.send('small', 1);
    await advance(5000);
    // Lost like an oversized WebSocket frame (the server closes with 1009): not resent on every new session.
    expect(server.handshakes.length).toBeLessThanOrEqual(3);
    expect(server.posted).toContain('{"type":"small","payload":1}');
    made.close();
  });
});

describe('EnhancedWebSocketClient on long-polling: close() right after send()', () => {
  it.each(['in the same task', 'a microtask later (the upload under way)'])('delivers the message, then deletes the session, as a WebSocket sends before its close frame (%s)', async (when) => {
    const server = new ScriptedPollingServer();
    server.holdUploads = true; // the upload is answered only when the test says: the DELETE must wait for it
    const { made, errors } = client(server.fetch);
    await advance(10);
    expect(made.state).toBe('open');
    made.send('bye', 'see you');
    if (when !== 'in the same task') await Promise.resolve();
    made.close();
    await advance(10);
    expect(server.requests.slice(-1)).toEqual(['POST s1']); // the upload, and no DELETE yet
    server.releaseUploads();
    await advance(10);
    expect(server.requests.slice(-2)).toEqual(['POST s1', 'DELETE s1']);
    expect(made.stats).toMatchObject({ sent: 1, queued: 0, dropped: 0 });
    expect(errors).toEqual([]);
  });
});

describe('EnhancedWebSocketClient on long-polling: what close() cannot send', () => {
  it('reports as dropped, not silently, a message whose upload the server refused unprocessed after close()', async () => {
    const server = new ScriptedPollingServer();
    server.holdUploads = true;
    const { made, errors } = client(server.fetch);
    await advance(10);
    made.send('order', 42);
    made.close();
    await advance(10);
    server.refuseHeldUploads(() => refusal({ code: 1012, reason: 'restart' }, 410)); // not processed: protocol.md says send it again, but the app closed
    await advance(10);
    expect(made.stats).toMatchObject({ sent: 0, dropped: 1, queued: 0 });
    expect(errors.map((error) => error.message)).toEqual(['enhanced-ws: "order" was not sent: not delivered after close()']);
    expect(server.requests.at(-1)).toBe('DELETE s1');
  });

  it('sends the DELETE while pagehide runs, even with an upload in flight (nothing runs after the page is gone)', async () => {
    const browser = new FakeBrowser().install();
    const server = new ScriptedPollingServer();
    server.holdUploads = true; // never answered
    const { made } = client(server.fetch, { reconnect: false });
    await advance(10);
    made.send('bye');
    await Promise.resolve(); // the upload is under way
    expect(server.requests.at(-1)).toBe('POST s1');
    browser.pagehide(false);
    expect(server.requests.at(-1)).toBe('DELETE s1');
  });
});

describe('EnhancedWebSocketClient on long-polling: a request that timed out behind a slow upload', () => {
  it('is not sent on the next session after its promise rejected', async () => {
    // the first upload is held; the request waits behind it in long-polling's outbox and times out
    const server = new ScriptedPollingServer();
    const { made } = client(server.fetch, { reconnect: { initialDelay: 100, maxDelay: 100 } });
    await advance(10);
    server.holdUploads = true;
    made.send('first');
    await advance(10);
    const outcome = made.request('r', 1, { timeout: 100 }).catch((error: unknown) => error);
    await advance(100);
    expect(await outcome).toMatchObject({ name: 'TimeoutError' });
    server.holdUploads = false;
    server.refuseHeldUploads(() => refusal({ code: 1012, reason: 'restart' }, 410)); // session 1 ends; nothing of it was processed
    await advance(1000);
    expect(server.handshakes).toHaveLength(2);
    // 'first' is sent again (never processed); 'r' is not: its caller saw it fail
    expect(server.received.map((frame) => frame.type)).toEqual(['first']);
  });
});

describe('EnhancedWebSocketClient when the WebSocket constructor throws (a URL blocked by Content-Security-Policy)', () => {
  it('reports it, counts it as WebSocket failing to open, and falls back to long-polling', async () => {
    const server = new ScriptedPollingServer();
    const sockets = scriptedSockets(() => {
      throw new DOMException('Refused to connect: Content Security Policy', 'SecurityError');
    });
    const { made, errors } = client(server.fetch, { transports: ['websocket', 'long-polling'], WebSocket: sockets.WebSocket });
    await advance(5000);
    expect(made.state).toBe('open');
    expect(made.transport).toBe('long-polling');
    expect(errors.map((error) => (error.cause as Error | undefined)?.name)).toEqual(['SecurityError', 'SecurityError']);
  });
});
