import { describe, expect, it } from 'vitest';
import { TransportSelection } from './transport-selection.js';

const both = ['websocket', 'long-polling'] as const;

describe('TransportSelection', () => {
  it('uses WebSocket first when it exists', () => {
    const selection = new TransportSelection(both, () => true);
    expect(selection.next()).toBe('websocket');
    expect(selection.fallbackReason).toBeNull();
  });

  it('uses long-polling when WebSocket is missing, and says why', () => {
    const selection = new TransportSelection(both, () => false);
    expect(selection.next()).toBe('long-polling');
    expect(selection.fallbackReason).toMatch(/not available/);
    expect(selection.canUpgrade()).toBe(false);
  });

  it('stays on long-polling across its reconnects when WebSocket appears later (a polyfill): only an upgrade probe moves it', () => {
    let hasWebSocket = false;
    const selection = new TransportSelection(both, () => hasWebSocket);
    expect(selection.next()).toBe('long-polling');
    selection.opened('long-polling');
    hasWebSocket = true;
    expect(selection.canUpgrade()).toBe(true); // the background probe may try it
    expect(selection.next()).toBe('long-polling'); // a reconnect does not bet the connection on it
    selection.opened('websocket'); // the probe was adopted
    expect(selection.next()).toBe('websocket');
  });

  it('falls back after two WebSocket failures and stays there once long-polling opened', () => {
    const selection = new TransportSelection(both, () => true);
    selection.failed('websocket');
    expect(selection.next()).toBe('websocket');
    selection.failed('websocket');
    expect(selection.next()).toBe('long-polling');
    selection.opened('long-polling');
    expect(selection.fallbackReason).toMatch(/failed to open 2 times/);
    // the long-polling connection drops: it reconnects on long-polling, not through WebSocket again
    expect(selection.next()).toBe('long-polling');
    expect(selection.canUpgrade()).toBe(true);
    selection.opened('websocket');
    expect(selection.next()).toBe('websocket');
    expect(selection.fallbackReason).toBeNull();
  });

  it('falls back after one WebSocket handshake that hung past connectTimeout (a proxy swallowing the upgrade), and says so', () => {
    const selection = new TransportSelection(both, () => true);
    selection.failed('websocket', true);
    expect(selection.next()).toBe('long-polling');
    selection.opened('long-polling');
    expect(selection.fallbackReason).toMatch(/handshake hung past connectTimeout/);
  });

  it('counts a refusal after a hung handshake as the refusal it is', () => {
    const selection = new TransportSelection(both, () => true);
    selection.failed('websocket', true);
    selection.failed('long-polling'); // an outage: start over
    selection.failed('websocket');
    expect(selection.next()).toBe('websocket');
    selection.failed('websocket');
    selection.opened('long-polling');
    expect(selection.fallbackReason).toMatch(/failed to open 2 times/);
  });

  it('treats both transports failing as an outage and goes back to WebSocket', () => {
    const selection = new TransportSelection(both, () => true);
    selection.failed('websocket');
    selection.failed('websocket');
    expect(selection.next()).toBe('long-polling');
    selection.failed('long-polling');
    expect(selection.next()).toBe('websocket');
    expect(selection.fallbackReason).toBeNull();
  });

  it('follows the preference order: long-polling first means no WebSocket attempt and no upgrade', () => {
    const pollFirst = new TransportSelection(['long-polling', 'websocket'], () => true);
    expect(pollFirst.next()).toBe('long-polling');
    expect(pollFirst.fallbackReason).toMatch(/puts long-polling first/);
    expect(pollFirst.canUpgrade()).toBe(false);
  });

  it('stays on WebSocket when it is the only preference, even if it is missing', () => {
    expect(new TransportSelection(['websocket'], () => false).next()).toBe('websocket');
  });

  it('never picks a transport the preferences leave out', () => {
    const wsOnly = new TransportSelection(['websocket'], () => true);
    wsOnly.failed('websocket');
    wsOnly.failed('websocket');
    wsOnly.failed('websocket');
    expect(wsOnly.next()).toBe('websocket');
    const pollOnly = new TransportSelection(['long-polling'], () => true);
    expect(pollOnly.next()).toBe('long-polling');
    expect(pollOnly.canUpgrade()).toBe(false);
  });
});
