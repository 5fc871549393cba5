import { HOUR_MS, hourOf, hourPartition } from '@/server/lake/layout';
import type { HistoryQuery, SqlDialect } from '@/server/history/port';

/**
 * Partition pruning. The lake's table is partitioned by the event's UTC hour (year, month, day,
 * hour — integers; see server/lake/layout.ts). Athena with partition projection reads only the
 * hours a query's WHERE names on those columns, so every Trino query must say which hours it
 * reads; DuckDB prunes the hour folders itself and needs nothing.
 *
 * A view writes the placeholder wherever it reads `{{events}}` (or `{{sessions}}`, the session
 * rows of server/lake/sessions.ts, which carry the partition columns on Athena), ANDed into that
 * read's WHERE:
 *
 *     SELECT … FROM {{events}} WHERE {{partitions}} AND ts_ms >= ? AND ts_ms < ?
 *
 * and the engine replaces every `{{partitions}}` with `partitionPredicate(scan.fromMs,
 * scan.toMs, dialect)` (`bindPartitions` does it). The predicate holds numbers only — never a
 * client value — so it is safe to splice into the text; the parameters stay `?`.
 */
export const PARTITIONS_PLACEHOLDER = '{{partitions}}';

export const PARTITION_COLUMNS = ['year', 'month', 'day', 'hour'] as const;

const MONTHS = 12;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `day IN (1, 2, 3)` for one value as `day = 1`, for a run of 3 or more as `day BETWEEN 1 AND 3` */
function valuesPredicate(column: string, values: number[]): string {
  if (values.length === 1) return `${column} = ${values[0]}`;
  const contiguous = values.every((v, i) => i === 0 || v === values[i - 1] + 1);
  if (contiguous && values.length >= 3) return `${column} BETWEEN ${values[0]} AND ${values[values.length - 1]}`;
  return `${column} IN (${values.join(', ')})`;
}

function checkMs(name: string, ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a finite number of epoch milliseconds, got ${ms}`);
}

/**
 * The UTC hours a scan [fromMs, toMs) touches, as the start of each hour: from the hour holding
 * `fromMs` to the hour holding the last millisecond before `toMs`. Empty when toMs <= fromMs.
 */
export function scannedHours(fromMs: number, toMs: number): number[] {
  checkMs('fromMs', fromMs);
  checkMs('toMs', toMs);
  const out: number[] = [];
  if (toMs <= fromMs) return out;
  for (let h = hourOf(fromMs); h < toMs; h += HOUR_MS) out.push(h);
  return out;
}

interface DayHours {
  year: number;
  month: number;
  day: number;
  hours: number[];
}

/**
 * A predicate over the partition columns that is true for exactly the UTC hours the scan
 * [fromMs, toMs) touches (Trino), or `TRUE` (DuckDB, which prunes by folder). Compact: whole
 * years as `year IN (…)`, whole months of a year as `(year = Y AND month IN (…))`, whole days of
 * a month as `(year = Y AND month = M AND day IN (…))`, and the partial days at either end with
 * their hours. An empty scan is `FALSE`. Numbers only.
 */
export function partitionPredicate(fromMs: number, toMs: number, dialect: SqlDialect): string {
  checkMs('fromMs', fromMs);
  checkMs('toMs', toMs);
  if (dialect === 'duckdb') return 'TRUE';
  if (toMs <= fromMs) return 'FALSE';

  // group the hours by day (walking hour by hour would be slow for scans of years)
  const days: DayHours[] = [];
  const first = hourOf(fromMs);
  const last = hourOf(toMs - 1);
  for (let dayStart = Math.floor(first / 86_400_000) * 86_400_000; dayStart <= last; dayStart += 86_400_000) {
    const p = hourPartition(dayStart);
    const fromHour = Math.max(first, dayStart);
    const toHour = Math.min(last, dayStart + 23 * HOUR_MS);
    const hours: number[] = [];
    for (let h = fromHour; h <= toHour; h += HOUR_MS) hours.push(hourPartition(h).hour);
    days.push({ year: p.year, month: p.month, day: p.day, hours });
  }

  const terms: string[] = [];
  const wholeYears: number[] = [];
  // day list → per (year, month) → per year, collapsing whole units upward
  const byYear = new Map<number, Map<number, DayHours[]>>();
  for (const d of days) {
    let months = byYear.get(d.year);
    if (!months) byYear.set(d.year, (months = new Map()));
    let list = months.get(d.month);
    if (!list) months.set(d.month, (list = []));
    list.push(d);
  }
  for (const [year, months] of byYear) {
    const wholeMonths: number[] = [];
    const partial: string[] = [];
    for (const [month, list] of months) {
      const wholeDays = list.filter((d) => d.hours.length === 24).map((d) => d.day);
      if (wholeDays.length === daysInMonth(year, month)) {
        wholeMonths.push(month);
        continue;
      }
      if (wholeDays.length > 0) partial.push(`(year = ${year} AND month = ${month} AND ${valuesPredicate('day', wholeDays)})`);
      for (const d of list) {
        if (d.hours.length === 24) continue;
        partial.push(`(year = ${year} AND month = ${month} AND day = ${d.day} AND ${valuesPredicate('hour', d.hours)})`);
      }
    }
    if (wholeMonths.length === MONTHS) {
      wholeYears.push(year);
      continue;
    }
    if (wholeMonths.length > 0) terms.push(`(year = ${year} AND ${valuesPredicate('month', wholeMonths)})`);
    terms.push(...partial);
  }
  if (wholeYears.length > 0) terms.unshift(valuesPredicate('year', wholeYears));
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

/** the query's SQL with every `{{partitions}}` replaced by the predicate for its scan */
export function bindPartitions(query: HistoryQuery, dialect: SqlDialect): string {
  return query.sql.split(PARTITIONS_PLACEHOLDER).join(partitionPredicate(query.scan.fromMs, query.scan.toMs, dialect));
}
