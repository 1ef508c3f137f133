// Builds the React chat example: src/main.tsx → dist/app.js, one ES module with React in production mode, minified.
//
//   npx rollup -c examples/react-chat/build.config.mjs      (the root rollup.config.mjs includes it, so `npm run build` does too)

import { fileURLToPath } from 'node:url';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import esbuild from 'rollup-plugin-esbuild';

/** Paths relative to this file, whichever directory rollup runs from. */
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default [
  {
    input: here('src/main.tsx'),
    output: { file: here('dist/app.js'), format: 'es', sourcemap: true },
    plugins: [
      // React picks its production build from this; the development one is then dropped as dead code.
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      // The app imports the SDK's React entry from src/ (an app would import 'enhanced-ws/react'), so .ts/.tsx resolve too.
      nodeResolve({ browser: true, extensions: ['.mjs', '.js', '.json', '.ts', '.tsx'] }),
      commonjs(), // react and react-dom ship CommonJS
      esbuild({ jsx: 'automatic', target: 'es2022', minify: true, tsconfig: here('../../tsconfig.json') }),
    ],
  },
];
