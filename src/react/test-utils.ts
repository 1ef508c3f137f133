// Test helpers for the React adapter: a mock-socket server that counts sockets and connections.

import { Server, WebSocket as MockWebSocket, type Client } from 'mock-socket';
import { act } from '@testing-library/react';
import { vi } from 'vitest';

let nextPort = 9000;

export interface MockEndpoint {
  readonly url: string;
  readonly server: Server;
  /** Pass as `options.WebSocket`: counts every socket constructed. */
  readonly WebSocket: typeof WebSocket;
  /** Sockets constructed so far (opened or not). */
  readonly created: () => number;
  /** Connections the server accepted so far. */
  readonly connections: () => number;
  /** Connections open now. */
  readonly open: () => number;
  /** Server-side sockets in connection order. */
  readonly sockets: Client[];
  /** Every frame the server received, parsed. */
  readonly received: unknown[];
  /** Sends an envelope to every connected client. */
  readonly emit: (type: string, payload?: unknown) => void;
  readonly stop: () => void;
}

/** A mock server on a fresh url, not patching the global WebSocket. */
export function mockEndpoint(): MockEndpoint {
  const url = `ws://localhost:${String(nextPort++)}/`;
  const server = new Server(url, { mock: false });
  let created = 0;
  let connections = 0;
  const sockets: Client[] = [];
  const received: unknown[] = [];
  server.on('connection', (socket) => {
    connections++;
    sockets.push(socket);
    socket.on('message', (data) => {
      received.push(JSON.parse(data as string));
    });
  });
  class CountingWebSocket extends MockWebSocket {
    constructor(target: string | URL, protocols?: string | string[]) {
      super(target, protocols);
      created++;
    }
  }
  return {
    url,
    server,
    WebSocket: CountingWebSocket as unknown as typeof WebSocket,
    created: () => created,
    connections: () => connections,
    open: () => server.clients().length,
    sockets,
    received,
    emit: (type, payload) => {
      for (const socket of server.clients()) socket.send(JSON.stringify({ type, payload }));
    },
    stop: () => {
      server.stop();
    },
  };
}

/** Advances fake time inside `act`, running microtasks in between (the client resolves its url in one). */
export async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

/** mock-socket opens (and closes) after 4 ms; this is comfortably past that. */
export const SOCKET_DELAY_MS = 10;
