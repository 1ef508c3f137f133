// Setup of the `react18` vitest project (see vitest.config.ts): React 18 for Node's `require` too.
//
// The project's `resolve.alias` sends the tests' and the adapter's `react` / `react-dom` imports to
// the `react-18` / `react-dom-18` packages (npm aliases of React 18.3). Packages loaded natively
// from node_modules never see that alias: `react-dom-18` and `@testing-library/react` are
// CommonJS and `require('react')`, which Node would answer with the root React 19, a second copy
// of React ("Invalid hook call"). This redirects those requests to the same React 18 files the
// alias resolves to, so each test file runs one React: 18.
import Module from 'node:module';

const REACT_REQUEST = /^(react|react-dom)(\/.*)?$/;
const PATCHED = Symbol.for('enhanced-ws.react18-resolve');

if (!Module[PATCHED]) {
  Module[PATCHED] = true;
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveReact18(request, ...rest) {
    const match = typeof request === 'string' ? REACT_REQUEST.exec(request) : null;
    return resolveFilename.call(this, match ? `${match[1]}-18${match[2] ?? ''}` : request, ...rest);
  };
}
