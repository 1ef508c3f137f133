// The CDN chat: joins the lobby under a nickname, shows the server-ordered lines, and says what the connection is doing.
// Runs as a classic script after /dist/enhanced-ws.umd.min.js, which defines the global EnhancedWS.

const $ = (id) => document.getElementById(id);
const ui = {
  badge: $('badge'),
  join: $('join'),
  joinForm: $('join-form'),
  nick: $('nick'),
  room: $('room'),
  lines: $('lines'),
  queued: $('queued'),
  composer: $('composer'),
  text: $('text'),
  me: $('me'),
  transportLink: $('transport-link'),
};

// ?transport=long-polling keeps this tab on long-polling, to watch the fallback transport at work.
const longPollingOnly = new URL(location.href).searchParams.get('transport') === 'long-polling';
if (longPollingOnly) {
  ui.transportLink.href = '?';
  ui.transportLink.textContent = 'Back to WebSocket';
}

const NICK_KEY = 'enhanced-ws-chat:nick';
ui.nick.value = window.sessionStorage.getItem(NICK_KEY) ?? '';

let client = null;
let nick = '';
/** When the next reconnect attempt starts (from onReconnecting's `delay`), for the countdown. */
let retryAt = 0;

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  nick = ui.nick.value.trim();
  if (!nick) return;
  window.sessionStorage.setItem(NICK_KEY, nick);
  ui.join.hidden = true;
  ui.room.hidden = false;
  ui.me.textContent = `You are ${nick}`;
  connect();
  ui.text.focus();
});

function connect() {
  // A relative URL is resolved against the page: ws://<this host>/ws.
  client = new EnhancedWS.EnhancedWebSocketClient('/ws', {
    reconnect: { maxDelay: 10000 }, // nobody waits more than 10 s for a retry
    ...(longPollingOnly ? { transports: ['long-polling'] } : {}),
  });
  window.client = client; // to poke at from the console

  // Each (re)connection is a new connection for the server: say who we are, then catch up on
  // what was said meanwhile. Open listeners run before the queue is flushed, so `join` reaches
  // the server before the lines typed while offline.
  let joined = false;
  client.onOpen(() => {
    client.send('join', { nick, again: joined });
    joined = true;
    client.request('history').then(
      ({ lines }) => lines.forEach(showLine),
      () => undefined, // the connection dropped again: the next open asks again
    );
    window.setTimeout(renderStatus, 0); // after the flush: the queued count is back to 0
  });
  client.on('chat', showLine);
  client.on('system', showLine);
  client.on('chat-error', ({ message }) => showLine({ kind: 'system', id: `local-${Date.now()}`, text: `⚠ ${message}`, at: Date.now() }));
  client.onStateChange(renderStatus);
  client.onReconnecting(({ delay }) => {
    retryAt = Date.now() + delay;
    renderStatus();
  });
  renderStatus();
}

// ---- the connection badge and the queued count -------------------------------------------

function badgeText(state, transport) {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'open':
      return transport === 'long-polling' ? 'Connected · long-polling' : 'Connected';
    case 'reconnecting': {
      if (!window.navigator.onLine) return 'Offline · waiting for the network';
      const left = Math.ceil((retryAt - Date.now()) / 1000);
      return left > 0 ? `Reconnecting in ${left} s` : 'Reconnecting…';
    }
    case 'closed':
      return 'Disconnected';
    default:
      return 'Not connected';
  }
}

function renderStatus() {
  const state = client?.state ?? 'idle';
  const transport = client?.transport ?? '';
  ui.badge.textContent = badgeText(state, transport);
  ui.badge.dataset.state = state;
  ui.badge.dataset.transport = transport;
  ui.badge.title = client?.stats.fallbackReason ? `On long-polling: ${client.stats.fallbackReason}` : '';

  const queued = client?.stats.queued ?? 0;
  ui.queued.hidden = queued === 0;
  ui.queued.textContent = `${queued} ${queued === 1 ? 'message' : 'messages'} waiting · sent as soon as the connection is back`;
  for (const li of ui.lines.querySelectorAll('.pending time')) li.textContent = state === 'open' ? 'sending…' : 'waiting';
}
// The countdown ticks on its own; everything else re-renders on events.
window.setInterval(renderStatus, 250);

// ---- sending ------------------------------------------------------------------------------

let sentCount = 0;
const newCid = () => `${Date.now().toString(36)}-${(sentCount++).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text || !client) return;
  const cid = newCid();
  // Sent at once when open, queued (in order) while not: the line shows as pending until the
  // server sends it back to everyone, us included.
  client.send('chat', { text, cid });
  showPending(text, cid);
  ui.text.value = '';
  renderStatus();
});

// ---- the lines --------------------------------------------------------------------------

/** Lines on screen by server id, and our pending ones by client id. */
const shown = new Map();
const pending = new Map();
const MAX_LINES = 500;

const timeOf = (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
/** A stable colour per nickname (the React chat computes the same one). */
function hueOf(name) {
  let hash = 7;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) % 360;
  return hash;
}
/** The first character, whole even when outside the BMP. */
const initialOf = (name) => String.fromCodePoint(name.codePointAt(0) ?? 63).toUpperCase();

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text; // never innerHTML: the text comes from strangers
  return el;
}

function renderChat(author, text, time) {
  const li = element('li', `line chat${author === nick ? ' mine' : ''}`);
  li.style.setProperty('--hue', String(hueOf(author))); // the avatar and the name share it
  const avatar = element('span', 'avatar', initialOf(author));
  avatar.setAttribute('aria-hidden', 'true');
  const bubble = element('div', 'bubble');
  const meta = element('div', 'meta');
  meta.append(element('span', 'nick', author), element('time', '', time));
  bubble.append(meta, element('p', 'text', text));
  li.append(avatar, bubble);
  return li;
}

function showLine(line) {
  if (!line || !('kind' in line) || shown.has(line.id)) return;
  const li = line.kind === 'chat' ? renderChat(line.nick, line.text, timeOf(line.at)) : element('li', 'line system');
  if (line.kind === 'system') li.append(element('span', '', `${line.text} · ${timeOf(line.at)}`));
  li.dataset.at = String(line.at);
  shown.set(line.id, li);
  if (line.kind === 'chat' && line.cid && pending.has(line.cid)) {
    pending.get(line.cid).remove();
    pending.delete(line.cid);
  }
  insertInOrder(li, line.at);
  while (shown.size > MAX_LINES) {
    const [oldest, el] = shown.entries().next().value;
    el.remove();
    shown.delete(oldest);
  }
}

function showPending(text, cid) {
  const li = renderChat(nick, text, '');
  li.classList.add('pending');
  pending.set(cid, li);
  keepScrolled(() => ui.lines.append(li));
  renderStatus();
}

/** Server time orders the lines (history may arrive after live ones); pending lines stay last. */
function insertInOrder(li, at) {
  keepScrolled(() => {
    let before = ui.lines.firstElementChild;
    for (let el = ui.lines.lastElementChild; el; el = el.previousElementSibling) {
      if (!el.classList.contains('pending') && Number(el.dataset.at) <= at) {
        before = el.nextElementSibling;
        break;
      }
      before = el;
    }
    ui.lines.insertBefore(li, before);
  });
}

/** Follows new lines when the reader is at the bottom; leaves them alone when they scrolled up. */
function keepScrolled(change) {
  const { scrollHeight, scrollTop, clientHeight } = ui.lines;
  const atBottom = scrollHeight - scrollTop - clientHeight < 48;
  change();
  if (atBottom) ui.lines.scrollTop = ui.lines.scrollHeight;
}
