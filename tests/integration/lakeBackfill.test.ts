import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, BackfillRefused, type BackfillSummary } from '@/scripts/lake-backfill';
import { hourDir } from '@/server/lake/layout';
import { shopSettings } from '@/server/shop';
import { defaultPricing } from '@/scripts/simulator/simulator';

const run = promisify(execFile);
const END = Date.parse('2026-11-20T12:00:00.000Z');
const HOURS = [END - 2 * 3_600_000, END - 3_600_000];

async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('lake:backfill', () => {
  let dir: string;
  let first: BackfillSummary;
  const options = () => ({ days: 2 / 24, rate: 2, seed: 7, dir, end: END, shop: shopSettings({ currency: 'EUR' }), pricing: defaultPricing() });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulse-backfill-'));
    first = await backfill(options());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one compacted file per UTC hour, with its (empty) covers list', async () => {
    for (const h of HOURS) {
      const names = (await readdir(join(dir, hourDir(h)))).sort();
      expect(names).toEqual(['_compacted-000001.json', '_sessions-000001.parquet', 'compacted-000001.parquet']);
      expect(JSON.parse(await readFile(join(dir, hourDir(h), '_compacted-000001.json'), 'utf8'))).toEqual({ covers: [] });
    }
    expect(await readdir(join(dir, 'events/year=2026/month=11/day=20'))).toHaveLength(2);
  });

  it('holds every generated event once, each in the hour of its event time', async () => {
    expect(first.rejected).toBe(0);
    expect(first.generated).toBeGreaterThan(8_000); // ~2 events/s for two hours, shaped by hour of day
    const [all] = await query<{ n: string; ids: string; keys: string; wrong_hour: string; from: string; to: string }>(
      `SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT (log_partition, log_offset)) AS keys,
              count(*) FILTER (WHERE hour::INT <> extract(hour FROM make_timestamp(ts_ms * 1000))) AS wrong_hour,
              min(ts_ms) AS "from", max(ts_ms) AS "to"
         FROM read_parquet('${dir}/events/**/compacted-*.parquet', hive_partitioning = true)`,
    );
    expect(Number(all.n)).toBe(first.generated);
    expect(Number(all.n)).toBe(first.rows);
    expect(Number(all.ids)).toBe(first.rows);
    expect(Number(all.keys)).toBe(first.rows);
    expect(Number(all.wrong_hour)).toBe(0);
    expect(Number(all.from)).toBeGreaterThanOrEqual(HOURS[0]);
    expect(Number(all.to)).toBeLessThan(END);
  });

  it('gives every purchase a fraud score in [0, 1] and a country; other events neither', async () => {
    const [p] = await query<{ purchases: string; scored: string; in_range: string; flagged: string; countries: string; others_scored: string; log_ids: string }>(
      `SELECT count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
              count(fraud_score) FILTER (WHERE event_type = 'purchase') AS scored,
              count(*) FILTER (WHERE event_type = 'purchase' AND fraud_score BETWEEN 0 AND 1) AS in_range,
              count(*) FILTER (WHERE fraud_score > 0) AS flagged,
              count(purchase_country) FILTER (WHERE event_type = 'purchase') AS countries,
              count(*) FILTER (WHERE event_type <> 'purchase' AND (fraud_score IS NOT NULL OR purchase_country IS NOT NULL)) AS others_scored,
              string_agg(DISTINCT log_id, ',') AS log_ids
         FROM read_parquet('${dir}/events/**/compacted-*.parquet')`,
    );
    expect(Number(p.purchases)).toBe(first.purchases);
    expect(Number(p.purchases)).toBeGreaterThan(20);
    expect(Number(p.scored)).toBe(Number(p.purchases));
    expect(Number(p.in_range)).toBe(Number(p.purchases));
    expect(Number(p.flagged)).toBe(first.flaggedPurchases);
    expect(Number(p.countries)).toBe(Number(p.purchases));
    expect(Number(p.others_scored)).toBe(0);
    expect(p.log_ids).toBe('backfill-7');
  });

  it('refuses hours that already have files, unless --force (which replaces them)', async () => {
    await expect(backfill(options())).rejects.toThrow(BackfillRefused);
    await expect(backfill(options())).rejects.toThrow(/2 of the 2 hours already have files.*--force/);

    // the command line says so and exits 1, having written nothing
    const cli = run(process.execPath, ['--import', 'tsx', 'scripts/lake-backfill.ts', '--days', '1', '--dir', dir, '--end', new Date(END).toISOString(), '--quiet'], {
      cwd: process.cwd(),
    });
    const failed = await cli.then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/2 of the 24 hours already have files .*nothing was written\. Pass --force/);

    const again = await backfill({ ...options(), force: true });
    expect(again.replacedHours).toBe(2);
    expect(again.rows).toBe(first.rows); // same seed, same history
    for (const h of HOURS) expect((await readdir(join(dir, hourDir(h)))).sort()).toEqual(['_compacted-000001.json', '_sessions-000001.parquet', 'compacted-000001.parquet']);
    const [n] = await query<{ n: string }>(`SELECT count(*) AS n FROM read_parquet('${dir}/events/**/compacted-*.parquet')`);
    expect(Number(n.n)).toBe(first.rows);
  });
});
