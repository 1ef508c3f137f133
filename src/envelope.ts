// The JSON envelope `{ type, payload?, id? }`: types, the default serializer, inbound decoding.

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
