import { defineConfig } from 'vitest/config';

// Two projects, both run by `vitest run` (`npm run test:unit`):
// - unit: every test and the type tests, against the installed React 19;
// - react18: the React adapter's tests again, against React 18.3 (react-18 / react-dom-18, npm
//   aliases in devDependencies), since `enhanced-ws/react` supports both.
// src/react/react-version.test.tsx checks that each project really runs its own React, one copy.
export default defineConfig({
  test: {
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
          provide: { reactMajor: '19' },
        },
      },
      {
        extends: true,
        resolve: {
          // Whole-specifier matches, so react/jsx-runtime, react-dom/client, react-dom/server…
          // follow, and react-is or react-dom-18 itself do not.
          alias: [
            { find: /^react(\/.*)?$/, replacement: 'react-18$1' },
            { find: /^react-dom(\/.*)?$/, replacement: 'react-dom-18$1' },
          ],
        },
        test: {
          name: 'react18',
          include: ['src/react/**/*.test.tsx'],
          provide: { reactMajor: '18' },
          // The alias only covers modules Vite transforms; this does the same for Node's
          // `require` in react-dom-18 and @testing-library/react (CommonJS, loaded natively).
          setupFiles: ['./vitest.react18-setup.mjs'],
        },
      },
    ],
  },
});
