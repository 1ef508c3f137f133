// toWebSocketUrl: ws(s) pass through, http(s) and relative URLs map to ws(s), bad ones name themselves.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toWebSocketUrl } from './url.js';

describe('toWebSocketUrl', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('passes ws: and wss: URLs through', () => {
    expect(toWebSocketUrl('ws://example.com/socket')).toBe('ws://example.com/socket');
    expect(toWebSocketUrl('wss://example.com:8443/a?b=1')).toBe('wss://example.com:8443/a?b=1');
  });

  it('maps http: to ws: and https: to wss:', () => {
    expect(toWebSocketUrl('http://example.com/ws')).toBe('ws://example.com/ws');
    expect(toWebSocketUrl('https://example.com/ws')).toBe('wss://example.com/ws');
  });

  it('resolves a relative URL against location, keeping the page secure', () => {
    vi.stubGlobal('location', { href: 'https://app.example.com/chat/room?x=1' });
    expect(toWebSocketUrl('/ws')).toBe('wss://app.example.com/ws');
    expect(toWebSocketUrl('socket')).toBe('wss://app.example.com/chat/socket');
    vi.stubGlobal('location', { href: 'http://localhost:8080/' });
    expect(toWebSocketUrl('/ws')).toBe('ws://localhost:8080/ws');
  });

  it('resolves a relative URL against the document\'s base URL (<base href>), as new WebSocket(url) does', () => {
    vi.stubGlobal('location', { href: 'https://app.example.com/myapp/rooms/42' });
    vi.stubGlobal('document', { baseURI: 'https://app.example.com/myapp/' });
    expect(toWebSocketUrl('ws')).toBe('wss://app.example.com/myapp/ws');
    expect(toWebSocketUrl('/ws')).toBe('wss://app.example.com/ws');
  });

  it.each(['wss://ada:s3cret@example.com/ws', 'https://ada@example.com/ws', '//ada:s3cret@api.example.com/ws', ' wss://ada:s3cret@api.example.com/ws'])('refuses credentials in the URL %j (in a page) with a TypeError pointing to auth, without repeating them', (input) => {
    vi.stubGlobal('location', { href: 'https://app.example.com/chat' }); // (a scheme-relative URL needs a page)
    expect(() => toWebSocketUrl(input)).toThrow(TypeError);
    expect(() => toWebSocketUrl(input)).toThrow(/url must not carry credentials .*auth option/);
    expect(() => toWebSocketUrl(input)).not.toThrow(/s3cret|ada/);
  });

  it('refuses credentials without URL.canParse, which the supported browsers lack (Safari < 17, Chrome < 120)', () => {
    const canParse = Object.getOwnPropertyDescriptor(URL, 'canParse');
    Reflect.deleteProperty(URL, 'canParse');
    try {
      expect(() => toWebSocketUrl('wss://ada:s3cret@example.com/ws')).toThrow(/must not carry credentials/);
    } finally {
      if (canParse) Object.defineProperty(URL, 'canParse', canParse);
    }
  });

  it('drops the page URL\'s user:password, which resolving a relative URL against location would copy', () => {
    vi.stubGlobal('location', { href: 'https://ada:s3cret@app.example.com/chat/room' });
    expect(toWebSocketUrl('/ws')).toBe('wss://app.example.com/ws');
  });

  it('drops a #fragment, which the WebSocket constructor of `ws` refuses on every attempt', () => {
    expect(toWebSocketUrl('wss://example.com/ws?room=1#top')).toBe('wss://example.com/ws?room=1');
    expect(toWebSocketUrl('wss://example.com/ws#')).toBe('wss://example.com/ws');
  });

  it.each(['not a url', '', '/ws', 'ftp://example.com/file', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'throws a TypeError quoting %j',
    (input) => {
      expect(() => toWebSocketUrl(input)).toThrow(TypeError);
      expect(() => toWebSocketUrl(input)).toThrow(JSON.stringify(input));
      expect(() => toWebSocketUrl(input)).toThrow(/url/);
    },
  );

  it.each([[42], [null], [undefined], [{ href: 'ws://example.com' }]])('throws a TypeError for the non-string %o', (input: unknown) => {
    expect(() => toWebSocketUrl(input)).toThrow(TypeError);
  });
});
