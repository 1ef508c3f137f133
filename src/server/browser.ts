// What browser bundlers get for `enhanced-ws/server`: the same names, each failing with a clear error.

const nodeOnly = (): never => {
  throw new Error('enhanced-ws/server is Node only: import it in your Node server, and `enhanced-ws` in the browser');
};

/** @throws always: the server needs Node's `http` and the `ws` package. */
export const createServer: (options?: unknown) => never = nodeOnly;

/** @throws always (see `createServer`). */
export class ForbiddenError extends Error {
  constructor() {
    super();
    nodeOnly();
  }
}

export { SERVER_DEFAULTS } from './options.js';
export { FrameErrorCode, NO_HANDLER, Refusals, Upgrade } from './codes.js';
export { CloseCode } from '../close-codes.js';
