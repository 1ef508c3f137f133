// Types of chat.mjs: what the chat room sends and answers, shared by the React example and the e2e fixture.

import type { EnhancedWebSocketServer } from '../../src/server/index';

/** Something a person said. `cid` is the sender's own id for it, echoed back so it can match its pending line. */
export interface ChatLine {
  kind: 'chat';
  id: string;
  nick: string;
  text: string;
  /** Server time, ms since the epoch. */
  at: number;
  cid?: string;
}

/** A join, a return (a reconnection's `join`), a rename or a leave. */
export interface SystemLine {
  kind: 'system';
  id: string;
  text: string;
  at: number;
}

export type Line = ChatLine | SystemLine;

/** What a client sends as `chat`; the room answers everyone with a `ChatLine`. */
export interface ChatDraft {
  text: string;
  cid?: string;
}

/* eslint-disable @typescript-eslint/consistent-type-definitions -- event maps must be type aliases (an interface has no index signature) */
/** What a chat client sends and receives, as an `Events` map for `EnhancedWebSocketClient<ChatEvents, ChatReplies>`. */
export type ChatEvents = {
  /** `again`: a reconnection, not a new arrival (the room says "ada is back"). */
  join: { nick: string; again?: boolean };
  /** One type, two directions: a client sends a `ChatDraft` and receives `ChatLine`s (`'kind' in payload` tells them apart). */
  chat: ChatLine | ChatDraft;
  system: SystemLine;
  history: undefined;
  /** To the sender only, e.g. `BAD_NICK` (not `error`, which the protocol reserves). */
  'chat-error': { code: string; message: string };
};

/** The replies of the chat room's requests. */
export type ChatReplies = {
  history: { lines: Line[] };
};
/* eslint-enable @typescript-eslint/consistent-type-definitions */

export declare const ROOM: 'lobby';

/** Registers the chat room (room 'lobby', `join`/`chat` messages, a `history` request) on a companion server. */
export declare function chat(server: EnhancedWebSocketServer, options?: { historySize?: number }): { history(): Line[] };
