// The room once a nickname is chosen: the lines, the queued-message notice and the composer.

import { useLayoutEffect, useRef, useState, type CSSProperties, type SubmitEvent } from 'react';
import type { ClientOptions } from '../../../src/index';
import type { Line } from '../../handlers/chat.mjs';
import { ConnectionBadge } from './connection-badge';
import { Shell } from './shell';
import { useChat } from './use-chat';

const timeOf = (at: number): string => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
/** A stable colour per nickname (the CDN chat computes the same one). */
function hueOf(name: string): number {
  let hash = 7;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) % 360;
  return hash;
}
/** The first character, whole even when outside the BMP. */
const initialOf = (name: string): string => String.fromCodePoint(name.codePointAt(0) ?? 63).toUpperCase();

interface BubbleProps {
  author: string;
  text: string;
  time: string;
  mine: boolean;
  pending?: boolean;
}

function Bubble({ author, text, time, mine, pending = false }: BubbleProps) {
  const className = `line chat${mine ? ' mine' : ''}${pending ? ' pending' : ''}`;
  return (
    <li className={className} style={{ '--hue': String(hueOf(author)) } as CSSProperties}>
      <span className="avatar" aria-hidden="true">
        {initialOf(author)}
      </span>
      <div className="bubble">
        <div className="meta">
          <span className="nick">{author}</span>
          <time>{time}</time>
        </div>
        <p className="text">{text}</p>
      </div>
    </li>
  );
}

function LineItem({ line, nick }: { line: Line; nick: string }) {
  if (line.kind === 'system') {
    return (
      <li className="line system">
        <span>
          {line.text} · {timeOf(line.at)}
        </span>
      </li>
    );
  }
  return <Bubble author={line.nick} text={line.text} time={timeOf(line.at)} mine={line.nick === nick} />;
}

/** Follows new lines while the reader is at the bottom; leaves them alone once they scroll up. */
function useStickToBottom(change: unknown) {
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    if (list.current && atBottom.current) list.current.scrollTop = list.current.scrollHeight;
  }, [change]);
  const onScroll = (): void => {
    const el = list.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };
  return { ref: list, onScroll };
}

export function ChatRoom({ nick, options, longPolling }: { nick: string; options: ClientOptions; longPolling: boolean }) {
  const { client, state, transport, lines, pending, queued, say } = useChat(nick, options);
  const [draft, setDraft] = useState('');
  const scroll = useStickToBottom(`${String(lines.length)}/${String(pending.length)}`);

  const onSubmit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    say(text);
    setDraft('');
  };

  return (
    <Shell badge={<ConnectionBadge client={client} state={state} transport={transport} />} nick={nick} longPolling={longPolling}>
      <main id="room" className="room">
        <ol id="lines" className="lines" aria-label="Messages" aria-live="polite" {...scroll}>
          {lines.map((line) => (
            <LineItem key={line.id} line={line} nick={nick} />
          ))}
          {pending.map(({ cid, text }) => (
            <Bubble key={cid} author={nick} text={text} time={state === 'open' ? 'sending…' : 'waiting'} mine pending />
          ))}
        </ol>
        {queued > 0 && (
          <p id="queued" className="queued" role="status">
            {queued} {queued === 1 ? 'message' : 'messages'} waiting · sent as soon as the connection is back
          </p>
        )}
        <form id="composer" className="composer" autoComplete="off" onSubmit={onSubmit}>
          <label htmlFor="text" className="visually-hidden">
            Message
          </label>
          <input
            id="text"
            name="text"
            maxLength={500}
            placeholder="Message #lobby"
            enterKeyHint="send"
            autoFocus
            value={draft}
            onChange={(event) => {
              setDraft(event.target.value);
            }}
          />
          <button type="submit">Send</button>
        </form>
      </main>
    </Shell>
  );
}
