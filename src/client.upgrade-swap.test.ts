// The long-polling → WebSocket upgrade while it swaps transports (writes held from the probe's
// open until long-polling drained and the server switched), step by step: a scripted
// long-polling server and scripted sockets under fake timers, so the test opens the probe, holds
// an upload, cuts the socket, ends the session exactly when it says. The same moves against the
// real companion server: client.upgrade-heartbeat, client.upgrade-probe-cut and
// client.upgrade-closed-after-switch tests.
import { describe, expect, it } from 'vitest';
import type { ClientOptions } from './options.js';
import { ScriptedPollingServer, scriptedSockets, type ScriptedSocket } from './scripted-transports-test-utils.js';
import { advance, collect, makeClient, useHarness } from './test-utils.js';

useHarness();

/** Fails every first connection, as behind a proxy that refuses upgrades; a probe waits for the test. */
const refuseAllButProbes = (socket: ScriptedSocket): void => {
  if (!socket.isProbe) setTimeout(() => { socket.end(1006); }, 1);
};

/** A client open on long-polling (WebSocket refused twice), its first upgrade probe made but not open. */
async function onLongPolling(options: ClientOptions = {}, server = new ScriptedPollingServer({ answerPings: true }), behave = refuseAllButProbes) {
  const sockets = scriptedSockets(behave);
  const client = makeClient('ws://example.test/ws', {
    WebSocket: sockets.WebSocket,
    transports: ['websocket', 'long-polling'],
    fetch: server.fetch,
    reconnect: { initialDelay: 10, maxDelay: 50 },
    random: () => 1,
    ...options,
  });
  await advance(200);
  expect(client.state).toBe('open');
  expect(client.transport).toBe('long-polling');
  const probe = sockets.last();
  expect(probe.isProbe).toBe(true);
  return { server, sockets, client, probe };
}

describe('EnhancedWebSocketClient upgrade: a heartbeat ping held by the swap', () => {
  it('times a held ping from when it leaves, not from when it fell due: a slow upload does not close a healthy connection with 4000', async () => {
    // Default heartbeat (25 s interval, 10 s timeout). The server answers pings on long-polling but
    // never switches (docs: the client carries on over long-polling), and an upload is slow to be
    // answered when the probe opens, so the swap holds writes, the ping among them.
    const { server, sockets, client } = await onLongPolling();
    const closes: number[] = [];
    client.onClose(({ code }) => closes.push(code));
    await advance(23_000); // t ≈ 23.2 s; the first ping is due 25 s after the open
    server.holdUploads = true;
    client.send('slow' as never); // an upload in flight, answered some 2 s later (a slow uplink)
    await advance(700);
    const probe = sockets.last(); // (earlier probes gave up unopened: connectTimeout)
    expect(probe.isProbe && probe.readyState).toBe(0);
    probe.accept(); // writes are held until that upload is answered
    await advance(1_500); // the ping falls due now: held, not sent
    expect(server.received.map((frame) => frame.type)).not.toContain('ping');
    server.releaseUploads();
    server.holdUploads = false;
    await advance(10); // drained: the upgrade frame goes out; the server never switches
    expect(probe.sentTypes).toEqual(['upgrade']);
    // The commit timeout (10 s) gives up on the probe and the held ping goes out on long-polling,
    // where the server answers it at once.
    await advance(10_500);
    expect(closes).toEqual([]); // before the fix: [4000], "heartbeat timeout" for a ping that had not left
    expect(client.state).toBe('open');
    expect(client.transport).toBe('long-polling');
    expect(server.received.map((frame) => frame.type)).toContain('ping');
  });
});

describe('EnhancedWebSocketClient upgrade: close() while the swap holds writes', () => {
  it('still sends what was sent before close(), on long-polling, then deletes the session', async () => {
    const { server, client, probe } = await onLongPolling();
    server.holdUploads = true;
    client.send('first' as never); // an upload in flight
    await advance(10);
    probe.accept(); // writes are held until that upload is answered; no upgrade frame yet
    await advance(10);
    client.send('bye' as never);
    client.close();
    server.releaseUploads();
    await advance(100);
    server.releaseUploads();
    await advance(100);
    // README, close(): "what was sent before close() still goes out", as on WebSocket and long-polling alone
    expect(server.received.map((frame) => frame.type)).toEqual(['first', 'bye']); // before the fix: ['first']
    expect(server.requests.at(-1)).toBe('DELETE s1');
    expect(probe.sent).toEqual([]);
    expect(client.stats.queued).toBe(0); // before the fix: 1, left in the queue, never reported
  });
});

