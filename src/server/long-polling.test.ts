import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ForbiddenError } from './admission.js';
import type { Connection } from './connection.js';
import { uploadLimit } from './long-polling.js';
import type { EnhancedWebSocketServer } from './server.js';
import { httpUrl, ManualClock, nextConnection, openSession, pollHeld, until, useServers } from './test-utils.js';

const { start } = useServers();

interface Session {
  sid: string;
  url: string;
  conn: Connection;
}

async function handshake(server: EnhancedWebSocketServer, init: RequestInit = {}): Promise<Session> {
  const connection = nextConnection(server);
  const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST', ...init });
  expect(response.status).toBe(200);
  const { sid } = (await response.json()) as { sid: string };
  return { sid, url: httpUrl(server, `?transport=polling&sid=${sid}`), conn: await connection };
}

const poll = async (url: string, init?: RequestInit): Promise<unknown[]> => (await fetch(url, init)).json() as Promise<unknown[]>;
const upload = (url: string, frames: unknown[]): Promise<Response> => fetch(url, { method: 'POST', body: JSON.stringify(frames) });

describe('long-polling endpoints', () => {
  it('hands out a session: sid, timeouts and maxPayload, with CORS for the calling origin', async () => {
    const server = await start({ pollTimeoutMs: 1000, maxPayload: 2048 });
    const connection = nextConnection(server);
    const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST', headers: { Origin: 'https://app.example' } });
    expect(await response.json()).toEqual({ sid: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, pollTimeoutMs: 1000, sessionTimeoutMs: 30000, maxPayload: 2048 });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await connection).transport).toBe('long-polling');
  });

  it('answers a held poll with the frames sent in one tick, as one batch of strings', async () => {
    const server = await start();
    const { url, conn } = await handshake(server);
    const batch = poll(url);
    await new Promise((resolve) => setTimeout(resolve, 20));
    conn.send('a', 1);
    conn.send('b', 2);
    expect(await batch).toEqual(['{"type":"a","payload":1}', '{"type":"b","payload":2}']);
  });

  it('answers at once when frames are waiting', async () => {
    const server = await start();
    const { url, conn } = await handshake(server);
    conn.send('early');
    expect(await poll(url)).toEqual(['{"type":"early"}']);
  });

  it('answers an empty batch after pollTimeoutMs', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, pollTimeoutMs: 5000 });
    const { url } = await handshake(server);
    const batch = poll(url);
    await pollHeld(clock, 5000);
    clock.advance(5000);
    expect(await batch).toEqual([]);
  });

  it('releases an older poll with an empty batch when a newer one arrives', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const { url, conn } = await handshake(server);
    const first = poll(url);
    await pollHeld(clock);
    const second = poll(url);
    expect(await first).toEqual([]);
    conn.send('x');
    expect(await second).toEqual(['{"type":"x"}']);
  });

  it('delivers uploaded frames in order and answers 204', async () => {
    const server = await start();
    const { url, conn } = await handshake(server);
    const seen: unknown[] = [];
    conn.on('n', (payload) => seen.push(payload));
    const response = await upload(url, ['{"type":"n","payload":1}', '{"type":"n","payload":2}', '{"type":"n","payload":3}']);
    expect(response.status).toBe(204);
    expect(seen).toEqual([1, 2, 3]);
  });

  it.each(['GET', 'POST', 'DELETE'])('answers %s with an unknown sid with 404 and close code 4404', async (method) => {
    const server = await start();
    const response = await fetch(httpUrl(server, '?transport=polling&sid=nope'), { method, ...(method === 'GET' ? {} : { body: '[]' }) });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 4404, reason: 'unknown or expired session' });
  });

  it('refuses requests that are not long-polling and methods it does not serve', async () => {
    const server = await start();
    const wrongPath = await fetch(httpUrl(server));
    expect(wrongPath.status).toBe(400);
    expect(await wrongPath.json()).toMatchObject({ code: 1008 }); // every refusal carries a close code
    const { url } = await handshake(server);
    const wrongMethod = await fetch(url, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ code: 1008 });
  });

  it('answers a CORS preflight', async () => {
    const server = await start();
    const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'OPTIONS', headers: { Origin: 'https://app.example' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
  });

  it('expires a session that stops polling: the connection ends with 1006 and its sid is gone', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 10000 });
    const { url, conn } = await handshake(server);
    const closed = new Promise((resolve) => conn.onClose(resolve));
    clock.advance(9999);
    expect(conn.isOpen).toBe(true);
    clock.advance(1);
    expect(await closed).toEqual({ code: 1006, reason: 'session expired' });
    expect((await fetch(url)).status).toBe(404);
    expect(server.connections.size).toBe(0);
  });

  it('does not expire while a poll is held, and counts from when the client gives a poll up', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 10000, pollTimeoutMs: 60000 });
    const { url, conn } = await handshake(server);
    const abort = new AbortController();
    const held = poll(url, { signal: abort.signal }).catch(() => 'aborted');
    await pollHeld(clock, 60000);
    clock.advance(50000);
    expect(conn.isOpen).toBe(true);
    abort.abort();
    await held;
    await until(() => clock.delays().includes(10000));
    clock.advance(10000);
    expect(conn.isOpen).toBe(false);
  });

  it('ends the connection with the code and reason of the client DELETE', async () => {
    const server = await start();
    const { url, conn } = await handshake(server);
    const closed = new Promise((resolve) => conn.onClose(resolve));
    const response = await fetch(url, { method: 'DELETE', body: JSON.stringify({ code: 4000, reason: 'heartbeat timeout' }) });
    expect(response.status).toBe(204);
    expect(await closed).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    expect((await fetch(url)).status).toBe(404);
  });

  it.each([
    ['no body', undefined, { code: 1005, reason: '' }],
    ['a code no close frame may carry (1006)', { code: 1006, reason: 'gone' }, { code: 1005, reason: '' }],
    ['a code out of range', { code: 99999, reason: 'x' }, { code: 1005, reason: '' }],
    ['a code that is no integer', { code: 1000.5, reason: 'x' }, { code: 1005, reason: '' }],
    ['a code that is no number', { code: '4000', reason: 'x' }, { code: 1005, reason: '' }],
    ['1001, which browsers send on leaving a page', { code: 1001, reason: 'bye' }, { code: 1001, reason: 'bye' }],
    ['a reason over 123 bytes', { code: 4000, reason: 'é'.repeat(62) }, { code: 4000, reason: '' }],
    ['a reason of exactly 123 bytes', { code: 4000, reason: 'x'.repeat(123) }, { code: 4000, reason: 'x'.repeat(123) }],
  ])('reads a client DELETE with %s as a close frame would be read', async (_name, body, expected) => {
    const server = await start();
    const { url, conn } = await handshake(server);
    const closed = new Promise((resolve) => conn.onClose(resolve));
    const init: RequestInit = body === undefined ? { method: 'DELETE' } : { method: 'DELETE', body: JSON.stringify(body) };
    expect((await fetch(url, init)).status).toBe(204);
    expect(await closed).toEqual(expected);
  });

  it('sends the queued frames then { code, reason } when the server closes, then forgets the sid', async () => {
    const server = await start();
    const { url, conn } = await handshake(server);
    conn.send('last');
    conn.close(4000, 'done');
    expect((await upload(url, ['{"type":"late"}'])).status).toBe(410);
    expect(await poll(url)).toEqual(['{"type":"last"}', { code: 4000, reason: 'done' }]);
    expect((await fetch(url)).status).toBe(404);
  });

  describe('guards', () => {
    it('passes the Authorization bearer credential to authenticate', async () => {
      const authenticate = vi.fn((_request: unknown, token: string | undefined) => token === 'good' && { id: 7 });
      const server = await start({ authenticate });
      const { conn } = await handshake(server, { headers: { Authorization: 'Bearer good' } });
      expect(conn.user).toEqual({ id: 7 });
      expect(authenticate).toHaveBeenCalledWith(expect.anything(), 'good');
    });

    it.each([
      ['a falsy result', () => null, 401, { code: 4401, reason: 'unauthorized' }],
      ['a ForbiddenError', () => { throw new ForbiddenError('not yours'); }, 403, { code: 4403, reason: 'not yours' }],
      ['an error with status 401', () => { throw Object.assign(new Error('expired'), { status: 401 }); }, 401, { code: 4401, reason: 'expired' }],
    ])('refuses the handshake on %s', async (_name, authenticate, status, body) => {
      const server = await start({ authenticate });
      const onConnection = vi.fn();
      server.on('connection', onConnection);
      const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST', headers: { Authorization: 'Bearer x' } });
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual(body);
      expect(onConnection).not.toHaveBeenCalled();
    });

    it('refuses a disallowed Origin with 403 and close code 1008, readable cross-origin', async () => {
      const server = await start({ allowedOrigins: ['https://app.example'] });
      const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST', headers: { Origin: 'https://evil.example' } });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ code: 1008, reason: 'origin not allowed' });
      expect(response.headers.get('access-control-allow-origin')).toBe('https://evil.example');
      await handshake(server, { headers: { Origin: 'https://app.example' } });
    });

    it('answers 500 with close code 1011 and reports when the allowedOrigins predicate throws', async () => {
      const server = await start({ allowedOrigins: () => { throw new Error('origin db down'); } });
      const errors: Error[] = [];
      server.on('error', (error) => errors.push(error));
      const response = await fetch(httpUrl(server, '?transport=polling'), { method: 'POST', headers: { Origin: 'https://app.example' } });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ code: 1011, reason: 'origin check failed' });
      expect(errors.map((e) => e.message)).toEqual(['origin db down']);
      expect(server.connections.size).toBe(0);
    });

    it('answers a frame over maxPayload with 413 and closes the connection with 1009', async () => {
      const server = await start({ maxPayload: 100 });
      const { url, conn } = await handshake(server);
      const closed = new Promise((resolve) => conn.onClose(resolve));
      const response = await upload(url, [JSON.stringify({ type: 'big', payload: 'x'.repeat(100) })]);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ code: 1009, reason: 'message too big' });
      expect(await closed).toEqual({ code: 1009, reason: 'message too big' });
    });

    it('accepts a frame within maxPayload whose escaped body is larger, as WebSocket would', async () => {
      const server = await start({ maxPayload: 100 });
      const { url, conn } = await handshake(server);
      const seen: unknown[] = [];
      conn.on('qq', (payload) => seen.push(payload));
      const frame = JSON.stringify({ type: 'qq', payload: '"'.repeat(37) });
      expect(Buffer.byteLength(frame)).toBe(100);
      expect(Buffer.byteLength(JSON.stringify([frame]))).toBe(186); // each `\"` travels as `\\\"`
      expect((await upload(url, [frame])).status).toBe(204);
      expect(seen).toEqual(['"'.repeat(37)]);
      expect(conn.isOpen).toBe(true);
    });

    it('bounds the body by the worst escaping of one frame: maxPayload control characters fit, one more byte does not', async () => {
      const server = await start({ maxPayload: 100 });
      const { url, conn } = await handshake(server);
      const body = JSON.stringify(['\u0000'.repeat(100)]);
      expect(Buffer.byteLength(body)).toBe(uploadLimit(100));
      expect((await fetch(url, { method: 'POST', body })).status).toBe(204); // malformed (BAD_JSON), but not too big
      expect(conn.isOpen).toBe(true);
      expect((await upload(url, ['\u0000'.repeat(101)])).status).toBe(413);
      expect(conn.isOpen).toBe(false);
    });

    it('refuses a whole batch with 413 and 1009 when one frame is over maxPayload: none of its frames is delivered', async () => {
      const server = await start({ maxPayload: 100 });
      const { url, conn } = await handshake(server);
      const seen: unknown[] = [];
      conn.on('n', (payload) => seen.push(payload));
      const closed = new Promise((resolve) => conn.onClose(resolve));
      const big = JSON.stringify({ type: 'n', payload: 'x'.repeat(100) });
      const response = await upload(url, ['{"type":"n","payload":1}', big, '{"type":"n","payload":3}']);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ code: 1009, reason: 'message too big' });
      expect(await closed).toEqual({ code: 1009, reason: 'message too big' });
      expect(seen).toEqual([]);
    });

    it('answers a body that is not a JSON array with 400 and closes with 1007', async () => {
      const server = await start();
      const { url, conn } = await handshake(server);
      const closed = new Promise((resolve) => conn.onClose(resolve));
      const response = await fetch(url, { method: 'POST', body: '{"type":"x"}' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 1007 });
      expect(await closed).toMatchObject({ code: 1007 });
    });
  });
});

