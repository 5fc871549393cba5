import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAKE_COLUMNS } from '@/server/lake/schema';
import { CREATE_COLUMNS } from '@/server/lake/parquet';

describe('the lake table is documented as it is written', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  it('README lists every column with its type, in order', () => {
    const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| ([A-Z[\]]+) \| /gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(LAKE_COLUMNS.map((c) => [c.name, c.duckdb]));
  });
  it('the Parquet writer creates exactly those columns', () => {
    expect(CREATE_COLUMNS.split(', ').map((c) => c.split(' ')[0].replaceAll('"', ''))).toEqual(LAKE_COLUMNS.map((c) => c.name));
  });
});
