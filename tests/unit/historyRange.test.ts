import { describe, expect, it } from 'vitest';
import { bucketStarts, checkPickedDays, parseSelection, previousPeriod, resolveRange, selectionParams, startOfDate } from '@/components/history/range';
import { conversionOf, readCarts, readFunnel, readRevenue, readUnconverted } from '@/components/history/readViews';
import { describeStats, formatBytes } from '@/components/history/queryStats';
import type { HistoryResult } from '@/lib/history';

const NY = 'America/New_York';
const H = 3_600_000;

describe('the history page range', () => {
  it('finds day starts in the shop zone, DST days included', () => {
    expect(startOfDate(NY, '2026-03-08')).toBe(Date.UTC(2026, 2, 8, 5)); // EST, midnight = 05:00 UTC
    expect(startOfDate(NY, '2026-03-09')).toBe(Date.UTC(2026, 2, 9, 4)); // EDT from 8 March, 02:00
    expect(startOfDate('Asia/Kolkata', '2026-12-01')).toBe(Date.UTC(2026, 10, 30, 18, 30));
    expect(startOfDate('Pacific/Kiritimati', '2026-12-01')).toBe(Date.UTC(2026, 10, 30, 10));
    // America/Santiago skips midnight when DST begins (6 Sep 2026): the day starts at 01:00 local
    expect(startOfDate('America/Santiago', '2026-09-06')).toBe(Date.UTC(2026, 8, 6, 4));
  });

  it('resolves presets against the shop calendar, with 23 hourly buckets on a spring-forward day', () => {
    const now = Date.UTC(2026, 2, 8, 20); // 16:00 EDT on 8 March
    const today = resolveRange({ range: { kind: 'preset', preset: 'today' }, granularity: null, compare: true }, NY, now);
    expect(today).toMatchObject({ fromDate: '2026-03-08', toDate: '2026-03-09', days: 1, open: true, granularity: 'hour', endMs: now });
    expect(bucketStarts(NY, today.fromMs, today.toMs, 'hour')).toHaveLength(23);
    const week = resolveRange({ range: { kind: 'preset', preset: '7d' }, granularity: null, compare: true }, NY, now);
    expect(week).toMatchObject({ fromDate: '2026-03-02', toDate: '2026-03-09', days: 7, granularity: 'day' });
    expect(bucketStarts(NY, week.fromMs, week.toMs, 'day')).toHaveLength(7);
    const month = resolveRange({ range: { kind: 'preset', preset: '30d' }, granularity: 'hour', compare: true }, NY, now);
    expect(month.granularity).toBe('hour'); // 30 days: hourly may be asked for
    const long = resolveRange({ range: { kind: 'custom', from: '2026-01-01', to: '2026-03-01' }, granularity: 'hour', compare: true }, NY, now);
    expect(long).toMatchObject({ granularity: 'day', hourAllowed: false, open: false });
  });

  it('compares a running day with the day before up to the same time, a closed range with the whole previous one', () => {
    const now = Date.UTC(2026, 11, 2, 15, 7); // 10:07 EST
    const today = resolveRange({ range: { kind: 'preset', preset: 'today' }, granularity: null, compare: true }, NY, now);
    const prev = previousPeriod(today, NY, now);
    expect(prev.fromMs).toBe(Date.UTC(2026, 11, 1, 5));
    expect(prev.toMs).toBe(Date.UTC(2026, 11, 1, 15, 5)); // whole 5-minute steps
    expect(prev.to).toBe('2026-12-01T15:05:00.000Z');
    const yesterday = resolveRange({ range: { kind: 'preset', preset: 'yesterday' }, granularity: null, compare: true }, NY, now);
    expect(previousPeriod(yesterday, NY, now)).toMatchObject({ from: '2026-11-30', to: '2026-12-01', cutAtMs: null });
  });

  it('keeps the selection in the URL and says what it could not read', () => {
    const sel = { range: { kind: 'custom' as const, from: '2026-11-01', to: '2026-12-01' }, granularity: 'day' as const, compare: false };
    const params = selectionParams(sel);
    expect(params.toString()).toBe('from=2026-11-01&to=2026-12-01&g=day&compare=0');
    expect(parseSelection(params)).toEqual({ selection: sel, problem: null });
    const bad = parseSelection(new URLSearchParams('from=2026-02-30&to=2026-03-02'));
    expect(bad.selection.range).toEqual({ kind: 'preset', preset: '7d' });
    expect(bad.problem).toContain('the start "2026-02-30" is not a date');
    expect(parseSelection(new URLSearchParams('preset=week')).problem).toContain('"week" is not a preset');
  });

  it('checks picked days in words', () => {
    expect(checkPickedDays('2026-12-01', '2026-11-28', '2026-12-02')).toEqual({ ok: false, error: 'The last day comes before the first one.' });
    expect(checkPickedDays('2026-12-01', '2026-12-05', '2026-12-02')).toMatchObject({ ok: false, error: expect.stringContaining('after today') });
    expect(checkPickedDays('2026-01-01', '2026-12-01', '2026-12-02')).toMatchObject({ ok: false, error: expect.stringContaining('at most 93 days') });
    expect(checkPickedDays('', '2026-12-01', '2026-12-02')).toEqual({ ok: false, error: 'Choose the first day.' });
    expect(checkPickedDays('2026-11-30', '2026-11-30', '2026-12-02')).toEqual({ ok: true, from: '2026-11-30', to: '2026-12-01' });
  });
});

