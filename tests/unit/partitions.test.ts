import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openDuckDB } from '@/server/lake/parquet';
import { PARTITIONS_PLACEHOLDER, bindPartitions, partitionPredicate, scannedHours } from '@/server/history/partitions';

const H = 3_600_000;
const FIRST = Date.UTC(2023, 0, 1);
const END = Date.UTC(2030, 0, 1);

/** every hour of the table, with its partition values computed by DuckDB's own calendar */
let db: { instance: DuckDBInstance; connection: DuckDBConnection };

beforeAll(async () => {
  db = await openDuckDB();
  await db.connection.run(`
    CREATE TABLE hours AS
    SELECT h AS h_ms, year(epoch_ms(h))::INTEGER AS year, month(epoch_ms(h))::INTEGER AS month,
           day(epoch_ms(h))::INTEGER AS day, hour(epoch_ms(h))::INTEGER AS hour
    FROM range(${FIRST}::BIGINT, ${END}::BIGINT, ${H}::BIGINT) t(h)`);
});

afterAll(() => {
  db?.connection.closeSync();
});

/** the hours [fromMs, toMs) touches, by brute force: an hour [h, h+1h) overlapping the range */
function expectedHours(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let h = FIRST; h < END; h += H) if (h < toMs && h + H > fromMs) out.push(h);
  return out;
}

async function selectedHours(predicate: string): Promise<number[]> {
  const r = await db.connection.runAndReadAll(`SELECT h_ms FROM hours WHERE ${predicate} ORDER BY h_ms`);
  return r.getRows().map((row) => Number(row[0]));
}

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALLOWED_WORDS = new Set(['year', 'month', 'day', 'hour', 'AND', 'OR', 'IN', 'BETWEEN', 'TRUE', 'FALSE']);

function onlyNumbersAndKeywords(predicate: string): boolean {
  if (!/^[A-Za-z0-9\s(),=]*$/.test(predicate)) return false;
  return (predicate.match(/[A-Za-z]+/g) ?? []).every((w) => ALLOWED_WORDS.has(w));
}

