// The README's options table is the user's view of DEFAULTS: they must not drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** `| \`reconnect.jitter\` | \`0.5\` | …` → { 'reconnect.jitter': '0.5' } */
function documentedDefaults(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `([\w.]+)` \| `([^`]+)` \|/gm)) {
    rows.set(match[1] as string, match[2] as string);
  }
  return rows;
}

/** A default as the README writes it: `'drop-oldest'`, `Infinity`, `['websocket', 'long-polling']`. */
const show = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : Array.isArray(value) ? `[${value.map(show).join(', ')}]` : String(value));

function flatten(value: object, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]): [string, unknown][] =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? flatten(v as object, `${prefix}${key}.`) : [[`${prefix}${key}`, v]],
  );
}

describe('README options table', () => {
  it('lists every default with the value DEFAULTS holds', () => {
    const documented = documentedDefaults();
    for (const [name, value] of flatten(DEFAULTS)) {
      const expected = show(value);
      expect(documented.get(name), `README row for ${name}`).toBe(expected);
    }
  });
});
