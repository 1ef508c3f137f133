import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { systemClock, type Clock } from '../clock.js';
import type { Connection } from '../server/connection.js';
import type { EnhancedWebSocketServer } from '../server/server.js';
import { ManualClock, nextConnection, pollHeld, startKillable, until, useServers, wsUrl } from '../server/test-utils.js';
import { LongPollingTransport } from './long-polling.js';
import type { TransportCloseEvent } from './transport.js';

const { start } = useServers();

/** A transport with recording handlers; `fetch` and `clock` can be swapped per test. */
function open(url: string, options: { fetch?: typeof fetch; credentials?: string; clock?: Clock } = {}) {
  const log: string[] = [];
  const messages: string[] = [];
  const errors: unknown[] = [];
  let resolveClose: (event: TransportCloseEvent) => void = () => undefined;
  const closed = new Promise<TransportCloseEvent>((resolve) => (resolveClose = resolve));
  let resolveOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (resolveOpen = resolve));
  const transport = new LongPollingTransport(url, { fetch: options.fetch ?? fetch, clock: options.clock ?? systemClock, ...(options.credentials === undefined ? {} : { credentials: options.credentials }) });
  const onClose = vi.fn((event: TransportCloseEvent) => {
    log.push('close');
    resolveClose(event);
  });
  transport.open({
    onOpen: () => {
      log.push('open');
      resolveOpen();
    },
    onMessage: (data) => {
      log.push('message');
      messages.push(data as string);
    },
    onError: (error) => errors.push(error),
    onClose,
  });
  return { transport, log, messages, errors, opened, closed, onClose };
}

/** Opens a transport to `server` and returns it with the server-side connection. */
async function connect(server: EnhancedWebSocketServer, options: Parameters<typeof open>[1] = {}) {
  const connection = nextConnection(server);
  const client = open(wsUrl(server), options);
  await client.opened;
  return { ...client, conn: await connection };
}

/** A fetch that records each request's method and signal. */
function recordingFetch() {
  const calls: { method: string; url: string; body: unknown; signal: AbortSignal | undefined }[] = [];
  const spy: typeof fetch = (input, init) => {
    calls.push({ method: init?.method ?? 'GET', url: input as string, body: init?.body, signal: init?.signal ?? undefined });
    return fetch(input, init);
  };
  return { calls, fetch: spy };
}

/**
 * A fetch that answers the handshake itself (`sid` "s1"), then lets `answer` answer each later
 * request by method, as a proxy in front of the server would.
 */
function afterHandshake(answer: (method: string, url: string, init?: RequestInit) => Response | Promise<Response>): typeof fetch {
  return (input, init) => {
    const method = init?.method ?? 'GET';
    if (method === 'POST' && !(input as string).includes('sid=')) {
      return Promise.resolve(Response.json({ sid: 's1', pollTimeoutMs: 25000, sessionTimeoutMs: 30000, maxPayload: 1024 }));
    }
    if (method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
    return Promise.resolve(answer(method, input as string, init));
  };
}

/**
 * A scripted session behind `afterHandshake`: polls are held until `end(item)` answers the held
 * one with a close item, or aborted; each upload is answered by the next of `answers` (an Error:
 * no answer, the fetch rejects with it; a number: that status, no body) and then 204. `posts`
 * records each upload's `seq` and body, `requests` every request as `METHOD seq`.
 */
function scriptedUploads(answers: (Error | number | Response)[]) {
  const posts: { seq: string | null; body: unknown }[] = [];
  const requests: string[] = [];
  let endPoll: (item: unknown) => void = () => undefined;
  const scripted = afterHandshake((method, url, init) => {
    const seq = new URL(url).searchParams.get('seq');
    requests.push(`${method} ${seq ?? '-'}`);
    if (method === 'GET') {
      return new Promise((resolve, reject) => {
        endPoll = (item) => { resolve(Response.json([item])); };
        init?.signal?.addEventListener('abort', () => { reject(new DOMException('aborted', 'AbortError')); });
      });
    }
    posts.push({ seq, body: init?.body });
    const answer = answers.shift() ?? 204;
    if (answer instanceof Error) return Promise.reject(answer);
    return typeof answer === 'number' ? new Response(null, { status: answer }) : answer;
  });
  const fetch: typeof globalThis.fetch = (input, init) => {
    if (init?.method === 'DELETE') requests.push('DELETE -');
    return scripted(input, init);
  };
  return { fetch, posts, requests, end: (item: unknown) => { endPoll(item); } };
}

const frame = (n: number): string => JSON.stringify({ type: 'n', payload: n });
/** An upload's body: these frames. */
const batch = (...ns: number[]): string => JSON.stringify(ns.map(frame));

/** Lets the fetch chains of the scripted session settle (they are promises, not timers). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

/** An open transport whose first upload (frame 1) is in flight and never answered; `deletes` records each DELETE's body. */
async function uploadHeld() {
  const held = afterHandshake(
    (_method, _url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => { reject(new DOMException('aborted', 'AbortError')); });
      }),
  );
  const deletes: unknown[] = [];
  const client = open('ws://example.test/ws', {
    fetch: (input, init) => {
      if (init?.method === 'DELETE') deletes.push(init.body);
      return held(input, init);
    },
  });
  await client.opened;
  client.transport.send(frame(1));
  await settle();
  return { client, deletes };
}

