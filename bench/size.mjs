// Prints raw, gzip and brotli sizes of the browser bundles, and the UMD by source module. The UMD
// core has a 3 KB gzip budget (printed, not enforced yet: see the README's Size section).
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUDGET_GZIP = 3 * 1024;
// The browser-facing bundles; dist/server/ is Node only. index.* and react.* are unminified (the
// app's bundler minifies them), so their gzip is an upper bound of what an app ships.
const BROWSER = ['enhanced-ws.umd.min.js', 'index.js', 'index.cjs', 'react.js', 'react.cjs'];
const files = readdirSync('dist').filter((f) => BROWSER.includes(f));
if (files.length === 0) {
  console.error('size: dist/ has no bundles, run `npm run build` first');
  process.exit(1);
}
const rows = files.map((file) => {
  const code = readFileSync(`dist/${file}`);
  return {
    file,
    raw: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
console.table(rows);
const umd = rows.find((r) => r.file === 'enhanced-ws.umd.min.js');
if (umd) {
  const verdict = umd.gzip <= BUDGET_GZIP ? 'within' : 'OVER';
  console.log(`UMD core: ${umd.gzip} B gzip, ${verdict} the ${BUDGET_GZIP} B budget (reconnecting-websocket: ~3.2 KB)`);
}

// Where the UMD's bytes come from, module by module. esbuild minifies and mangles `_` members
// the way rollup + terser do, so the figures are close to (not equal to) the real bundle's.
const { build } = await import('esbuild');
const { metafile } = await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  minify: true,
  mangleProps: /^_/,
  format: 'iife',
  target: 'es2022',
  write: false,
  metafile: true,
});
const [output] = Object.values(metafile.outputs);
const modules = Object.entries(output.inputs).map(([file, { bytesInOutput }]) => ({ module: file, minified: bytesInOutput }));
const total = modules.reduce((sum, m) => sum + m.minified, 0);
console.log('\nUMD by module (minified bytes, before gzip):');
console.table(modules.sort((a, b) => b.minified - a.minified).map((m) => ({ ...m, share: `${((100 * m.minified) / total).toFixed(1)} %` })));
