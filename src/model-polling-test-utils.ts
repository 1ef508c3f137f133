// The long-polling side of the model's fake server (model-test-utils.ts): a `fetch` that speaks
// docs/protocol.md's long-polling, one PollingSession per handshake, driven by the model's steps.
// Uploads are processed (their frames logged) when the server answers them, after its latency.

import type { ModelServer, Peer } from './model-test-utils.js';

interface Held {
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
}

/** What the client reads of a response: `ok`, `status`, `json()`. */
function answer(status: number, body?: unknown): Response {
  const json = (): Promise<unknown> => (body === undefined ? Promise.reject(new SyntaxError('no body')) : Promise.resolve(body));
  return { ok: status >= 200 && status < 300, status, json } as unknown as Response;
}

const POLL_TIMEOUT_MS = 25000;

export class PollingSession implements Peer {
  readonly kind = 'long-polling';
  readonly probe = false;
  successor: Peer | undefined;
  unanswered: string[] = [];
  lastPingAt: number | undefined;
  pingByPolling = true;
  lastPingSeq = -1;
  lastInboundSeq = -1;
  lastInboundAt: number | undefined;
  sid = '';
  state: 'handshake' | 'open' | 'closing' | 'ended' = 'handshake';
  /** The client let go of it: aborted its poll, or deleted the session. */
  gone = false;
  deleted = false;
  /**
   * Frames of uploads the client aborted: the server never got them (their fate unknown to the client).
   * `excused` when the client was dropping the connection (a DELETE came in the same moment): "a drop
   * closes at once" (docs/architecture.md), at most once as on a socket; otherwise a loss.
   */
  readonly aborted: { frames: string[]; at: number; excused: boolean }[] = [];
  /** The server refused one of its uploads: the client ends the session (a task later). */
  refused = false;
  /** A gateway's bare 502/503/504 answered an upload: the client sends it again (same seq) after a backoff. */
  retrying = false;
  /** Uploads received and not answered yet (their frames not processed), in order. */
  readonly uploads: { frames: string[]; held: Held }[] = [];
  /**
   * Frames of uploads processed whose answers a cut lost: the client cannot know, retries, and hands
   * them back when it gives up, so they may arrive again on the next session (at least once).
   */
  readonly uncertain: string[][] = [];
  private _poll: Held | undefined;
  private readonly _outbox: unknown[] = [];

  constructor(
    private readonly _server: ModelServer,
    private _handshake: Held | undefined,
  ) {}

  /** The long-polling server behind the client's `fetch` option. */
  static fetch(server: ModelServer, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const sid = url.searchParams.get('sid');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? init.body : '';
    return new Promise<Response>((resolve, reject) => {
      const held: Held = { resolve, reject };
      const session = sid ? server.peers.find((peer): peer is PollingSession => peer instanceof PollingSession && peer.sid === sid) : new PollingSession(server, held);
      init?.signal?.addEventListener('abort', () => {
        session?._aborted(held);
        reject(new DOMException('aborted', 'AbortError'));
      });
      if (!sid) server.connected(session as PollingSession, url.href);
      else if (!session || (session.state === 'ended' && method !== 'DELETE')) resolve(answer(404, { code: 4404, reason: 'no such session' }));
      else if (method === 'GET') session._hold(held);
      else if (method === 'POST') session._upload(body, held);
      else if (method === 'DELETE') {
        session._delete(body);
        resolve(answer(204));
      }
    });
  }

  get pending(): boolean {
    return this.state === 'handshake';
  }

  get attached(): boolean {
    return !this.gone && this.state !== 'ended';
  }

  /**
   * Its DELETE came. (A session that failed or that the server ended is let go a task later,
   * without a word to the server; an aborted poll may be the transport's own doing before that.)
   */
  get released(): boolean {
    return this.deleted;
  }

  accept(): boolean {
    const handshake = this._handshake;
    if (this.state !== 'handshake' || !handshake) return false;
    this._handshake = undefined;
    this.state = 'open';
    this.sid = `s${this._server.peers.indexOf(this)}`;
    handshake.resolve(answer(200, { sid: this.sid, pollTimeoutMs: POLL_TIMEOUT_MS, sessionTimeoutMs: 30000, maxPayload: 100000 }));
    return true;
  }

  /** The handshake fails as a network error (the server is down). */
  refuse(): boolean {
    const handshake = this._handshake;
    if (this.state !== 'handshake' || !handshake) return false;
    this._handshake = undefined;
    this.state = 'ended';
    handshake.reject(new TypeError('fetch failed'));
    return true;
  }

  /** Text frames only: long-polling carries strings (a binary frame cannot be sent). */
  deliver(data: unknown): boolean {
    if (this.state !== 'open' || typeof data !== 'string') return false;
    this._outbox.push(data);
    this._answerPoll();
    return true;
  }