const received = (conn: Connection, type: string): unknown[] => {
  const payloads: unknown[] = [];
  conn.on(type, (payload) => payloads.push(payload));
  return payloads;
};

describe('LongPollingTransport', () => {
  it('does the handshake on the ws: URL turned http:, then opens', async () => {
    const server = await start();
    const recorder = recordingFetch();
    const { conn, log, transport } = await connect(server, { fetch: recorder.fetch });
    expect(transport.name).toBe('long-polling');
    expect(conn.transport).toBe('long-polling');
    expect(log).toEqual(['open']);
    expect(recorder.calls[0]).toMatchObject({ method: 'POST', url: `http://127.0.0.1:${String(server.port)}/ws?transport=polling` });
  });

  it('sends its credentials as a bearer token on the handshake', async () => {
    const authenticate = vi.fn((_request: unknown, token: string | undefined) => token === 's3cret');
    const server = await start({ authenticate });
    await connect(server, { credentials: 's3cret' });
    expect(authenticate).toHaveBeenCalledWith(expect.anything(), 's3cret');
  });

  it('delivers the server frames in order, one onMessage per task', async () => {
    const server = await start();
    const connection = nextConnection(server);
    const trace: string[] = [];
    const transport = new LongPollingTransport(wsUrl(server), { fetch, clock: systemClock });
    transport.open({
      onOpen: () => undefined,
      onMessage: (data) => {
        trace.push(data as string);
        queueMicrotask(() => trace.push('microtask'));
      },
      onClose: () => undefined,
      onError: () => undefined,
    });
    const conn = await connection;
    for (const n of [1, 2, 3]) conn.send('n', n); // one tick: one batch
    await until(() => trace.length === 6);
    transport.close(1000, '');
    // A microtask queued by one message runs before the next message: each is its own task.
    expect(trace).toEqual(['{"type":"n","payload":1}', 'microtask', '{"type":"n","payload":2}', 'microtask', '{"type":"n","payload":3}', 'microtask']);
  });

  it('sends a burst of 100 frames in order, batched into one POST', async () => {
    const server = await start();
    const recorder = recordingFetch();
    const { conn, transport } = await connect(server, { fetch: recorder.fetch });
    const seen = received(conn, 'n');
    for (let i = 0; i < 100; i++) transport.send(JSON.stringify({ type: 'n', payload: i }));
    await until(() => seen.length === 100);
    expect(seen).toEqual([...Array(100).keys()]);
    expect(recorder.calls.filter((call) => call.method === 'POST' && call.url.includes('sid='))).toHaveLength(1);
  });

  it('keeps POSTs ordered and under maxPayload, one in flight at a time', async () => {
    const server = await start({ maxPayload: 200 });
    const recorder = recordingFetch();
    const { conn, transport } = await connect(server, { fetch: recorder.fetch });
    const seen = received(conn, 'n');
    for (let i = 0; i < 50; i++) transport.send(JSON.stringify({ type: 'n', payload: `é${String(i)}` }));
    await Promise.resolve();
    for (let i = 50; i < 100; i++) transport.send(JSON.stringify({ type: 'n', payload: `é${String(i)}` }));
    await until(() => seen.length === 100);
    expect(seen).toEqual([...Array(100).keys()].map((i) => `é${String(i)}`));
    const posts = recorder.calls.filter((call) => call.method === 'POST' && call.url.includes('sid='));
    expect(posts.length).toBeGreaterThan(1);
    for (const post of posts) expect(new TextEncoder().encode(post.body as string).length).toBeLessThanOrEqual(200);
    expect(conn.isOpen).toBe(true);
  });

  it('gives every request its own abort signal (one shared signal piles up listeners in Node\'s fetch)', async () => {
    const server = await start({ maxPayload: 200 });
    const recorder = recordingFetch();
    const { conn, transport } = await connect(server, { fetch: recorder.fetch });
    const seen = received(conn, 'n');
    for (let i = 0; i < 30; i++) {
      transport.send(JSON.stringify({ type: 'n', payload: i }));
      await until(() => seen.length === i + 1);
    }
    const signals = recorder.calls.map((call) => call.signal);
    expect(signals.length).toBeGreaterThan(30);
    expect(new Set(signals).size).toBe(signals.length);
  });

  it('close() aborts the held poll, sends DELETE with the code, and runs no handler after', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const recorder = recordingFetch();
    const { conn, transport, log } = await connect(server, { fetch: recorder.fetch });
    await pollHeld(clock);
    const serverClosed = new Promise((resolve) => conn.onClose(resolve));
    conn.send('too-late');
    transport.close(4000, 'heartbeat timeout');
    const poll = recorder.calls.find((call) => call.method === 'GET');
    expect(poll?.signal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0)); // (DELETE follows the uploads: none here)
    expect(recorder.calls.at(-1)).toMatchObject({ method: 'DELETE', body: '{"code":4000,"reason":"heartbeat timeout"}' });
    expect(await serverClosed).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(['open']);
  });

  it('close() with lost on a session the server already ended calls lost at once, with nothing (the client waits for it before connecting again)', async () => {
    const server = await start();
    const { conn, transport, closed } = await connect(server);
    conn.close(4000, 'bye');
    await closed;
    const lost = vi.fn();
    transport.close(1000, '', lost);
    expect(lost).toHaveBeenCalledExactlyOnceWith([]);
  });

  it('close() with lost deletes the session at pagehide, without waiting for the upload in flight, and hands lost its frames once', async () => {
    const page = new EventTarget();
    vi.stubGlobal('addEventListener', page.addEventListener.bind(page));
    vi.stubGlobal('removeEventListener', page.removeEventListener.bind(page));
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const { client, deletes } = await uploadHeld();
    const lost = vi.fn();
    client.transport.close(4100, 'bye', lost);
    await settle();
    expect(deletes).toEqual([]); // the DELETE waits for the upload...
    page.dispatchEvent(new Event('pagehide')); // ...unless the page is left: nothing of it runs afterwards
    expect(deletes).toEqual(['{"code":4100,"reason":"bye"}']);
    expect(lost).toHaveBeenCalledExactlyOnceWith([frame(1)]);
    await settle();
    page.dispatchEvent(new Event('pagehide'));
    expect(lost).toHaveBeenCalledOnce(); // not again as the aborted upload settles
    expect(deletes).toHaveLength(1);
  });

  it("close() with lost from the app's own pagehide listener deletes the session at once (that event reaches no listener added now)", async () => {
    const { client, deletes } = await uploadHeld();
    vi.stubGlobal('event', { type: 'pagehide' }); // (window.event while a pagehide listener runs)
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const lost = vi.fn();
    client.transport.close(4100, 'bye', lost);
    expect(deletes).toEqual(['{"code":4100,"reason":"bye"}']);
    expect(lost).toHaveBeenCalledExactlyOnceWith([frame(1)]);
  });

  it('close() during the handshake opens nothing', async () => {
    const server = await start();
    const client = open(wsUrl(server));
    client.transport.close(1000, '');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(client.log).toEqual([]);
  });

  it('reports the server close code after the frames sent before it', async () => {
    const server = await start();
    const { conn, closed, messages, log } = await connect(server);
    conn.send('last');
    conn.close(4000, 'bye');
    expect(await closed).toEqual({ code: 4000, reason: 'bye', wasClean: true });
    expect(messages).toEqual(['{"type":"last"}']);
    expect(log).toEqual(['open', 'message', 'close']);
  });

  it('closes with 4404 when the session is unknown (expired while the client was away)', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 1000 });
    let stalled = false;
    let resume: () => void = () => undefined;
    const stall = new Promise<void>((resolve) => (resume = resolve));
    const stalling: typeof fetch = async (input, init) => {
      if (stalled && init?.method === 'GET') await stall;
      return fetch(input, init);
    };
    const { conn, closed, onClose } = await connect(server, { fetch: stalling });
    await pollHeld(clock);
    stalled = true;
    conn.send('x'); // answers the held poll; the next one stalls on the client
    await until(() => clock.delays().includes(1000));
    clock.advance(1000); // the session expires
    resume();
    expect(await closed).toEqual({ code: 4404, reason: 'unknown or expired session', wasClean: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('closes with 1006 and reports an error when the server is gone', async () => {
    const { server, kill } = await startKillable();
    const { closed, errors, onClose } = await connect(server);
    await kill();
    expect(await closed).toMatchObject({ code: 1006, wasClean: false });
    expect(errors).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('closes with 1006 when nothing listens', async () => {
    const { server, kill } = await startKillable();
    const url = wsUrl(server);
    await kill();
    const { closed, log } = open(url);
    expect(await closed).toMatchObject({ code: 1006, wasClean: false });
    expect(log).toEqual(['close']);
  });

  it('maps refusals to their close codes: 4401 from the body', async () => {
    const server = await start({ authenticate: () => false });
    const { closed, log } = open(wsUrl(server), { credentials: 'bad' });
    expect(await closed).toEqual({ code: 4401, reason: 'unauthorized', wasClean: true });
    expect(log).toEqual(['close']);
  });

  it('keeps the close code of a refusal body on the handshake: 4403, final, stays 4403', async () => {
    const server: typeof fetch = () => Promise.resolve(Response.json({ code: 4403, reason: 'forbidden' }, { status: 403 }));
    expect(await open('ws://example.test/ws', { fetch: server }).closed).toEqual({ code: 4403, reason: 'forbidden', wasClean: true });
  });

  // A CSRF filter, an auth gateway, a plain backend's 404: none of them spoke long-polling, so
  // their status is no verdict on this client. Long-polling just failed to open, as a WebSocket
  // refused by a proxy does (1006), and the client goes back to WebSocket.
  it.each([401, 403, 404, 413, 429, 502])('closes with 1006 when the handshake gets HTTP %d without a close code in the body', async (status) => {
    const middleware: typeof fetch = () => Promise.resolve(new Response(`<h1>${String(status)}</h1>`, { status, headers: { 'content-type': 'text/html' } }));
    expect(await open('ws://example.test/ws', { fetch: middleware }).closed).toEqual({ code: 1006, reason: `HTTP ${String(status)}`, wasClean: false });
  });

  it('reads a JSON body whose code is no close code (an API\'s `{ "code": 403 }`) as no close code', async () => {
    const api: typeof fetch = () => Promise.resolve(Response.json({ code: 403, reason: 'csrf' }, { status: 403 }));
    expect(await open('ws://example.test/ws', { fetch: api }).closed).toEqual({ code: 1006, reason: 'HTTP 403', wasClean: false });
  });

  // Past the handshake the companion server is known to be there: a bare status comes from a
  // proxy in front of it. 404/413/429 keep their retryable meaning; 401/403 never become final.
  it.each([
    [401, 1006, false],
    [403, 1006, false],
    [404, 4404, true],
    [429, 4429, true],
    [502, 1006, false],
  ])('after the handshake, maps a poll answered HTTP %d without a close code to %d', async (status, code, wasClean) => {
    const proxied = afterHandshake(() => new Response('<h1>no</h1>', { status }));
    const client = open('ws://example.test/ws', { fetch: proxied });
    await client.opened;
    expect(await client.closed).toEqual({ code, reason: `HTTP ${String(status)}`, wasClean });
  });

  it('after the handshake, keeps the close code of a refusal body on a poll: 4401 stays final', async () => {
    const server = afterHandshake(() => Response.json({ code: 4401, reason: 'unauthorized' }, { status: 401 }));
    const client = open('ws://example.test/ws', { fetch: server });
    await client.opened;
    expect(await client.closed).toEqual({ code: 4401, reason: 'unauthorized', wasClean: true });
  });

  it('after the handshake, closes with 1009 on a bare 413 to an upload (a proxy body limit) and loses that batch', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<Response>((resolve) => (release = () => { resolve(new Response('[]')); }));
    const proxied = afterHandshake((method) => (method === 'POST' ? new Response('<h1>413</h1>', { status: 413 }) : held));
    const client = open('ws://example.test/ws', { fetch: proxied });
    await client.opened;
    client.transport.send('{"type":"big"}');
    expect(await client.closed).toEqual({ code: 1009, reason: 'HTTP 413', wasClean: true });
    expect(client.transport.unsent()).toEqual([]);
    release();
  });

  it('closes with 1006 when a 200 is not a handshake (a server that does not speak long-polling)', async () => {
    const html: typeof fetch = () => Promise.resolve(new Response('<html></html>', { status: 200 }));
    expect(await open('wss://example.test/ws', { fetch: html }).closed).toMatchObject({ code: 1006, wasClean: false });
  });

  it('closes with 1006 when a request outlives the poll timeout plus grace, aborting it', async () => {
    const clock = new ManualClock();
    let signal: AbortSignal | undefined;
    const hanging: typeof fetch = (_input, init) => {
      signal = init?.signal ?? undefined;
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => { reject(new Error('aborted')); }));
    };
    const client = open('ws://example.test/ws', { fetch: hanging, clock });
    clock.advance(19999);
    expect(signal?.aborted).toBe(false);
    clock.advance(1);
    expect(signal?.aborted).toBe(true);
    clock.advance(0);
    expect(await client.closed).toEqual({ code: 1006, reason: 'long-polling request timed out', wasClean: false });
  });

  describe('an upload whose outcome is unknown', () => {
    /** A transport open on a scripted session whose uploads get `answers` in turn, its first frame handed over and its upload sent. */
    async function uploadingFirstFrame(answers: (Error | number | Response)[]) {
      const clock = new ManualClock();
      const session = scriptedUploads(answers);
      const client = open('ws://example.test/ws', { fetch: session.fetch, clock });
      await client.opened;
      client.transport.send(frame(1));
      await settle();
      return { clock, session, client };
    }

    it('sends it again with the same seq after a network error, so the server processes it once, and later frames after it', async () => {
      const server = await start();
      const clock = new ManualClock();
      const posts: string[] = [];
      // The first upload reaches the server and is processed, but its answer is lost on the way back.
      const cutting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const url = new URL(input as string);
        if (init?.method !== 'POST' || !url.searchParams.has('sid')) return response;
        posts.push(`${url.searchParams.get('seq') ?? '-'} ${init.body as string}`);
        if (posts.length === 1) throw new TypeError('fetch failed');
        return response;
      };
      const { conn, transport, errors, onClose } = await connect(server, { fetch: cutting, clock });
      const seen = received(conn, 'n');
      transport.send(frame(1));
      await until(() => clock.delays().includes(250));
      transport.send(frame(2)); // waits behind the upload being retried
      expect(seen).toEqual([1]);
      clock.advance(250);
      await until(() => posts.length === 3);
      await settle();
      expect(posts).toEqual([`1 ${batch(1)}`, `1 ${batch(1)}`, `2 ${batch(2)}`]);
      expect(seen).toEqual([1, 2]);
      expect({ errors, closes: onClose.mock.calls.length, open: conn.isOpen }).toEqual({ errors: [], closes: 0, open: true });
      transport.close(1000, '');
    });

    it('gives up after 4 more tries (250, 500, 1000, 2000 ms apart): closes with 1006, reports the error once, and unsent() hands the batch back ahead of later frames', async () => {
      const { clock, session, client } = await uploadingFirstFrame([1, 2, 3, 4, 5].map(() => new TypeError('fetch failed')));
      client.transport.send(frame(2));
      for (const delay of [250, 500, 1000, 2000]) {
        expect(clock.delays()).toContain(delay);
        expect(client.onClose).not.toHaveBeenCalled();
        clock.advance(delay);
        await settle();
      }
      clock.advance(0);
      expect(await client.closed).toMatchObject({ code: 1006, wasClean: false });
      expect(session.posts).toEqual([1, 2, 3, 4, 5].map(() => ({ seq: '1', body: batch(1) })));
      expect(client.errors).toHaveLength(1);
      expect(client.transport.unsent()).toEqual([frame(1), frame(2)]);
    });

    it.each([502, 503, 504])('sends it again, same seq, when a gateway answers %d without the protocol\'s { code } body', async (status) => {
      const { clock, session, client } = await uploadingFirstFrame([status]);
      clock.advance(250);
      await settle();
      client.transport.send(frame(2));
      await settle();
      expect(session.posts).toEqual([{ seq: '1', body: batch(1) }, { seq: '1', body: batch(1) }, { seq: '2', body: batch(2) }]);
      expect(client.onClose).not.toHaveBeenCalled();
    });

    it('does not send again an upload the server itself refused with 503 and its { code } (shutting down): closes with that code, the batch kept for unsent()', async () => {
      const { clock, session, client } = await uploadingFirstFrame([Response.json({ code: 1001, reason: 'server shutting down' }, { status: 503 })]);
      clock.advance(0);
      expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down', wasClean: true });
      expect(session.posts).toHaveLength(1);
      expect(client.transport.unsent()).toEqual([frame(1)]);
    });

    it('keeps drain() (the WebSocket upgrade waiting for the uploads) pending until the upload sent again is answered', async () => {
      const { clock, session, client } = await uploadingFirstFrame([new TypeError('fetch failed')]);
      let drained = false;
      void client.transport.drain().then(() => { drained = true; });
      await settle();
      expect(drained).toBe(false);
      clock.advance(250);
      await settle();
      expect(drained).toBe(true);
      expect(session.posts).toHaveLength(2);
    });

    it('stops sending it again once the server ended the session: reports the server\'s close and hands the batch back', async () => {
      const { clock, session, client } = await uploadingFirstFrame([new TypeError('fetch failed')]);
      session.end({ code: 1012, reason: 'restart' });
      await settle();
      expect(client.onClose).not.toHaveBeenCalled();
      clock.advance(250);
      clock.advance(0);
      expect(await client.closed).toEqual({ code: 1012, reason: 'restart', wasClean: true });
      expect(session.posts).toHaveLength(1);
      expect(client.transport.unsent()).toEqual([frame(1)]);
    });

    it('lets close() wait for the upload being sent again, then DELETEs the session', async () => {
      const { clock, session, client } = await uploadingFirstFrame([new TypeError('fetch failed')]);
      const lost = vi.fn();
      client.transport.close(1000, 'bye', lost);
      await settle();
      expect(session.requests.at(-1)).toBe('POST 1');
      clock.advance(250);
      await settle();
      expect(session.requests.slice(-2)).toEqual(['POST 1', 'DELETE -']);
      expect(lost).toHaveBeenCalledWith([]);
    });

    it('cancels the next try when closed without waiting (a drop, leaving the page): the batch stays for unsent()', async () => {
      const { clock, session, client } = await uploadingFirstFrame([new TypeError('fetch failed')]);
      expect(clock.delays()).toContain(250);
      client.transport.close(4000, 'heartbeat timeout');
      expect(clock.delays()).not.toContain(250);
      expect(client.transport.unsent()).toEqual([frame(1)]);
      expect(session.requests.at(-1)).toBe('DELETE -');
    });
  });
});
