// The React chat example: pick a nickname, then chat in the lobby the CDN chat uses (examples/handlers/chat.mjs).

import { StrictMode, useState, type SubmitEvent } from 'react';
import { createRoot } from 'react-dom/client';
import type { ClientOptions } from '../../../src/index';
import { ChatRoom } from './chat-room';
import { Shell } from './shell';

// ?transport=long-polling keeps this tab on long-polling, to watch the fallback transport at work.
const longPolling = new URLSearchParams(location.search).get('transport') === 'long-polling';
// Defined once, outside any component: useWebSocket shares one client per url + options (compared by content).
const OPTIONS: ClientOptions = {
  reconnect: { maxDelay: 10_000 }, // nobody waits more than 10 s for a retry
  ...(longPolling ? { transports: ['long-polling'] } : {}),
};

const NICK_KEY = 'enhanced-ws-chat:nick';

function JoinForm({ onJoin }: { onJoin: (nick: string) => void }) {
  const [nick, setNick] = useState(() => sessionStorage.getItem(NICK_KEY) ?? '');
  const onSubmit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const chosen = nick.trim();
    if (!chosen) return;
    sessionStorage.setItem(NICK_KEY, chosen);
    onJoin(chosen);
  };
  return (
    <section id="join" className="join" aria-labelledby="join-title">
      <form className="join-card" autoComplete="off" onSubmit={onSubmit}>
        <h2 id="join-title">Join the chat</h2>
        <p>Pick a nickname. Open this page in a second tab, or the CDN chat, to talk between them.</p>
        <label htmlFor="nick">Nickname</label>
        <div className="field-row">
          <input
            id="nick"
            maxLength={24}
            required
            placeholder="e.g. ada"
            autoComplete="nickname"
            autoFocus
            value={nick}
            onChange={(event) => {
              setNick(event.target.value);
            }}
          />
          <button type="submit">Join</button>
        </div>
      </form>
    </section>
  );
}

function App() {
  const [nick, setNick] = useState<string | null>(null);
  if (nick === null) {
    const badge = (
      <span id="badge" className="badge" data-state="idle" role="status">
        Not connected
      </span>
    );
    return (
      <Shell badge={badge} longPolling={longPolling}>
        <JoinForm onJoin={setNick} />
      </Shell>
    );
  }
  return <ChatRoom nick={nick} options={OPTIONS} longPolling={longPolling} />;
}

const root = document.getElementById('root');
if (!root) throw new Error('react-chat: no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
