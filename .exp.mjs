import { rollup } from 'rollup';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { gzipSync } from 'node:zlib';
const internal = process.argv[2] ? new RegExp(process.argv[2]) : /^_/;
const bundle = await rollup({ input: 'src/index.ts', plugins: [esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }), terser({
    ecma: 2022, compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_methods: true },
    mangle: { properties: { regex: internal } }, format: { comments: false } })] });
const { output } = await bundle.generate({ format: 'umd', name: 'EnhancedWS' });
const code = output[0].code;
console.log(code.length, gzipSync(code, { level: 9 }).length);
