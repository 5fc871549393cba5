import { describe, expect, test } from 'vitest';
import { DEFAULT_TOP_ROWS, MAX_HOURLY_RANGE_DAYS, MAX_RANGE_DAYS, MAX_TOP_ROWS, historyIndexSchema, historyResultSchema } from '@/lib/history';
import type { EngineResult, HistoryEngine, HistoryQuery } from '@/server/history/port';
import { createHistoryService, parseHistoryParams, shopDayStart } from '@/server/history/service';
import { HttpError } from '@/server/http/errors';
import { shopSettings } from '@/server/shop';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-02T10:00:00Z');
const shop = shopSettings({ currency: 'EUR', timeZone: 'Europe/Berlin' });
const params = (q: Record<string, string> | string) => new URLSearchParams(q);
const parse = (q: Record<string, string> | string) => parseHistoryParams(params(q), shop, NOW);

function refusal(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('history parameters', () => {
  test.each([
    ['from', { from: 'yesterday' }],
    ['from', { from: '2026-13-01' }],
    ['from', { from: '2026-02-30' }],
    ['from', { from: '2026-12-01T10:00:00' }], // no zone
    ['from', { from: '2026-12-01T24:00:00Z' }],
    ['from', { from: '1733000000000' }],
    ['from', { from: '' }],
    ['to', { to: '2026-12-01T10:61:00Z' }],
    ['to', { to: 'x'.repeat(100) }],
    ['granularity', { granularity: 'minute' }],
    ['granularity', { granularity: '' }],
    ['limit', { limit: '0' }],
    ['limit', { limit: String(MAX_TOP_ROWS + 1) }],
    ['limit', { limit: '-1' }],
    ['limit', { limit: '1.5' }],
    ['limit', { limit: 'ten' }],
    ['min_score', { min_score: '1.5' }],
    ['min_score', { min_score: '-0.1' }],
    ['min_score', { min_score: 'NaN' }],
    ['min_score', { min_score: '1e-1' }],
    ['format', { format: 'xlsx' }],
    ['bogus', { bogus: '1' }],
    ['__proto__', '__proto__=1'],
    ['limit', 'limit=5&limit=6'],
  ] as const)('%s: %j is refused with 400 naming it', (field, q) => {
    const err = refusal(() => parse(q as Record<string, string> | string));
    expect(err.status).toBe(400);
    expect(err.code).toBe('bad_request');
    expect(err.message.startsWith(`${field}:`)).toBe(true);
  });

  test('to must be after from', () => {
    const err = refusal(() => parse({ from: '2026-12-01', to: '2026-12-01' }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^to: must be after from/);
    expect(refusal(() => parse({ from: '2026-12-02', to: '2026-12-01' })).message).toMatch(/^to:/);
  });

  test('range bounds: at most MAX_RANGE_DAYS days, hourly at most MAX_HOURLY_RANGE_DAYS', () => {
    const to = '2026-12-01T00:00:00Z';
    const back = (days: number) => new Date(Date.parse(to) - days * DAY).toISOString();
    expect(parse({ from: back(MAX_RANGE_DAYS), to }).granularity).toBe('day');
    expect(refusal(() => parse({ from: back(MAX_RANGE_DAYS + 1), to })).message).toMatch(/^to: the range may cover at most 93 days/);
    expect(parse({ from: back(MAX_HOURLY_RANGE_DAYS), to, granularity: 'hour' }).granularity).toBe('hour');
    expect(refusal(() => parse({ from: back(MAX_HOURLY_RANGE_DAYS + 1), to, granularity: 'hour' })).message).toMatch(/^granularity:/);
  });

  test('to at most one day in the future', () => {
    expect(parse({ from: '2026-12-01', to: new Date(NOW + DAY).toISOString() }).to).toBe(NOW + DAY);
    expect(refusal(() => parse({ from: '2026-12-01', to: new Date(NOW + DAY + 1000).toISOString() })).message).toMatch(/^to: may be at most 1 day in the future/);
  });

  test('a date is the start of that day in the shop zone; to is exclusive', () => {
    const p = parse({ from: '2026-12-01', to: '2026-12-02' });
    expect(p.from).toBe(Date.parse('2026-11-30T23:00:00Z')); // Berlin, CET
    expect(p.to).toBe(Date.parse('2026-12-01T23:00:00Z'));
    expect(p.granularity).toBe('hour');
    // DST days and far-off zones
    expect(shopDayStart('Europe/Berlin', '2026-03-29')).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(shopDayStart('Europe/Berlin', '2026-03-30')).toBe(Date.parse('2026-03-29T22:00:00Z'));
    expect(shopDayStart('Pacific/Kiritimati', '2026-12-01')).toBe(Date.parse('2026-11-30T10:00:00Z'));
    expect(shopDayStart('Pacific/Pago_Pago', '2026-12-01')).toBe(Date.parse('2026-12-01T11:00:00Z'));
    expect(shopDayStart('Asia/Kolkata', '2026-12-01')).toBe(Date.parse('2026-11-30T18:30:00Z'));
    // America/Santiago skips midnight when DST starts (2026-09-06): the day starts at 01:00
    expect(shopDayStart('America/Santiago', '2026-09-06')).toBe(Date.parse('2026-09-06T04:00:00Z'));
  });

  test('instants with offsets and fractions', () => {
    const p = parse({ from: '2026-12-01T09:30:00+05:30', to: '2026-12-01T10:00:00.5Z' });
    expect(p.from).toBe(Date.parse('2026-12-01T04:00:00Z'));
    expect(p.to).toBe(Date.parse('2026-12-01T10:00:00.500Z'));
  });

  test('defaults: the last 7 shop days, day buckets, DEFAULT_TOP_ROWS, min_score 0.5, json', () => {
    const p = parse({});
    expect(p.to).toBe(Date.parse('2026-12-02T23:00:00Z')); // start of tomorrow in Berlin
    expect(p.from).toBe(Date.parse('2026-11-25T23:00:00Z'));
    expect(p).toMatchObject({ granularity: 'day', limit: DEFAULT_TOP_ROWS, minScore: 0.5, format: 'json' });
    expect(parse({ limit: '500', min_score: '1', format: 'csv' })).toMatchObject({ limit: 500, minScore: 1, format: 'csv' });
    expect(parse({ min_score: '0' }).minScore).toBe(0);
    expect(parse({ min_score: '.25' }).minScore).toBe(0.25);
  });
});

/** an engine that answers every query with no rows and counts the runs */
function fakeEngine(opts: { delayMs?: number } = {}) {
  const runs: HistoryQuery[] = [];
  const aborted: HistoryQuery[] = [];
  const engine: HistoryEngine = {
    kind: 'duckdb',
    dialect: 'duckdb',
    run: (query, o) =>
      new Promise<EngineResult>((resolve, reject) => {
        runs.push(query);
        const cols = query.sql.includes('max(last_ts) AS last_ts') ? ['sessions', 'viewed', 'carted', 'bought'] : ['slot', 'revenue_minor', 'orders', 'valued_orders'];
        const timer = setTimeout(() => resolve({ columns: cols, rows: [], bytesScanned: 0, filesScanned: 0, queryId: null }), opts.delayMs ?? 0);
        o?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          aborted.push(query);
          const err = new Error('aborted');
          err.name = 'AbortError';
          reject(err);
        });
      }),
    newestEventTime: async () => null,
    close: async () => {},
  };
  return { engine, runs, aborted };
}

