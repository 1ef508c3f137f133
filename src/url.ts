// Resolves the `url` option to an absolute ws:/wss: URL, or says exactly what is wrong with it.

export type UrlSource = string | (() => string | Promise<string>);

/**
 * `ws:`/`wss:` pass through; `http(s):` and relative URLs become `ws(s):` against `location`
 * where there is one (read at call time, never at import).
 */
export function toWebSocketUrl(input: unknown): string {
  if (typeof input !== 'string') throw new TypeError(`enhanced-ws: url must be a string (or a function returning one), got ${input === null ? 'null' : typeof input}`);
  let url: URL | undefined;
  try {
    url = new URL(input, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    // handled below
  }
  if (!url || !/^(wss?|https?):$/.test(url.protocol)) {
    throw new TypeError(
      `enhanced-ws: url must be a ws(s): or http(s): URL, or relative in a page, got ${JSON.stringify(input)}`,
    );
  }
  url.protocol = url.protocol.replace('http', 'ws');
  if (url.username || url.password) {
    // Credentials in a URL end up in logs, and fetch refuses such a URL (long-polling). Given
    // ones (an absolute URL: it has a scheme) are refused; the page's own (a relative URL
    // resolved against location) are dropped. (Not URL.canParse: Safari 17+, Chrome 120+.)
    if (/^[a-z][\w+.-]*:/i.test(input)) throw new TypeError('enhanced-ws: url must not carry credentials (user:password@): pass them with the auth option');
    url.username = url.password = '';
  }
  url.hash = ''; // meaningless to a server, and the WebSocket constructor of `ws` throws on one
  return url.href;
}

/** Calls the url function (if any) and resolves its result. Rejects with a TypeError naming the bad value. */
export async function resolveUrl(source: UrlSource): Promise<string> {
  return toWebSocketUrl(typeof source === 'function' ? await source() : source);
}
