// Resolves the `url` option to an absolute ws:/wss: URL, or says exactly what is wrong with it.

export type UrlSource = string | (() => string | Promise<string>);

/**
 * `ws:`/`wss:` pass through; `http(s):` and relative URLs become `ws(s):`, resolved as the browser's
 * own `new WebSocket(url)` resolves them: against the document's base URL (`<base href>`, else the
 * page's), or `location` in a worker; read at call time, never at import.
 */
export function toWebSocketUrl(input: unknown): string {
  if (typeof input !== 'string') throw new TypeError(`enhanced-ws: url must be a string (or a function returning one), got ${input === null ? 'null' : typeof input}`);
  let url: URL | undefined;
  try {
    const page = globalThis as { document?: { baseURI?: string }; location?: { href: string } };
    url = new URL(input, page.document?.baseURI ?? page.location?.href);
  } catch {
    // handled below
  }
  if (!url || !/^(wss?|https?):$/.test(url.protocol)) {
    throw new TypeError(
      `enhanced-ws: url must be a ws(s): or http(s): URL, or relative in a page, got ${JSON.stringify(input)}`,
    );
  }
  url.protocol = url.protocol.replace('http', 'ws');
  // Credentials in a URL end up in logs, and fetch refuses such a URL (long-polling): the app's
  // own are refused (read against a base without any), the page's (a relative URL resolved
  // against location) dropped.
  const given = new URL(input, 'ws://base.invalid/');
  if (given.username || given.password) throw new TypeError('enhanced-ws: url must not carry credentials (user:password@): pass them with the auth option');
  url.username = url.password = '';
  url.hash = ''; // meaningless to a server, and the WebSocket constructor of `ws` throws on one
  return url.href;
}
