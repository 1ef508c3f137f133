// The client on long-polling against a fetch stub: frames that provably never reached the server are sent again, not lost.
import { describe, expect, it } from 'vitest';
import { EnhancedWebSocketClient } from './client';
import { advance, useHarness } from './test-utils';

useHarness();

/** A long-polling server in a fetch stub: the first session's first poll ends it with a frame and a close item. */
function stubServer() {
  const posted: string[][] = [];
  let sessions = 0;
  const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status }));
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input as string);
    const sid = url.searchParams.get('sid');
    const method = init?.method ?? 'GET';
    if (!sid && method === 'POST') return json({ sid: `s${String(++sessions)}`, pollTimeoutMs: 25000, maxPayload: 100000 });
    if (method === 'POST') {
      posted.push((JSON.parse(init?.body as string) as string[]).map((frame) => (JSON.parse(frame) as { type: string }).type));
      return Promise.resolve(new Response(null, { status: 204 }));
    }
    if (method === 'GET' && sid === 's1') return json([JSON.stringify({ type: 'm' }), { code: 1012, reason: 'restart' }]);
    if (method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
    // later sessions: hold the poll
    return new Promise<Response>(() => undefined);
  };
  return { fetch, posted, sessions: () => sessions };
}

describe('EnhancedWebSocketClient on long-polling: a send between the end of the session and onClose', () => {
  it('does not lose a reply sent from the handler of the last frame before the close item', async () => {
    const server = stubServer();
    const client = new EnhancedWebSocketClient('ws://example.test/ws', {
      transports: ['long-polling'],
      fetch: server.fetch,
      heartbeat: false,
      random: () => 0,
    });
    const errors: Error[] = [];
    client.onError((error) => errors.push(error));
    let handled = 0;
    client.on('m', () => {
      handled++;
      client.send('ack'); // state is still 'open': the client hands it to the transport
    });
    await advance(5000); // session 1 ends (1012), the client reconnects with session 2
    expect(handled).toBe(1);
    expect(server.sessions()).toBe(2);
    expect(client.state).toBe('open');
    // queued again when the session's close arrived, and sent on session 2
    expect(server.posted.flat()).toEqual(['ack']);
    expect(errors).toEqual([]);
    client.close();
  });
});

describe('EnhancedWebSocketClient on long-polling: a POST the server refused unprocessed', () => {
  it('sends again, on the next session, the frames of a POST the server refused unprocessed (410)', async () => {
    const posted: string[] = [];
    let sessions = 0;
    const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status }));
    const fetch: typeof globalThis.fetch = (input, init) => {
      const sid = new URL(input as string).searchParams.get('sid');
      const method = init?.method ?? 'GET';
      if (!sid && method === 'POST') return json({ sid: `s${String(++sessions)}`, pollTimeoutMs: 25000, maxPayload: 100000 });
      if (method === 'POST' && sid === 's1') return json({ code: 1012, reason: 'restart' }, 410); // closed, frames not processed
      if (method === 'POST') {
        posted.push(...(JSON.parse(init?.body as string) as string[]));
        return Promise.resolve(new Response(null, { status: 204 }));
      }
      if (method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
      return new Promise<Response>(() => undefined); // polls held
    };
    const client = new EnhancedWebSocketClient('ws://example.test/ws', { transports: ['long-polling'], fetch, heartbeat: false, random: () => 0 });
    const errors: Error[] = [];
    client.onError((error) => errors.push(error));
    await advance(10);
    expect(client.state).toBe('open');
    client.send('x', 1);
    await advance(5000);
    expect(sessions).toBe(2);
    expect(posted).toEqual(['{"type":"x","payload":1}']);
    expect(errors).toEqual([]);
    client.close();
  });
});

describe('EnhancedWebSocketClient on long-polling: a POST refused 413 (body over maxPayload)', () => {
  it('does not resend the oversized frame on each new session (reconnect loop, later messages stuck)', async () => {
    const posted: string[] = [];
    let sessions = 0;
    const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status }));
    const fetch: typeof globalThis.fetch = (input, init) => {
      const sid = new URL(input as string).searchParams.get('sid');
      const method = init?.method ?? 'GET';
      if (!sid && method === 'POST') return json({ sid: `s${String(++sessions)}`, pollTimeoutMs: 25000, maxPayload: 100 });
      if (method === 'POST') {
        const body = init?.body as string;
        // like the companion server: a body over maxPayload is answered 413 and the session closes with 1009
        if (body.length > 100) return json({ code: 1009, reason: 'message too big' }, 413);
        posted.push(...(JSON.parse(body) as string[]));
        return Promise.resolve(new Response(null, { status: 204 }));
      }
      if (method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
      return new Promise<Response>(() => undefined); // polls held
    };
    const client = new EnhancedWebSocketClient('ws://example.test/ws', {
      transports: ['long-polling'],
      fetch,
      heartbeat: false,
      random: () => 0,
      reconnect: { initialDelay: 100, maxDelay: 100 },
    });
    await advance(10);
    expect(client.state).toBe('open');
    client.send('big', 'x'.repeat(200));
    await advance(10);
    client.send('small', 1);
    await advance(5000);
    // Lost like an oversized WebSocket frame (the server closes with 1009): not resent on every new session.
    expect(sessions).toBeLessThanOrEqual(3);
    expect(posted).toContain('{"type":"small","payload":1}');
    client.close();
  });
});
