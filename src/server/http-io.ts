// Small HTTP helpers for the long-polling endpoints: JSON responses, CORS, bounded bodies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from './codes.js';

/** Writes a JSON response (or an empty one for 204), unless the response is already done. */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** A refusal as the client reads it: the HTTP status, and the close code in the body. */
export function refuse(res: ServerResponse, refusal: Refusal): void {
  sendJson(res, refusal.status, { code: refusal.code, reason: refusal.reason });
}

/**
 * Lets pages on other origins read every answer (refusals included, so a browser can tell 401
 * from a network error). No `Allow-Credentials`: cross-origin requests carry no cookies, and a
 * session is reached only through its unguessable `sid`.
 */
export function allowCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
}

/** Answers a CORS preflight for our methods and headers. */
export function preflight(res: ServerResponse): void {
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, DELETE',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

/**
 * Reads the body as UTF-8, or resolves null when it exceeds `limit` bytes: the rest is drained
 * (not buffered) so the 413 can still be read; Node's `requestTimeout` bounds a slow sender.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : null);
    });
    req.on('error', reject);
  });
}

/** The credential of an `Authorization: Bearer <credential>` header. */
export function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
