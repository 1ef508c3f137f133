// Finishes dist/'s declarations after `tsc -p tsconfig.build.json`, for the consumers tsc alone misses:
// - CommonJS consumers on node16/nodenext read types as ESM from a .d.ts in a "type": "module"
//   package (TS1479); each .d.ts gets a .d.cts twin whose relative imports name .cjs, so `require`
//   resolves to CommonJS types throughout (package.json's exports point `require` at them).
// - Script-tag users get the UMD global typed: `EnhancedWS` is declared on index.d.ts.
import { readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

const DIST = 'dist';
const declarations = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.d.ts'));
if (declarations.length === 0) {
  console.error('finish-types: no .d.ts files in dist/; run tsc -p tsconfig.build.json first');
  process.exit(1);
}
for (const file of declarations) {
  const path = join(DIST, file);
  const cts = readFileSync(path, 'utf8').replace(/((?:from|import\()\s*['"]\.{1,2}\/[^'"]*)\.js(['"])/g, '$1.cjs$2');
  writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), cts);
}
appendFileSync(join(DIST, 'index.d.ts'), '\n/** The global of dist/enhanced-ws.umd.min.js (`<script>` from a CDN). */\nexport as namespace EnhancedWS;\n');
console.log(`finish-types: ${declarations.length} .d.cts twins, EnhancedWS global declared`);
