// @vitest-environment happy-dom
// Which React the adapter's tests run against (see vitest.config.ts): React 19 in the `unit`
// project, React 18 in the `react18` one, and in each a single copy of React shared by the tests,
// the adapter, react-dom and @testing-library/react.
import { createRequire } from 'node:module';
import { useState, version } from 'react';
import { version as domVersion } from 'react-dom';
import { renderToString, version as serverVersion } from 'react-dom/server';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major version this project's tests must run against. */
    reactMajor: string;
  }
}

afterEach(() => {
  cleanup();
});

function Counter() {
  const [count] = useState(7);
  return <p data-testid="count">{count}</p>;
}

describe(`React ${inject('reactMajor')}`, () => {
  it('is the version this project is meant to test, for react and react-dom alike', () => {
    expect(version.split('.')[0]).toBe(inject('reactMajor'));
    expect(domVersion).toBe(version);
    expect(serverVersion).toBe(version);
  });

  it('is the React that CommonJS packages require too', () => {
    // @testing-library/react and react-dom `require('react')`: it must be this very copy.
    const require = createRequire(import.meta.url);
    const required = require('react') as { version: string; useState: unknown };
    expect(required.version).toBe(version);
    expect(required.useState).toBe(useState);
  });

  it('renders hooks through JSX, react-dom and @testing-library/react (one copy of React)', () => {
    // A second copy would fail the hook ("Invalid hook call") or reject the JSX element.
    render(<Counter />);
    expect(screen.getByTestId('count').textContent).toBe('7');
    expect(renderToString(<Counter />)).toBe('<p data-testid="count">7</p>');
  });
});