describe('history service', () => {
  const lake = { kind: 'local' as const, location: '/data/lake', visibleWithinMs: 30_000 };

  test('unknown views are 404', async () => {
    const { engine } = fakeEngine();
    const service = createHistoryService({ engine, shop, lake, now: () => NOW });
    await expect(service.query('nope', params({}))).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(service.query('__proto__', params({}))).rejects.toMatchObject({ status: 404 });
    await expect(service.query('revenue', params({ limit: 'x' }))).rejects.toMatchObject({ status: 400 });
  });

  test('the index lists every view, the shop and the limits', () => {
    const { engine } = fakeEngine();
    const index = createHistoryService({ engine, shop, lake, now: () => NOW }).index();
    expect(historyIndexSchema.parse(index)).toEqual(index);
    expect(index.views.map((v) => v.view)).toContain('cart_abandonment');
    expect(index.limits).toEqual({ maxRangeDays: 93, maxHourlyRangeDays: 31, maxTopRows: 500 });
    expect(index.lake).toEqual(lake);
  });

  test('closed periods are cached; open ones are not', async () => {
    const { engine, runs } = fakeEngine();
    const service = createHistoryService({ engine, shop, lake, now: () => NOW });
    const closed = params({ from: '2026-11-01', to: '2026-11-08' });
    const first = await service.query('revenue', closed);
    expect(historyResultSchema.parse(first)).toEqual(first);
    expect(first.cached).toBe(false);
    const second = await service.query('revenue', closed);
    expect(second.cached).toBe(true);
    expect(second.rows).toEqual(first.rows);
    expect(runs).toHaveLength(1);
    // today is open
    const open = params({ from: '2026-12-02', to: '2026-12-03' });
    await service.query('revenue', open);
    expect((await service.query('revenue', open)).cached).toBe(false);
    expect(runs).toHaveLength(3);
    // the funnel reads 3 h past `to`: a range that ended 2 h ago is still open
    const recent = params({ from: '2026-12-02T06:00:00Z', to: '2026-12-02T08:00:00Z' });
    await service.query('funnel', recent);
    expect((await service.query('funnel', recent)).cached).toBe(false);
    await service.query('revenue', recent);
    expect((await service.query('revenue', recent)).cached).toBe(true);
  });

  test('identical concurrent queries share one run; the run stops only when every caller left', async () => {
    const { engine, runs, aborted } = fakeEngine({ delayMs: 50 });
    const service = createHistoryService({ engine, shop, lake, now: () => NOW });
    const q = params({ from: '2026-11-01', to: '2026-11-08' });
    const [a, b] = await Promise.all([service.query('revenue', q), service.query('revenue', q)]);
    expect(runs).toHaveLength(1);
    expect(a.rows).toEqual(b.rows);

    const q2 = params({ from: '2026-10-01', to: '2026-10-08' });
    const c1 = new AbortController();
    const c2 = new AbortController();
    const p1 = service.query('revenue', q2, c1.signal);
    const p2 = service.query('revenue', q2, c2.signal);
    c1.abort();
    await expect(p1).rejects.toMatchObject({ name: 'AbortError' });
    expect(aborted).toHaveLength(0);
    c2.abort();
    await expect(p2).rejects.toMatchObject({ name: 'AbortError' });
    expect(aborted).toHaveLength(1);
  });
});
