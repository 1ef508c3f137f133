// WebSocket credentials: sent in the first frame, and the transport opens only once the server answered.

import type { Clock, TimerHandle } from '../clock.js';
import type { Transport } from './transport.js';

/**
 * How long to wait for the server's answer before opening anyway. A server that speaks
 * docs/protocol.md answers at once (or closes with 4401/4403); this only keeps a server that
 * ignores `auth` frames usable.
 */
const ANSWER_GRACE_MS = 5000;

/**
 * Wraps a WebSocket transport so that, once the socket is open, it sends `authFrame` first and
 * reports `onOpen` only when the server answered (its first frame) — so the client never flushes
 * its queue into a connection the server is about to refuse. The first frame `isAnswer`
 * recognises is swallowed; any other first frame counts as acceptance and is delivered.
 */
export function withCredentials(inner: Transport, authFrame: string, isAnswer: (data: unknown) => boolean, clock: Clock): Transport {
  let timer: TimerHandle | undefined;
  const appFrames = (frames: string[]): string[] => frames.filter((frame) => frame !== authFrame);
  return {
    name: inner.name,
    open(handlers) {
      let waiting = true;
      let answered = false;
      const accepted = (): void => {
        waiting = false;
        clock.clearTimeout(timer);
        handlers.onOpen();
      };
      inner.open({
        ...handlers,
        onOpen: () => {
          handlers.onHandshake?.();
          inner.send(authFrame);
          timer = clock.setTimeout(accepted, ANSWER_GRACE_MS);
        },
        onMessage: (data) => {
          if (waiting) accepted();
          // The answer is protocol, not an app message, even when a greeting overtook it.
          if (!answered && isAnswer(data)) {
            answered = true;
            handlers.onProtocolFrame?.(); // (it may come after a greeting opened the client, and a ping)
            return;
          }
          handlers.onMessage(data);
        },
        onClose: (event) => {
          clock.clearTimeout(timer);
          handlers.onClose(event);
        },
      });
    },
    send: (frame) => {
      inner.send(frame);
    },
    // Frames that never left: the client queues them again, with credentials as without; not the
    // auth frame (a link that died with it still buffered), which each connection sends anew.
    unsent: () => appFrames(inner.unsent?.() ?? []),
    buffered: () => inner.buffered?.() ?? 0,
    close: (code, reason, lost) => {
      clock.clearTimeout(timer);
      inner.close(code, reason, lost && ((frames, event) => { lost(appFrames(frames), event); }));
    },
  };
}
