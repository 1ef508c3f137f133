// Builds ESM + CJS (for bundlers and Node) and a minified UMD (for <script> from a CDN) from src/.
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import reactChat from './examples/react-chat/build.config.mjs';

const ts = () => esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' });

// Private members are spelled `_name`; mangling them is safe because nothing outside the
// bundle may touch them, and it is where most of the minified bytes went.
// `unsafe_arrows`/`unsafe_methods` turn function expressions into arrows and object arrows into
// methods: unsafe only for code that calls such a function with `new`, and src/ uses classes for that.
const minify = () =>
  terser({
    ecma: 2022,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_methods: true },
    mangle: { properties: { regex: /^_/ } },
    format: { comments: false },
  });

export default [
  {
    input: { index: 'src/index.ts', react: 'src/react/index.ts' },
    // React stays a peer; react.js imports the core from ./index.js, so there is one copy.
    external: ['react'],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: true },
    ],
    plugins: [ts()],
  },
  {
    // Node only: never part of the browser bundles. `browser.js` is what bundlers pick for browsers.
    input: { 'server/index': 'src/server/index.ts', 'server/browser': 'src/server/browser.ts' },
    external: ['ws', /^node:/],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', sourcemap: true },
      // (.cjs chunks too: in a "type": "module" package Node reads a .js chunk as ESM)
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: true },
    ],
    plugins: [ts()],
  },
  {
    input: 'src/index.ts',
    output: {
      file: 'dist/enhanced-ws.umd.min.js',
      format: 'umd',
      name: 'EnhancedWS',
      sourcemap: true,
    },
    plugins: [ts(), minify()],
  },
  // The React example app (examples/react-chat/dist/), so `npm start` and the e2e tests can serve it.
  ...reactChat,
];
