// Prints raw, gzip and brotli sizes of every built bundle; the UMD core has a 3 KB gzip budget.
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUDGET_GZIP = 3 * 1024;
const files = readdirSync('dist').filter((f) => /\.(c?js)$/.test(f));
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
