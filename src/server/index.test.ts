import { describe, expect, it } from 'vitest';
import * as stub from './browser.js';
import * as server from './index.js';

describe('enhanced-ws/server entry', () => {
  it('has a browser stub with the same runtime exports, each failing with "Node only"', () => {
    expect(Object.keys(stub).sort()).toEqual(Object.keys(server).sort());
    expect(() => stub.createServer({ port: 0 })).toThrow('enhanced-ws/server is Node only');
    expect(() => new stub.ForbiddenError()).toThrow('enhanced-ws/server is Node only');
  });

  it('exports the shared close codes', () => {
    expect(server.CloseCode.UNAUTHORIZED).toBe(4401);
    expect(server.Refusals.TOO_MANY_CONNECTIONS).toEqual({ code: 4429, status: 429, reason: 'too many connections' });
  });
});
