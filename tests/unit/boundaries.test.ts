import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What Next bundles (app/, components/, lib/) never reaches server code. This stands in for
 * `import 'server-only'`: that package throws when loaded outside a react-server bundle, and the
 * custom server runs server/ under plain Node (and tsx in tests), so the guard would break the
 * very processes it protects. A failing import here names the file and the line.
 */
const ROOT = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

function imports(file: string): { line: number; from: string }[] {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const m = /^\s*(?:import|export)\b[^'"]*from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/.exec(text);
      return m ? [{ line: i + 1, from: m[1] ?? m[2] }] : [];
    });
}

describe('module boundaries', () => {
  it('pages and components never import server code', () => {
    const bad = [...sources('app'), ...sources('components')].flatMap((f) =>
      imports(f).filter((i) => i.from.startsWith('@/server') || /(^|\/)server\//.test(i.from)).map((i) => `${f}:${i.line} imports ${i.from}`),
    );
    expect(bad).toEqual([]);
  });

  it('lib/ (shared with the browser) imports neither server code nor Node built-ins', () => {
    const bad = sources('lib').flatMap((f) =>
      imports(f).filter((i) => i.from.startsWith('@/server') || i.from.startsWith('node:') || i.from.startsWith('@/components')).map((i) => `${f}:${i.line} imports ${i.from}`),
    );
    expect(bad).toEqual([]);
  });

  it('finds imports at all (the scan itself works)', () => {
    expect(imports('lib/live.ts').some((i) => i.from === 'zod')).toBe(true);
  });
});
