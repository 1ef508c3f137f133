// The dashboard: draws the metrics the server pushes (the last 60 samples), the heartbeat's round trip and the connection state.
// An ES module, as an SPA would load the SDK: the import is the package's ESM build ('enhanced-ws' once installed).

import { EnhancedWebSocketClient } from '/dist/index.js';

const POINTS = 60;
const SVG = 'http://www.w3.org/2000/svg';
const MB = 1024 * 1024;
const $ = (id) => document.getElementById(id);

// A relative URL is resolved against the page: ws://<this host>/ws.
const client = new EnhancedWebSocketClient('/ws', {
  // A ping every 2 s keeps the round-trip time fresh, and a dead link shows within 2 + 4 s.
  heartbeat: { interval: 2000, timeout: 4000 },
  reconnect: { maxDelay: 10000 },
});
window.client = client; // to poke at from the console

// Each (re)connection is new to the server: ask for the samples again. (A server pushing to
// every connection ignores this; one sharing its endpoint with other apps pushes to subscribers.)
client.onOpen(() => client.send('subscribe', 'metrics'));

/** The last POINTS samples, oldest first. */
const samples = [];
let total = 0;
let retryAt = 0;

client.on('metrics', (sample) => {
  samples.push(sample);
  if (samples.length > POINTS) samples.shift();
  total++;
  renderValues(sample);
  renderCharts();
});
// `stats.rttMs` is updated when a pong arrives, before listeners see it.
client.onAny(({ type }) => {
  if (type === 'pong') renderRtt();
});
client.onStateChange(renderBadge);
client.onReconnecting(({ delay }) => {
  retryAt = Date.now() + delay;
  renderBadge();
});
window.setInterval(renderBadge, 250); // the countdown
renderBadge();

// ---- connection -------------------------------------------------------------------------

function badgeText(state, transport) {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'open':
      return transport === 'long-polling' ? 'Live · long-polling' : 'Live';
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

function renderBadge() {
  const { state, transport } = client;
  const badge = $('badge');
  badge.textContent = badgeText(state, transport);
  badge.dataset.state = state;
  badge.dataset.transport = transport ?? '';
  // Values on screen are the last ones received: grey them out while they are not live.
  document.body.dataset.live = String(state === 'open');
}

// ---- numbers ------------------------------------------------------------------------------

const mb = (bytes) => (bytes / MB).toFixed(1);

function renderValues(sample) {
  $('cpu').textContent = `${sample.cpu.process.toFixed(1)} %`;
  $('load').textContent = sample.cpu.load1.toFixed(2);
  $('load-hint').textContent = `1 minute · ${sample.cpu.cores} cores`;
  $('heap').textContent = `${mb(sample.memory.heapUsed)} MB`;
  $('heap-hint').textContent = `of ${mb(sample.memory.heapTotal)} MB · RSS ${mb(sample.memory.rss)} MB`;
  $('connections').textContent = String(sample.connections);
  $('samples').textContent = String(total);
  $('last').textContent = new Date(sample.at).toLocaleTimeString();
  renderRtt();
}

function renderRtt() {
  const { rttMs } = client.stats;
  $('rtt').textContent = rttMs === null ? '–' : `${Math.max(1, Math.round(rttMs))} ms`;
}

// ---- charts -------------------------------------------------------------------------------

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n) at or above `value`, so the axis reads well. */
function niceMax(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((step) => step * power).find((nice) => nice >= value) ?? value;
}

function svgElement(tag, attributes) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  return el;
}

/**
 * Draws `series` (arrays of numbers, newest last) into an svg with a 600 × 180 viewBox: the
 * newest point on the right edge, the y axis from 0 to a round number above the largest value.
 */
function drawChart(svg, series, { floor, unit }) {
  const width = 600;
  const height = 180;
  const max = niceMax(Math.max(floor, ...series.flatMap((s) => s.values)) * 1.1);
  const x = (i, n) => width - (n - 1 - i) * (width / (POINTS - 1));
  const y = (v) => height - (v / max) * (height - 8);
  const children = [0.25, 0.5, 0.75].map((f) => svgElement('line', { class: 'grid', x1: 0, x2: width, y1: y(max * f), y2: y(max * f) }));
  for (const { values, className } of series) {
    if (values.length === 0) continue;
    const points = values.map((v, i) => `${x(i, values.length).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const first = x(0, values.length).toFixed(1);
    children.push(svgElement('polygon', { class: `area ${className}`, points: `${first},${height} ${points} ${width},${height}` }));
    children.push(svgElement('polyline', { class: `line ${className}`, points }));
  }
  svg.replaceChildren(...children);
  svg.dataset.points = String(series[0]?.values.length ?? 0);
  svg.parentElement.querySelector('.range').textContent = `0 – ${max} ${unit}`;
}

function renderCharts() {
  drawChart($('cpu-chart'), [{ values: samples.map((s) => s.cpu.process), className: 'cpu' }], { floor: 5, unit: '%' });
  drawChart(
    $('memory-chart'),
    [
      { values: samples.map((s) => s.memory.rss / MB), className: 'rss' },
      { values: samples.map((s) => s.memory.heapUsed / MB), className: 'heap' },
    ],
    { floor: 16, unit: 'MB' },
  );
}
