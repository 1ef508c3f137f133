// Unit tests of the WebSocket transport: which frames it hands back as unsent, and what it remembers to know, against a socket whose send buffer the test drains.

import { describe, expect, it, vi } from 'vitest';
import { utf8Length } from '../utf8.js';
import { bufferingSockets, type BufferingSocket } from './buffering-socket-test-utils.js';
import type { TransportHandlers } from './transport.js';
import { WebSocketTransport } from './websocket.js';

/** Not an EventTarget, as Node's `ws` WebSocket is not (an EventEmitter). */
class NodeStyleSocket {
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'nodebuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  static last: NodeStyleSocket | undefined;

  constructor() {
    NodeStyleSocket.last = this;
  }

  send(frame: string): void {
    this.bufferedAmount += utf8Length(frame);
  }

  close(): void {
    this.readyState = 2;
  }
}

function handlers(): TransportHandlers {
  return { onOpen: vi.fn(), onMessage: vi.fn(), onClose: vi.fn(), onError: vi.fn() };
}

/** An open transport over a buffering socket. */
function openTransport(): { transport: WebSocketTransport; socket: BufferingSocket; handlers: TransportHandlers } {
  const sockets = bufferingSockets();
  const transport = new WebSocketTransport('ws://test/', undefined, sockets.WebSocket);
  const on = handlers();
  transport.open(on);
  const socket = sockets.last();
  socket.open();
  return { transport, socket, handlers: on };
}

/** Frames of `bytes` ASCII bytes each, told apart by their first letter. */
const frame = (letter: string, bytes = 10): string => letter.padEnd(bytes, '.');

/** The frames the transport remembers as possibly still buffered (its memory, read for the bound). */
const remembered = (transport: WebSocketTransport): readonly string[] => (transport as unknown as { _written: string[] })._written;

describe('WebSocketTransport unsent()', () => {
  it('hands back, in order, the last frames whose bytes cover what was still buffered when the connection died', () => {
    const { transport, socket, handlers: on } = openTransport();
    for (const letter of 'abcd') transport.send(frame(letter));
    socket.transmit(20); // a and b left
    socket.closed();
    expect(on.onClose).toHaveBeenCalledWith({ code: 1006, reason: '', wasClean: false });
    expect(transport.unsent()).toEqual([frame('c'), frame('d')]);
    expect(transport.unsent()).toEqual([]); // taken out once
  });

  it('includes the frame only partly sent, and none sent before it', () => {
    const { transport, socket } = openTransport();
    for (const letter of 'abc') transport.send(frame(letter));
    socket.transmit(15); // a left, half of b
    socket.closed();
    expect(transport.unsent()).toEqual([frame('b'), frame('c')]);
  });

  it('measures frames in UTF-8 bytes, so a multi-byte frame covering the buffer alone comes back alone', () => {
    const { transport, socket } = openTransport();
    transport.send('aaaa');
    transport.send('€€'); // 2 UTF-16 units, 6 UTF-8 bytes
    transport.send('é😀'); // 3 UTF-16 units, 6 UTF-8 bytes
    socket.transmit(4 + 6 + 1); // 'aaaa', '€€' and a byte of the last left
    socket.closed();
    expect(transport.unsent()).toEqual(['é😀']);

    const second = openTransport();
    second.transport.send('aaaa');
    second.transport.send('€€');
    second.socket.transmit(4 + 1);
    second.socket.closed();
    expect(second.transport.unsent()).toEqual(['€€']);
  });

  it('hands back nothing from the buffer after a clean close with nothing buffered', () => {
    const { transport, socket } = openTransport();
    transport.send(frame('a'));
    socket.transmit(10);
    socket.closed(1000);
    expect(transport.unsent()).toEqual([]);
  });

  it('puts frames sent while closing after those still buffered', () => {
    const { transport, socket } = openTransport();
    for (const letter of 'ab') transport.send(frame(letter));
    socket.transmit(12);
    socket.closing();
    transport.send(frame('c')); // the socket would discard it: it never reaches the buffer
    socket.closed();
    transport.send(frame('d')); // after the socket was gone
    expect(socket.sent).toEqual([frame('a'), frame('b')]);
    expect(transport.unsent()).toEqual([frame('b'), frame('c'), frame('d')]);
  });

  it('hands back thousands of buffered frames in order', () => {
    const { transport, socket } = openTransport();
    const frames = Array.from({ length: 200_000 }, (_, n) => String(n % 10));
    for (const each of frames) transport.send(each);
    socket.transmit(1);
    socket.closed();
    expect(transport.unsent()).toEqual(frames.slice(1));
  });

  it('hands back nothing from the buffer when bufferedAmount counts more than the frames that could still be in it', () => {
    const { transport, socket } = openTransport();
    transport.send(frame('a'));
    socket.transmit(10);
    transport.send(frame('b'));
    socket.bufferedAmount += 14; // framing, control frames: not the WHATWG count
    socket.closed();
    expect(transport.unsent()).toEqual([]);
  });

  it('hands back nothing from the buffer after the app closed: the socket sends its buffer before its close frame', () => {
    const { transport, socket } = openTransport();
    for (const letter of 'ab') transport.send(frame(letter));
    transport.close(1000, 'bye');
    expect(socket.readyState).toBe(2);
    expect(transport.unsent()).toEqual([]);
  });

  it("trusts no bufferedAmount from a socket that is not an EventTarget (Node's ws, which counts otherwise)", () => {
    const transport = new WebSocketTransport('ws://test/', undefined, NodeStyleSocket as unknown as typeof WebSocket);
    transport.open(handlers());
    const socket = NodeStyleSocket.last!;
    socket.readyState = 1;
    socket.onopen?.({});
    transport.send(frame('a'));
    socket.readyState = 3;
    socket.onclose?.({ code: 1006, reason: '', wasClean: false });
    expect(socket.bufferedAmount).toBe(10);
    expect(transport.unsent()).toEqual([]);
  });
});

