// close() while an upgrade waits for the server's decision: held messages written on the probe are delivered or reported, once, and a connect() right after waits for the probe.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnhancedWebSocketClient } from './client.js';
import { ModelServer, type ModelSocket } from './model-test-utils.js';

/** A client on long-polling whose probe sent its `upgrade` frame; the server reads it 50 ms later. */
async function probeDeciding(): Promise<{ server: ModelServer; client: EnhancedWebSocketClient; probe: ModelSocket; errors: string[] }> {
  const server = new ModelServer({ mode: 'hang', pollingMode: 'accept', auth: 'off', answerPings: false, replies: 'none', latency: 50 });
  const client = new EnhancedWebSocketClient('ws://model.test/ws', { WebSocket: server.WebSocket, fetch: server.fetch, connectTimeout: 100, reconnect: { initialDelay: 10, jitter: 0 }, heartbeat: false });
  const errors: string[] = [];
  client.onError((error) => {
    errors.push(error.message);
  });
  await vi.advanceTimersByTimeAsync(400); // two WebSocket attempts hang (4008): long-polling opens, a probe waits
  expect(client.transport).toBe('long-polling');
  const probe = server.sockets.at(-1)!;
  probe.accept();
  await vi.advanceTimersByTimeAsync(0);
  expect(probe.deciding).toBe(true);
  return { server, client, probe, errors };
}

const types = (frames: readonly string[]): string[] => frames.map((frame) => (JSON.parse(frame) as { type: string }).type);

describe('close() during an upgrade the server has not decided yet', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers the held message when the server accepts, and reports nothing, even when the app closes with 4404', async () => {
    const { server, client, probe, errors } = await probeDeciding();
    client.send('a');
    client.close(4404, 'the app chose 4404'); // the server echoes the app's code: no refusal
    await vi.advanceTimersByTimeAsync(200);
    expect(server.log.map((received) => received.type)).toEqual(['a']);
    expect(probe.refused).toEqual([]);
    expect(errors).toEqual([]);
    expect(client.stats).toMatchObject({ sent: 1, dropped: 0, queued: 0 });
  });

  it('keeps the held message queued, and does not also report it, when the probe was already closing', async () => {
    const { client, probe, errors } = await probeDeciding();
    probe.closeFrame(4404, 'refused'); // the server's close frame came; the close event has not yet
    client.send('a');
    client.close(); // writes 'a' on the closing probe: the socket never sends it
    probe.finishClose();
    await vi.advanceTimersByTimeAsync(200);
    expect(types(probe.handed)).toEqual(['upgrade']); // 'a' never reached the socket
    expect(errors).toEqual([]);
    expect(client.stats).toMatchObject({ sent: 0, dropped: 0, queued: 1 });
  });

  it('lets a connect() right after start only once the probe closed, so its first message cannot overtake the held one', async () => {
    const { server, client } = await probeDeciding();
    const peers = server.peers.length;
    client.send('a');
    client.close();
    client.connect();
    client.send('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.peers).toHaveLength(peers); // the probe's close is not over: no new connection yet
    await vi.advanceTimersByTimeAsync(400);
    expect(server.peers.length).toBeGreaterThan(peers);
    expect(server.log.map((received) => received.type)).toEqual(['a', 'b']);
    client.close();
  });
});