describe('EnhancedWebSocketClient upgrade: close() once the upgrade frame went out', () => {
  it('sends what was sent before close() on the probe once the upgrade frame went out (long-polling would refuse it: the server reads the probe)', async () => {
    // As the companion server does: once it switched, an upload to the handed-over session is
    // refused 410 { code: 1000, reason: 'upgraded' } (src/server/long-polling.ts, _upload).
    let switched = false;
    const server = new ScriptedPollingServer({
      answerPings: true,
      refuse: () => (switched ? Response.json({ code: 1000, reason: 'upgraded' }, { status: 410 }) : undefined),
    });
    const { client, probe } = await onLongPolling({}, server);
    const errors = collect<Error>();
    client.onError(errors.push);
    probe.accept();
    await advance(10);
    expect(probe.sentTypes).toEqual(['upgrade']);
    switched = true; // the server moved the connection to the probe; its "upgraded" batch is on its way
    client.send('bye' as never); // held by the swap
    client.close(4000, 'logout');
    await advance(100);
    const delivered = [...server.received.map((frame) => frame.type), ...probe.sentTypes];
    expect(errors.items.map((error) => error.message)).toEqual([]); // before the fix: "bye" was not sent: not delivered after close()
    expect(delivered).toContain('bye');
    expect(probe.closedWith).toEqual({ code: 4000, reason: 'logout' });
  });
});

describe('EnhancedWebSocketClient upgrade: the probe cut after the server switched', () => {
  it('delivers the frames that came on the probe (a reply, a message) when it is then cut and long-polling ends "upgraded"', async () => {
    const { server, client, probe } = await onLongPolling();
    const chats: unknown[] = [];
    client.on('chat' as never, (payload: unknown) => chats.push(payload));
    const reply = client.request('sum' as never, [1, 2] as never).then(
      (value) => ({ value }),
      (error: unknown) => ({ error: String(error) }),
    );
    await advance(10);
    const request = server.received.find((frame) => frame.type === 'sum');
    expect(request?.id).toEqual(expect.any(String));
    probe.accept();
    await advance(10);
    expect(probe.sentTypes).toEqual(['upgrade']);
    // The server switches: the connection sends on the socket now; two frames arrive there.
    probe.deliver({ type: 'reply', id: request?.id ?? '', payload: 3 });
    probe.deliver({ type: 'chat', payload: 'after the switch' });
    // Then a proxy cuts the socket (no close frame), before long-polling's last batch came back.
    probe.end(1006);
    await advance(10);
    server.push({ code: 1000, reason: 'upgraded' }); // the session's last batch: the server did switch
    await advance(100);
    // Both frames reach the app; the server counts them as delivered.
    expect(await reply).toEqual({ value: 3 }); // before the fix: { error: 'ConnectionClosedError: … code 1000' }
    expect(chats).toEqual(['after the switch']); // before the fix: [], dropped with the probe
  });
});

describe('EnhancedWebSocketClient upgrade: close() during a swap whose probe the server already closed', () => {
  it('keeps the held writes queued (for a later connect()), not lost on the closed probe while counted as sent', async () => {
    const { client, probe } = await onLongPolling();
    const errors = collect<Error>();
    client.onError(errors.push);
    probe.accept();
    await advance(10);
    expect(probe.sentTypes).toEqual(['upgrade']);
    // The server switched, then closed the socket (a restart); long-polling's "upgraded" batch is late.
    probe.end(1012, 'restarting');
    client.send('bye' as never); // held by the swap
    const sentBefore = client.stats.sent;
    client.close();
    await advance(100);
    const { queued, dropped, sent } = client.stats;
    // 'bye' never reached any wire (the probe was closed): README "never silent".
    expect(probe.sentTypes).toEqual(['upgrade']);
    expect({ accounted: queued + dropped, sent }).toEqual({ accounted: 1, sent: sentBefore });
  });
});

describe('EnhancedWebSocketClient upgrade: a probe whose WebSocket constructor throws', () => {
  it('is a failed probe: nothing escapes from the timer, and later probes are still made', async () => {
    let probes = 0;
    const { client, sockets } = await onLongPolling({}, new ScriptedPollingServer(), (socket) => {
      if (!socket.isProbe) refuseAllButProbes(socket);
      else if (++probes <= 2) throw new DOMException('Refused to connect', 'SecurityError');
    });
    await advance(800);
    expect(client.state).toBe('open');
    expect(client.transport).toBe('long-polling');
    expect(probes).toBeGreaterThanOrEqual(3); // the third is made (and left connecting)
    expect(sockets.last().isProbe).toBe(true);
  });
});

describe('EnhancedWebSocketClient upgrade: the adopted socket', () => {
  it('reports its transport errors to onError, as the connection\'s (a failing probe stays quiet)', async () => {
    const { server, client, probe } = await onLongPolling();
    const errors = collect<Error>();
    client.onError(errors.push);
    probe.onerror?.(new Event('error')); // a probe not adopted: expected behind proxies, not reported
    probe.accept();
    await advance(10);
    server.push({ code: 1000, reason: 'upgraded' });
    await advance(100);
    expect(client.transport).toBe('websocket');
    expect(errors.items).toEqual([]);
    probe.onerror?.(new Event('error'));
    expect(errors.items.map((error) => [(error as { code?: string }).code, error.message])).toEqual([['TRANSPORT_ERROR', 'enhanced-ws: websocket error (ws://example.test/ws)']]);
  });
});
