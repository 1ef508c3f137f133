// The JSON envelope `{ type, payload?, id? }`: types, the default serializer, encoding and decoding frames.

import { EnhancedWsError, show } from './errors.js';

/**
 * Maps each message type to its payload type, e.g. `{ chat: { text: string } }`. The client
 * accepts any object type here, so `interface Events { … }` works as well as a type alias.
 */
export type EventMap = Record<string, unknown>;

/** One message on the wire. `id` is set on requests and their replies only. */
export interface Envelope<T extends string = string, P = unknown> {
  type: T;
  payload?: P;
  id?: string;
  error?: { message: string; code?: string };
}

/**
 * What `onAny` handlers receive: a decoded envelope, or `type: null` with the decoded value
 * (or the binary data) for frames that are not envelopes.
 */
export type InboundMessage = Envelope | { type: null; payload: unknown };

/** Turns envelopes into text frames and back. JSON by default. */
export interface Serializer {
  encode(message: Envelope): string;
  decode(data: string): unknown;
}

export const jsonSerializer: Serializer = {
  encode: (message) => {
    // JSON would leave these out without a word, and the message would arrive without its payload.
    const kind = typeof message.payload;
    if (kind === 'function' || kind === 'symbol') throw new TypeError(`JSON cannot represent a ${kind}`);
    return JSON.stringify(message);
  },
  decode: (data) => JSON.parse(data) as unknown,
};

/** Whether a decoded value has the envelope's shape: an object with a string `type`. */
export function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && typeof (value as Envelope).type === 'string';
}

/** Frames to and from envelopes through the app's serializer, with errors that name the message. */
export class Codec {
  constructor(private readonly _serializer: Serializer) {}

  /** Throws a `TypeError` for a bad type, `SERIALIZE_FAILED` when the serializer cannot encode it. */
  encode(message: Envelope): string {
    if (typeof message.type !== 'string' || !message.type) {
      throw new TypeError(`enhanced-ws: message type must be a non-empty string, got ${JSON.stringify(message.type)}`);
    }
    let frame: unknown;
    try {
      frame = this._serializer.encode(message);
    } catch (error) {
      throw new EnhancedWsError('SERIALIZE_FAILED', `enhanced-ws: cannot serialize the payload of "${message.type}": ${show(error)}`, error);
    }
    if (typeof frame !== 'string') throw new EnhancedWsError('SERIALIZE_FAILED', `enhanced-ws: serializer.encode must return a string, got ${typeof frame} for "${message.type}"`);
    return frame;
  }

  /** The decoded text frame; binary data, and text the serializer refuses, as they came. */
  decode(data: unknown): unknown {
    try {
      return typeof data === 'string' ? this._serializer.decode(data) : data;
    } catch {
      return data; // reported as malformed, with the raw text
    }
  }
}
