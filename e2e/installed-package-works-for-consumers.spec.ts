// The package as `npm pack` publishes it, installed into scratch apps: every entry loads with
// `require` and `import`, and its types compile (and are not `any`) under each module resolution
// apps use, including node16/nodenext for ESM and CommonJS apps and the UMD global for script tags.
// Node only (no browser); run after `npm run build`, like every spec here.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '..');
const NODE_MODULES = join(ROOT, 'node_modules');

/** What each typed app does: typed routing must reject a bad payload (so `any` types fail here). */
const TYPED_USE = `import { EnhancedWebSocketClient } from 'enhanced-ws';
import { useWebSocket } from 'enhanced-ws/react';
import { createServer } from 'enhanced-ws/server';
type Events = { chat: { user: string; text: string } };
const client = new EnhancedWebSocketClient<Events>('wss://example.com/ws', { autoConnect: false });
client.on('chat', (message) => { const user: string = message.user; void user; });
// @ts-expect-error chat needs a { user, text } payload (unused if the types were any)
client.send('chat', 5);
void useWebSocket; void createServer;
`;

let packed: string; // the unpacked tarball: what npm would put in node_modules/enhanced-ws
let scratch: string;

test.beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'enhanced-ws-consumers-'));
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT, encoding: 'utf8' })) as [{ filename: string }];
  execFileSync('tar', ['xzf', join(scratch, filename), '-C', scratch]);
  packed = join(scratch, 'package');
});

test.afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A scratch app with the packed package installed and `files` written; returns its directory. */
function app(name: string, type: 'module' | 'commonjs', files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  cpSync(packed, join(dir, 'node_modules', 'enhanced-ws'), { recursive: true });
  for (const dep of ['ws', 'typescript', 'react']) symlinkSync(join(NODE_MODULES, dep), join(dir, 'node_modules', dep));
  for (const dep of ['node', 'react', 'ws']) symlinkSync(join(NODE_MODULES, '@types', dep), join(dir, 'node_modules', '@types', dep));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Runs tsc in `dir`; returns its output ('' when it compiled). */
function tsc(dir: string): string {
  try {
    execFileSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

const tsconfig = (options: object): string =>
  JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: false, lib: ['es2022', 'dom'], ...options }, include: ['*.ts'] });

test.describe('the installed package', () => {
  for (const resolution of ['nodenext', 'node16'] as const) {
    for (const type of ['module', 'commonjs'] as const) {
      test(`types compile for a ${type === 'module' ? 'ESM' : 'CommonJS'} app on moduleResolution ${resolution}`, () => {
        test.setTimeout(60_000);
        const dir = app(`${resolution}-${type}`, type, { 'tsconfig.json': tsconfig({ module: resolution, moduleResolution: resolution, types: ['node'] }), 'use.ts': TYPED_USE });
        expect(tsc(dir)).toBe('');
      });
    }
  }

  test('types compile for a bundler app, with exactOptionalPropertyTypes', () => {
    test.setTimeout(60_000);
    const options = { module: 'esnext', moduleResolution: 'bundler', exactOptionalPropertyTypes: true, types: ['node'] };
    expect(tsc(app('bundler', 'module', { 'tsconfig.json': tsconfig(options), 'use.ts': TYPED_USE }))).toBe('');
  });

  test('types compile on legacy moduleResolution node10 (subpaths through typesVersions)', () => {
    test.setTimeout(60_000);
    const options = { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0', types: ['node'] };
    expect(tsc(app('node10', 'commonjs', { 'tsconfig.json': tsconfig(options), 'use.ts': TYPED_USE }))).toBe('');
  });

  test('a script-tag page written in TypeScript sees the EnhancedWS global typed', () => {
    test.setTimeout(60_000);
    const page = `const client = new EnhancedWS.EnhancedWebSocketClient<{ chat: { text: string } }>('wss://example.com/ws');
client.on('chat', (message) => console.log(message.text));
// @ts-expect-error the global is typed: chat needs { text }
client.send('chat', 5);
`;
    const dir = app('umd', 'module', { 'tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler', types: ['enhanced-ws'] }), 'page.ts': page });
    expect(tsc(dir)).toBe('');
  });

  for (const entry of ['enhanced-ws', 'enhanced-ws/react', 'enhanced-ws/server']) {
    test(`${entry} loads with require() and with import, with the same exports`, () => {
      const dir = app(`runtime-${entry.replace('/', '-')}`, 'commonjs', {});
      const exportsOf = (code: string): string[] =>
        JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, encoding: 'utf8' })) as string[];
      const required = exportsOf(`import { createRequire } from 'node:module'; console.log(JSON.stringify(Object.keys(createRequire(process.cwd() + '/')(${JSON.stringify(entry)})).sort()))`);
      const imported = exportsOf(`console.log(JSON.stringify(Object.keys(await import(${JSON.stringify(entry)})).filter((k) => k !== 'default').sort()))`);
      expect(required.length).toBeGreaterThan(0);
      expect(required).toEqual(imported);
    });
  }
});