/** A GET written on a raw socket that does not read until `resume()`: a slow client on a real network. */
function slowGet(port: number, path: string): { resume(): Promise<string> } {
  const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
  socket.pause();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  return {
    resume() {
      socket.resume();
      return new Promise((resolve) => socket.on('close', () => { resolve(Buffer.concat(chunks).toString('utf8')); }));
    },
  };
}

describe('long-polling at server.close()', () => {
  it('delivers the whole final batch of a held poll on server.close(), also to a client that reads slowly', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false });
    const { sid, conn } = await openSession(server);
    const get = slowGet(server.port ?? 0, `/ws?transport=polling&sid=${sid}`);
    await pollHeld(clock);
    const text = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) conn.send('bulk', text); // ~13 MB queued in one tick
    const closed = server.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answer = await get.resume();
    await closed;
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    const length = Number(/content-length: (\d+)/i.exec(answer)?.[1]);
    expect(Buffer.byteLength(body)).toBe(length);
    expect((JSON.parse(body) as unknown[]).at(-1)).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});

/** A POST whose body arrives in two parts: `finish()` sends the rest and resolves with the answer's status line and body. */
function splitPost(port: number, path: string, body: string): Promise<{ finish(): Promise<string> }> {
  return new Promise((ready) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body.slice(0, 1)}`);
      ready({
        finish() {
          let text = '';
          socket.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
          socket.write(body.slice(1));
          return new Promise((resolve) => {
            const check = setInterval(() => {
              const end = text.indexOf('\r\n\r\n');
              if (end < 0) return;
              const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
              if (Buffer.byteLength(text.slice(end + 4)) < length) return;
              clearInterval(check);
              socket.destroy();
              resolve(`${text.slice(0, text.indexOf('\r\n'))} ${text.slice(end + 4)}`);
            }, 5);
          });
        },
      });
    });
  });
}

describe('long-polling session expiry', () => {
  it('answers a POST whose session expired while its body arrived as an unknown session: 404, 4404 (not 410 with 1006)', async () => {
    const clock = new ManualClock();
    const server = await start({ clock, pingIntervalMs: false, sessionTimeoutMs: 10000 });
    const { sid, conn } = await openSession(server);
    const post = await splitPost(server.port ?? 0, `/ws?transport=polling&sid=${sid}`, '["{\\"type\\":\\"x\\"}"]');
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(10000);
    expect(conn.isOpen).toBe(false);
    expect(await post.finish()).toBe('HTTP/1.1 404 Not Found {"code":4404,"reason":"unknown or expired session"}');
  });
});

describe('long-polling upload seq', () => {
  /** The session's upload URL with `seq` (raw: the tests also send what a client never would). */
  const numbered = (url: string, seq: string): string => `${url}&seq=${seq}`;
  const frame = (n: number): string => JSON.stringify({ type: 'n', payload: n });

  async function session(server: EnhancedWebSocketServer) {
    const opened = await handshake(server);
    const seen: unknown[] = [];
    opened.conn.on('n', (payload) => seen.push(payload));
    return { ...opened, seen };
  }

  it('processes an upload once when its seq comes again (a retry whose first try got through), answering both 204', async () => {
    const server = await start();
    const { url, conn, seen } = await session(server);
    expect((await upload(numbered(url, '1'), [frame(1)])).status).toBe(204);
    expect((await upload(numbered(url, '1'), [frame(1)])).status).toBe(204);
    expect((await upload(numbered(url, '2'), [frame(2)])).status).toBe(204);
    expect(seen).toEqual([1, 2]);
    expect(conn.isOpen).toBe(true);
  });

  it('processes every upload without a seq, as before (a client that does not number its uploads)', async () => {
    const server = await start();
    const { url, seen } = await session(server);
    expect((await upload(url, [frame(1)])).status).toBe(204);
    expect((await upload(url, [frame(1)])).status).toBe(204);
    expect(seen).toEqual([1, 1]);
  });

  it('answers 204 and processes nothing when a first try arrives after its retry was processed', async () => {
    const server = await start();
    const { sid, url, conn, seen } = await session(server);
    // the first try of seq 1 is slow (its body still arriving), the retry overtakes it
    const late = await splitPost(server.port ?? 0, `/ws?transport=polling&sid=${sid}&seq=1`, JSON.stringify([frame(1)]));
    expect((await upload(numbered(url, '1'), [frame(1)])).status).toBe(204);
    expect((await upload(numbered(url, '2'), [frame(2)])).status).toBe(204);
    expect(await late.finish()).toMatch(/^HTTP\/1.1 204 /);
    expect(seen).toEqual([1, 2]);
    expect(conn.isOpen).toBe(true);
  });

  it.each([
    ['skips one', '2'],
    ['is no positive integer', 'x'],
    ['is 0', '0'],
  ])('refuses an upload whose seq %s with 409 and close code 1002, processing none of its frames', async (_name, seq) => {
    const server = await start();
    const { url, conn, seen } = await session(server);
    const closed = new Promise((resolve) => conn.onClose(resolve));
    const response = await upload(numbered(url, seq), [frame(1)]);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ code: 1002, reason: 'long-polling upload out of sequence' });
    expect(await closed).toEqual({ code: 1002, reason: 'long-polling upload out of sequence' });
    expect(seen).toEqual([]);
  });

  it('answers 204 to a seq already processed once the session is closed, and 410 to the next one', async () => {
    const server = await start();
    const { url, conn, seen } = await session(server);
    expect((await upload(numbered(url, '1'), [frame(1)])).status).toBe(204);
    conn.close(4000, 'done');
    expect((await upload(numbered(url, '1'), [frame(1)])).status).toBe(204);
    expect((await upload(numbered(url, '2'), [frame(2)])).status).toBe(410);
    expect(seen).toEqual([1]);
  });
});