describe('WebSocketTransport close() with lost', () => {
  it('hands lost, with the close event, the frames still buffered when the link died during the closing handshake', () => {
    const { transport, socket, handlers: on } = openTransport();
    for (const letter of 'abc') transport.send(frame(letter));
    socket.transmit(10); // a left
    const lost = vi.fn();
    transport.close(1000, 'bye', lost);
    expect(lost).not.toHaveBeenCalled(); // the buffer may still go out
    socket.closed();
    expect(lost).toHaveBeenCalledExactlyOnceWith([frame('b'), frame('c')], { code: 1006, reason: '', wasClean: false });
    expect(on.onClose).not.toHaveBeenCalled(); // detached: only lost hears
  });

  it("hands lost no frame after a clean close, and the peer's code", () => {
    const { transport, socket } = openTransport();
    transport.send(frame('a'));
    const lost = vi.fn();
    transport.close(1000, 'bye', lost);
    socket.closed(4404);
    expect(lost).toHaveBeenCalledExactlyOnceWith([], { code: 4404, reason: '', wasClean: true });
  });
});

describe('WebSocketTransport memory of written frames', () => {
  it('remembers nothing while bufferedAmount stays 0', () => {
    const { transport, socket } = openTransport();
    socket.instant = true;
    for (let n = 0; n < 1000; n++) transport.send(frame('a'));
    expect(socket.sent).toHaveLength(1000);
    expect(remembered(transport)).toEqual([]);
  });

  it('remembers only the frame just written while each leaves before the next', () => {
    const { transport, socket } = openTransport();
    for (let n = 0; n < 1000; n++) {
      transport.send(frame('a'));
      socket.transmit(10);
    }
    transport.send(frame('b'));
    expect(remembered(transport)).toEqual([frame('b')]);
  });

  it('forgets a frame once the frames after it cover the buffer, and no sooner', () => {
    const { transport, socket } = openTransport();
    transport.send(frame('a'));
    transport.send(frame('b'));
    expect(remembered(transport)).toEqual([frame('a'), frame('b')]);
    socket.transmit(5); // half of a left
    transport.send(frame('c'));
    expect(remembered(transport)).toEqual([frame('a'), frame('b'), frame('c')]);
    socket.transmit(5); // the rest of a
    transport.send(frame('d'));
    expect(remembered(transport)).toEqual([frame('b'), frame('c'), frame('d')]);
  });

  it('keeps a multi-byte frame as long as its UTF-8 bytes may be buffered', () => {
    const { transport, socket } = openTransport();
    transport.send('€€€€'); // 12 bytes, 4 UTF-16 units
    transport.send('ab');
    socket.transmit(5);
    transport.send('c'); // buffered: 7 + 2 + 1 = 10 bytes, more than 'ab' and 'c' hold
    expect(remembered(transport)).toEqual(['€€€€', 'ab', 'c']);
    socket.closed();
    expect(transport.unsent()).toEqual(['€€€€', 'ab', 'c']);
  });
});