const result = (columns: HistoryResult['columns'], rows: HistoryResult['rows']): HistoryResult => ({
  view: 'revenue',
  from: 0,
  to: 1,
  granularity: 'hour',
  shop: { currency: 'EUR', minorUnits: 2, timeZone: 'UTC' },
  columns,
  rows,
  stats: { engine: 'duckdb', elapsedMs: 1, bytesScanned: null, filesScanned: null, queryId: null },
  cached: false,
  computedAt: 0,
  lakeNewestEventTime: 0,
  notes: [],
});

describe("reading the views' tables", () => {
  it('revenue: totals, and the average over orders with a shop-currency amount', () => {
    const r = readRevenue(
      result(
        [
          { name: 'bucket_start', kind: 'time', label: 'Period' },
          { name: 'revenue_minor', kind: 'money', label: 'Revenue' },
          { name: 'orders', kind: 'count', label: 'Orders' },
          { name: 'valued_orders', kind: 'count', label: 'Orders in the shop currency' },
          { name: 'average_order_value_minor', kind: 'money', label: 'Average order value' },
        ],
        [
          [0, 1000, 3, 2, 500],
          [H, 0, 0, 0, null],
          [2 * H, 250, 1, 1, 250],
        ],
      ),
    );
    expect(r).toMatchObject({ revenue: 1250, orders: 4, valuedOrders: 3 });
    expect(r.buckets.get(H)).toEqual({ revenue: 0, orders: 0, valued: 0 });
  });

  it('funnel rows by step, conversion over sessions with a page view', () => {
    const f = readFunnel(
      result(
        [
          { name: 'step', kind: 'text', label: 'Step' },
          { name: 'sessions', kind: 'count', label: 'Sessions' },
          { name: 'share_of_previous', kind: 'ratio', label: 'Share' },
        ],
        [
          ['page_view', 200, null],
          ['add_to_cart', 50, 0.25],
          ['purchase', 10, 0.2],
        ],
      ),
    );
    expect(f.steps.map((s) => s.count)).toEqual([200, 50, 10]);
    expect(conversionOf(f)).toBe(0.05);
  });

  it('carts: the range rate from counts, not an average of bucket rates', () => {
    const c = readCarts(
      result(
        [
          { name: 'bucket_start', kind: 'time', label: 'Period' },
          { name: 'abandoned', kind: 'count', label: 'Abandoned' },
          { name: 'purchased', kind: 'count', label: 'Purchased' },
          { name: 'decided', kind: 'count', label: 'Decided' },
          { name: 'rate', kind: 'ratio', label: 'Rate' },
        ],
        [
          [0, 1, 0, 1, 1],
          [H, 1, 8, 9, 1 / 9],
          [2 * H, 0, 0, 0, null],
        ],
      ),
    );
    expect(c).toMatchObject({ abandoned: 2, purchased: 8, rate: 0.2 });
    expect(c.buckets.get(2 * H)?.rate).toBeNull();
  });

  it('unconverted revenue summed per currency over the buckets', () => {
    const u = readUnconverted(
      result(
        [
          { name: 'bucket_start', kind: 'time', label: 'Period' },
          { name: 'currency', kind: 'text', label: 'Currency' },
          { name: 'amount_minor', kind: 'money', label: 'Amount' },
          { name: 'orders', kind: 'count', label: 'Orders' },
        ],
        [
          [0, 'JPY', 120000, 1],
          [0, 'USD', 999, 1],
          [H, 'JPY', 5000, 1],
        ],
      ),
    );
    expect(u).toEqual([
      { currency: 'JPY', amountMinor: 125000, orders: 2 },
      { currency: 'USD', amountMinor: 999, orders: 1 },
    ]);
  });
});

describe('how a query ran, in words', () => {
  const stats = { bytesScanned: null, filesScanned: null, queryId: null };
  it('DuckDB: time and files; Athena: time and bytes scanned', () => {
    expect(describeStats({ ...stats, engine: 'duckdb', elapsedMs: 84.2, filesScanned: 12, bytesScanned: 1_000_000 })).toBe('DuckDB · 84 ms · 12 files');
    expect(describeStats({ ...stats, engine: 'duckdb', elapsedMs: 3, filesScanned: 1 })).toBe('DuckDB · 3 ms · 1 file');
    expect(describeStats({ ...stats, engine: 'athena', elapsedMs: 2_340, bytesScanned: 48_200_000, queryId: 'q-1' })).toBe('Athena · 2.3 s · 48 MB scanned');
    expect(formatBytes(912_000)).toBe('912 kB');
    expect(formatBytes(1_500_000_000)).toBe('1.5 GB');
    expect(formatBytes(310)).toBe('310 B');
  });
});