describe('partitionPredicate (trino)', () => {
  const boundaryCases: [string, number, number][] = [
    ['inside one hour', Date.UTC(2026, 10, 5, 10, 12), Date.UTC(2026, 10, 5, 10, 48)],
    ['exactly one hour, end exclusive', Date.UTC(2026, 10, 5, 10), Date.UTC(2026, 10, 5, 11)],
    ['one millisecond into the next hour', Date.UTC(2026, 10, 5, 10), Date.UTC(2026, 10, 5, 11) + 1],
    ['across midnight', Date.UTC(2026, 10, 5, 22, 30), Date.UTC(2026, 10, 6, 1, 30)],
    ['across a month end', Date.UTC(2026, 9, 30, 20), Date.UTC(2026, 10, 2, 3)],
    ['across a year end', Date.UTC(2025, 11, 31, 21, 5), Date.UTC(2026, 0, 1, 2, 5)],
    ['a leap February', Date.UTC(2028, 1, 27, 5), Date.UTC(2028, 2, 1, 5)],
    ['February of a common year, whole', Date.UTC(2027, 1, 1), Date.UTC(2027, 2, 1)],
    ['a whole UTC day', Date.UTC(2026, 10, 5), Date.UTC(2026, 10, 6)],
    ['a whole month', Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
    ['a whole year', Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1)],
    ['years and a bit', Date.UTC(2024, 11, 30, 7), Date.UTC(2027, 1, 3, 17, 59)],
    ['31 days back from an instant', Date.UTC(2026, 10, 2) - 30 * 24 * H, Date.UTC(2026, 11, 2, 9, 17)],
  ];
  for (const [name, fromMs, toMs] of boundaryCases) {
    it(`covers exactly the hours: ${name}`, async () => {
      const predicate = partitionPredicate(fromMs, toMs, 'trino');
      expect(onlyNumbersAndKeywords(predicate)).toBe(true);
      const expected = expectedHours(fromMs, toMs);
      expect(expected.length).toBeGreaterThan(0);
      expect(await selectedHours(predicate)).toEqual(expected);
      expect(scannedHours(fromMs, toMs)).toEqual(expected);
    });
  }

  it('covers exactly the hours of 300 random ranges (minutes to 15 months, any alignment)', async () => {
    const rand = mulberry32(20261202);
    const start = Date.UTC(2023, 1, 1);
    const span = Date.UTC(2028, 6, 1) - start;
    for (let i = 0; i < 300; i++) {
      const fromMs = start + Math.floor(rand() * span);
      // lengths spread over orders of magnitude: 1 ms … ~15 months
      const length = Math.max(1, Math.floor(Math.exp(rand() * Math.log(450 * 24 * H))));
      const toMs = fromMs + length;
      const predicate = partitionPredicate(fromMs, toMs, 'trino');
      expect(onlyNumbersAndKeywords(predicate), predicate).toBe(true);
      expect(await selectedHours(predicate), `${new Date(fromMs).toISOString()} … ${new Date(toMs).toISOString()}`).toEqual(expectedHours(fromMs, toMs));
    }
  });

  it('is compact: whole days by day, the partial days at either end by hour', () => {
    expect(partitionPredicate(Date.UTC(2026, 10, 3, 5), Date.UTC(2026, 10, 9, 7, 30), 'trino')).toBe(
      '((year = 2026 AND month = 11 AND day BETWEEN 4 AND 8) OR (year = 2026 AND month = 11 AND day = 3 AND hour BETWEEN 5 AND 23) OR (year = 2026 AND month = 11 AND day = 9 AND hour BETWEEN 0 AND 7))',
    );
    expect(partitionPredicate(Date.UTC(2026, 10, 5, 10, 12), Date.UTC(2026, 10, 5, 10, 48), 'trino')).toBe('(year = 2026 AND month = 11 AND day = 5 AND hour = 10)');
    expect(partitionPredicate(Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1), 'trino')).toBe('(year = 2026 AND month = 11)');
    expect(partitionPredicate(Date.UTC(2025, 0, 1), Date.UTC(2027, 0, 1), 'trino')).toBe('year IN (2025, 2026)');
    // a year of hours stays short: two partial months' days and the whole months between
    expect(partitionPredicate(Date.UTC(2025, 2, 14, 9), Date.UTC(2026, 2, 14, 9), 'trino').length).toBeLessThan(600);
  });

  it('is FALSE for an empty scan, and refuses non-finite bounds', async () => {
    expect(partitionPredicate(Date.UTC(2026, 10, 5), Date.UTC(2026, 10, 5), 'trino')).toBe('FALSE');
    expect(partitionPredicate(Date.UTC(2026, 10, 6), Date.UTC(2026, 10, 5), 'trino')).toBe('FALSE');
    expect(await selectedHours('FALSE')).toEqual([]);
    expect(() => partitionPredicate(Number.NaN, 1, 'trino')).toThrow(RangeError);
    expect(() => partitionPredicate(0, Number.POSITIVE_INFINITY, 'trino')).toThrow(RangeError);
  });
});

describe('partitionPredicate (duckdb) and bindPartitions', () => {
  it('is TRUE for DuckDB, which prunes the hour folders itself', () => {
    expect(partitionPredicate(Date.UTC(2026, 10, 5), Date.UTC(2026, 10, 6), 'duckdb')).toBe('TRUE');
  });

  it('replaces every placeholder with the predicate of the scan', () => {
    const scan = { fromMs: Date.UTC(2026, 10, 5, 10), toMs: Date.UTC(2026, 10, 5, 12) };
    const sql = `SELECT a FROM {{events}} WHERE ${PARTITIONS_PLACEHOLDER} AND ts_ms >= ? UNION ALL SELECT b FROM {{events}} WHERE ${PARTITIONS_PLACEHOLDER}`;
    const trino = bindPartitions({ sql, params: [1], scan }, 'trino');
    expect(trino).toBe(
      'SELECT a FROM {{events}} WHERE (year = 2026 AND month = 11 AND day = 5 AND hour IN (10, 11)) AND ts_ms >= ? UNION ALL SELECT b FROM {{events}} WHERE (year = 2026 AND month = 11 AND day = 5 AND hour IN (10, 11))',
    );
    expect(bindPartitions({ sql, params: [1], scan }, 'duckdb')).toBe('SELECT a FROM {{events}} WHERE TRUE AND ts_ms >= ? UNION ALL SELECT b FROM {{events}} WHERE TRUE');
  });
});
