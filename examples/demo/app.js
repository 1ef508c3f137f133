// The demo page's script: one EnhancedWebSocketClient from the UMD global, wired to the page.

const $ = (id) => document.getElementById(id);
const ui = {
  state: $('state'),
  transport: $('transport'),
  switchTransport: $('switch-transport'),
  countdown: $('countdown'),
  queued: $('queued'),
  sent: $('sent'),
  received: $('received'),
  reconnects: $('reconnects'),
  rtt: $('rtt'),
  form: $('send-form'),
  text: $('text'),
  request: $('request'),
  time: $('time'),
  drop: $('drop'),
  toggle: $('toggle'),
  log: $('log'),
};

// ?transport=long-polling (or websocket) keeps the client on one transport; by default it
// prefers WebSocket and falls back to long-polling when WebSocket cannot connect.
const only = new URL(location.href).searchParams.get('transport');
const transports = only === 'websocket' || only === 'long-polling' ? [only] : undefined;
if (transports) {
  const back = document.createElement('a');
  back.href = '?';
  back.textContent = 'Back to the default';
  ui.switchTransport.replaceChildren(`This tab uses ${only} only. `, back, ' (WebSocket, falling back to long-polling).');
}

// A relative URL is resolved against the page: ws://<this host>/ws.
const client = new EnhancedWS.EnhancedWebSocketClient('/ws', {
  reconnect: { maxDelay: 10000 },
  // Frequent pings so the round-trip time shows up soon.
  heartbeat: { interval: 5000, timeout: 4000 },
  ...(transports ? { transports } : {}),
});
window.client = client; // for poking at it from the console

const MAX_LOG = 200;
function log(kind, text) {
  const item = document.createElement('li');
  item.className = kind;
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  item.append(time, text);
  ui.log.prepend(item);
  while (ui.log.children.length > MAX_LOG) ui.log.lastElementChild.remove();
}
const describe = (type, payload) => (payload === undefined ? type : `${type} ${JSON.stringify(payload)}`);

// Reconnect countdown: onReconnecting says how long the client waits before the next attempt.
let retry = null;
// The transport an open connection last used: a change while open is the upgrade from long-polling.
let openedOver = null;
function render() {
  const { state } = client;
  ui.state.textContent = state;
  ui.state.dataset.state = state;
  // Which transport carries the connection (or the current attempt), and why it is not WebSocket.
  const transport = client.transport;
  ui.transport.textContent = transport ?? '–';
  ui.transport.dataset.transport = transport ?? '';
  ui.transport.title = client.stats.fallbackReason ? `long-polling: ${client.stats.fallbackReason}` : 'client.transport: what carries the connection';
  if (state === 'open' && transport !== openedOver) {
    if (openedOver) log('info', `moved from ${openedOver} to ${transport}, still open`);
    openedOver = transport;
  } else if (state !== 'open') {
    openedOver = null;
  }
  if (state === 'reconnecting' && retry) {
    const left = retry.at - Date.now();
    ui.countdown.textContent = left > 0 ? `attempt ${retry.attempt} in ${(left / 1000).toFixed(1)} s` : `attempt ${retry.attempt}…`;
  } else {
    ui.countdown.textContent = '';
  }
  const stats = client.stats;
  ui.queued.textContent = String(stats.queued);
  ui.sent.textContent = String(stats.sent);
  ui.received.textContent = String(stats.received);
  ui.reconnects.textContent = String(stats.reconnects);
  ui.rtt.textContent = stats.rttMs === null ? '–' : `${stats.rttMs} ms`;
  ui.drop.disabled = state !== 'open';
  ui.toggle.textContent = state === 'closed' || state === 'idle' ? 'Connect' : 'Close';
}
window.setInterval(render, 100);

client.onStateChange(({ state, reason, transport }) => {
  if (state !== 'reconnecting') retry = null;
  log('info', `state: ${state}${state === 'open' && transport ? ` over ${transport}` : ''} (${reason})`);
  render();
});
client.onReconnecting(({ attempt, delay, code }) => {
  retry = { attempt, at: Date.now() + delay };
  log('info', `connection lost (code ${code}); attempt ${attempt} in ${delay} ms`);
  render();
});
client.onError((error) => log('error', `${error.name}: ${error.message}`));
client.onAny((message) => {
  // Pongs feed the RTT figure and replies settle requests (logged below); the rest is the conversation.
  if (message.type !== 'pong' && message.type !== 'reply') log('in', message.type === null ? `(not an envelope) ${JSON.stringify(message.payload)}` : describe(message.type, message.payload));
  render();
});

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text) return;
  const queued = client.state !== 'open';
  client.send('chat', { text });
  log('out', `${describe('chat', { text })}${queued ? '  (queued)' : ''}`);
  ui.text.value = '';
  render();
});

ui.request.addEventListener('click', () => {
  const text = ui.text.value.trim() || 'hello';
  const started = Date.now();
  log('out', `request ${describe('echo', { text })}`);
  client.request('echo', { text }, { timeout: 5000 }).then(
    (reply) => log('info', `reply ${JSON.stringify(reply)} after ${Date.now() - started} ms`),
    (error) => log('error', `request failed: ${error.message}`),
  );
  render();
});

ui.time.addEventListener('click', () => {
  log('out', 'request time');
  client.request('time', undefined, { timeout: 5000 }).then(
    (time) => log('info', `server time ${time}`),
    (error) => log('error', `request failed: ${error.message}`),
  );
  render();
});

ui.drop.addEventListener('click', () => {
  log('out', 'drop (the server will cut this connection)');
  client.send('drop');
});

ui.toggle.addEventListener('click', () => {
  if (client.state === 'closed' || client.state === 'idle') client.connect();
  else client.close();
  render();
});

render();