  /** The session's last batch will end with `{ code, reason }`. */
  closeFrame(code: number, reason: string): boolean {
    if (this.state !== 'open') return false;
    this.state = 'closing';
    this._outbox.push({ code, reason });
    this._answerPoll();
    return true;
  }

  finishClose(): boolean {
    return false;
  }

  /** The network fails: uploads in flight were processed (their answers are lost), every request fails. */
  cut(): boolean {
    if (this.state === 'ended' || this.state === 'handshake') return false;
    this.state = 'ended';
    for (const upload of this.uploads.splice(0)) {
      for (const frame of upload.frames) this._server.receive(this, frame);
      this.uncertain.push(upload.frames);
      this.retrying = true; // (no answer: the client tries again before it gives the session up)
      upload.held.reject(new TypeError('network error'));
    }
    this._poll?.reject(new TypeError('network error'));
    this._poll = undefined;
    return true;
  }

  /** The oldest upload in flight is refused, unprocessed: with the protocol's body (4404, 4429) or a bare status (503 from a proxy). */
  refuseUpload(status: number): boolean {
    const upload = this.uploads.shift();
    if (!upload) return false;
    if (status >= 502 && status <= 504) this.retrying = true;
    else this.refused = true;
    const codes: Partial<Record<number, number>> = { 404: 4404, 429: 4429 };
    const code = codes[status];
    upload.held.resolve(answer(status, code === undefined ? undefined : { code, reason: `refused with ${status}` }));
    return true;
  }

  /** The connection moves to an upgrade probe: the last batch ends "upgraded". False when the session is not open. */
  switchTo(socket: Peer): boolean {
    if (this.state !== 'open') return false;
    this.successor = socket;
    this.state = 'closing';
    // The last batch reaches the client a network latency later: what the server sends on the socket
    // meanwhile arrives there first (the client holds it until long-polling has ended).
    this._server.later(() => {
      this._outbox.push({ code: 1000, reason: 'upgraded' });
      this._answerPoll();
    });
    return true;
  }

  private _hold(held: Held): void {
    this._poll?.resolve(answer(200, [])); // a newer poll releases the older one
    this._poll = held;
    if (this._outbox.length) {
      this._answerPoll();
      return;
    }
    this._server.later(() => {
      if (this._poll !== held) return;
      this._poll = undefined;
      held.resolve(answer(200, []));
    }, POLL_TIMEOUT_MS);
  }

  private _answerPoll(): void {
    const poll = this._poll;
    if (!poll || !this._outbox.length) return;
    this._poll = undefined;
    const batch = this._outbox.splice(0);
    if (batch.some((item) => typeof item !== 'string')) this.state = 'ended';
    // (frames are proof of life for the heartbeat; a close item alone is not)
    if (!this.gone && batch.some((item) => typeof item === 'string')) {
      this.lastInboundSeq = this._server.tick();
      this.lastInboundAt = Date.now();
    }
    poll.resolve(answer(200, batch));
  }

  private _upload(body: string, held: Held): void {
    const close = this._outbox.find((item) => typeof item !== 'string');
    if (this.state === 'closing') {
      held.resolve(answer(410, close));
      return;
    }
    const upload = { frames: JSON.parse(body) as string[], held };
    this.retrying = false;
    this.uploads.push(upload);
    this._server.later(() => {
      const index = this.uploads.indexOf(upload);
      if (index < 0) return; // refused or cut meanwhile
      this.uploads.splice(index, 1);
      if (this.state !== 'open') {
        held.resolve(answer(410, this._outbox.find((item) => typeof item !== 'string') ?? { code: 1000, reason: 'closed' }));
        return;
      }
      for (const frame of upload.frames) this._server.receive(this, frame);
      held.resolve(answer(204));
    });
  }

  private _delete(body: string): void {
    const { code } = (body ? JSON.parse(body) : {}) as { code?: number };
    for (const entry of this.aborted) if (entry.at === Date.now()) entry.excused = true;
    this.gone = this.deleted = true;
    if (this.state !== 'ended') this._server.onClientClose(this, code);
    // The server ends the session when the DELETE reaches it, a network latency later (after an
    // `upgrade` frame the client wrote on a probe before it, which travels as fast).
    this._server.later(() => {
      this.state = 'ended';
    });
  }

  /** The client aborted a request: an aborted poll means it stopped listening; an aborted upload never reached the server. */
  private _aborted(held: Held): void {
    if (this._handshake === held) {
      this._handshake = undefined;
      this.state = 'ended';
      this.gone = true;
    }
    if (this._poll === held) {
      this._poll = undefined;
      this.gone = true;
    }
    const index = this.uploads.findIndex((upload) => upload.held === held);
    if (index < 0) return;
    const [upload] = this.uploads.splice(index, 1);
    this.aborted.push({ frames: upload?.frames ?? [], at: Date.now(), excused: false });
  }
}
