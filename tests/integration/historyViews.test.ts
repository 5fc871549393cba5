import { eventRulesFrom } from '@/server/rules/eventRules';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import { HISTORY_VIEWS, type HistoryView } from '@/lib/history';
import { AthenaEngine } from '@/server/history/athenaEngine';
import { DuckDBHistoryEngine } from '@/server/history/duckdbEngine';
import { VIEW_DEFINITIONS, type ViewParams } from '@/server/history/views';
import { hourDir } from '@/server/lake/layout';
import { LocalLakeStore } from '@/server/lake/lakeStore';
import { shopSettings, type ShopSettings } from '@/server/shop';
import { emptyMinute, addMinute, type EngineState, type MinuteDelta } from '@/server/pipeline/effects';
import { runEngine } from '@/server/pipeline/engine';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import { ev } from '@/tests/helpers/events';
import { compact, openLakeWriter, removeDir, rowsOf, writeFlushes, type LakeWriter, type Logged } from './historyLake';

/**
 * Every historical view over a real lake folder read by the real DuckDB engine, against numbers
 * worked out by hand from the events below. The shop is in America/New_York, whose 1 November
 * 2026 lasts 25 hours (clocks go back at 06:00Z: 01:00 EDT = 05:00Z, 01:00 EST = 06:00Z), in
 * USD with a rate for EUR and none for JPY. The 05:00Z hour is compacted while the files it
 * covers stay in place, and a late flush file lands beside it.
 */

const Z = (iso: string) => Date.parse(iso);
const NOV1 = (hhmm: string) => Z(`2026-11-01T${hhmm}Z`);

// local day starts in New York around the DST change
const OCT31_START = Z('2026-10-31T04:00:00Z');
const NOV1_START = Z('2026-11-01T04:00:00Z');
const NOV2_START = Z('2026-11-02T05:00:00Z'); // Nov 1 had 25 hours
const NOV3_START = Z('2026-11-03T05:00:00Z');

const shop = shopSettings({ currency: 'USD', rates: new Map([['EUR', 1.1]]), timeZone: 'America/New_York', cartAbandonAfterMinutes: 30 });

const NUL_ID = 'p\u0000nul';
const EMOJI_ID = '🛒emoji';

function e(user: string, session: string | null, type: string, ts: number, extra: Partial<PulseEvent> = {}): PulseEvent {
  return ev({ userId: user, sessionId: session, type, ts, eventId: `${type}-${user}-${ts}`, ...extra });
}
const item = (productId: string, quantity: number, priceMinor: number | null) => ({ productId, quantity, priceMinor });
const at = (country: string) => ({ country, lat: null, lon: null });

// in event-time order; the comments give what each one decides
const LOG: Logged[] = [
  // P4, Oct 31 local (16:00 EDT): one product by product_id, no price → the whole amount
  { event: e('u4', 's4', 'purchase', Z('2026-10-31T20:00:00Z'), { amountMinor: 700, currency: 'USD', productId: EMOJI_ID, quantity: 1, location: at('US') }), facts: { fraudScore: 0.7, country: 'US' } },
  // Oct 31 23:59 EDT
  { event: e('u10', null, 'page_view', NOV1('03:59:00'), { page: '/' }) },
  { event: e('u1', 's1', 'page_view', NOV1('05:00:00'), { page: '/a' }) },
  { event: e('u1', 's1', 'add_to_cart', NOV1('05:05:00'), { productId: 'A' }) },
  // P1: purchased cart (05:05 → 05:10)
  { event: e('u1', 's1', 'purchase', NOV1('05:10:00'), { amountMinor: 1000, currency: 'USD', items: [item('A', 2, 300), item('B', 1, 400)], location: at('DE') }), facts: { fraudScore: 0.9, country: 'DE' } },
  { event: e('u2', 's2', 'page_view', NOV1('05:15:00'), { page: '/p' }) },
  { event: e('u2', 's2', 'add_to_cart', NOV1('05:18:30'), { productId: '__proto__' }) },
  // P2 in EUR (rate 1.1): one product on two lines is one order
  { event: e('u2', 's2', 'purchase', NOV1('05:20:00'), { amountMinor: 2000, currency: 'EUR', items: [item('__proto__', 1, 1000), item('__proto__', 1, 1000)], location: at('FR') }), facts: { fraudScore: 0.5, country: 'FR' } },
  // u3: cart 05:30, purchase 45 min later → abandoned at 06:00
  { event: e('u3', 's3', 'add_to_cart', NOV1('05:30:00'), { productId: NUL_ID }) },
  { event: e('u6', 's6', 'page_view', NOV1('05:40:00'), { page: '/x' }) },
  // u6: never bought → abandoned at ceil(06:11:20) = 06:12
  { event: e('u6', 's6', 'add_to_cart', NOV1('05:41:20'), { productId: 'C' }) },
  // u8: first cart 05:50, LAST cart 06:10, purchase 06:30 → purchased (by the first cart it would be abandoned)
  { event: e('u8', 's8', 'add_to_cart', NOV1('05:50:00'), { productId: 'B' }) },
  // written late, in a flush file after the compaction
  { event: e('u11', 's11', 'page_view', NOV1('05:55:00'), { page: '/late' }) },
  // P6 before u9's cart: does not decide it
  { event: e('u9', 's9', 'purchase', NOV1('05:59:00'), { amountMinor: 100, currency: 'USD', productId: 'C', quantity: 1 }), facts: { fraudScore: 0.1, country: 'DE' } },
  // u9: cart 06:00 → abandoned at 06:30
  { event: e('u9', 's9', 'add_to_cart', NOV1('06:00:00'), { productId: 'C' }) },
  { event: e('u8', 's8', 'add_to_cart', NOV1('06:10:00'), { productId: 'B' }) },
  // P3 in JPY, no rate: kept apart; its line revenue is 0
  { event: e('u3', 's3', 'purchase', NOV1('06:15:00'), { amountMinor: 5000, currency: 'JPY', items: [item(NUL_ID, 3, null)] }), facts: { fraudScore: 0.2, country: 'JP' } },
  // P8 decides u8's cart
  { event: e('u8', 's8', 'purchase', NOV1('06:30:00'), { amountMinor: 300, currency: 'USD', items: [item('B', 1, 300)], location: at('DE') }), facts: { fraudScore: 0.55, country: 'DE' } },
  // P5: a purchase without an amount (an order, not a valued one), never scored
  { event: e('u5', 's5', 'purchase', NOV1('06:40:00'), { productId: 'A', quantity: 1 }) },
  { event: e('u7', 's7', 'page_view', NOV1('06:50:00'), { page: '/' }) },
  // u7: cart 06:55 → abandoned at 07:25 (open before then)
  { event: e('u7', 's7', 'add_to_cart', NOV1('06:55:00'), { productId: 'A' }) },
  // Nov 1 23:59 EST, then Nov 2 00:00 EST
  { event: e('u10', null, 'page_view', Z('2026-11-02T04:59:00Z'), { page: '/' }) },
  { event: e('u10', null, 'page_view', Z('2026-11-02T05:00:00Z'), { page: '/' }) },
];

const LATE_ID = 'page_view-u11-' + NOV1('05:55:00');

let dir: string;
let store: LocalLakeStore;
let writer: LakeWriter;
let engine: DuckDBHistoryEngine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pulse-history-views-'));
  store = new LocalLakeStore(dir);
  writer = await openLakeWriter();
  const rows = rowsOf(LOG, shop);
  const hour5 = hourDir(NOV1('05:00:00'));
  const late = rows.filter((r) => r.event_id === LATE_ID);
  const onTime = rows.filter((r) => r.event_id !== LATE_ID);
  // hour 05Z in two flushes, then compacted (both stay), then the late flush
  const h5 = onTime.filter((r) => hourDir(r.ts_ms) === hour5);
  const first = h5.slice(0, 6);
  const second = h5.slice(6);
  const k1 = await writeFlushes(store, writer, first);
  const k2 = await writeFlushes(store, writer, second);
  await writeFlushes(store, writer, onTime.filter((r) => hourDir(r.ts_ms) !== hour5));
  await compact(store, writer, hour5, [...k1, ...k2].map((k) => k.slice(hour5.length + 1)));
  await writeFlushes(store, writer, late);
  engine = new DuckDBHistoryEngine(store);
});

afterAll(async () => {
  await engine?.close();
  writer?.close();
  await removeDir(dir);
});

const LATER = Z('2026-11-10T00:00:00Z');

async function run(view: HistoryView, p: Partial<ViewParams> & { from: number; to: number }, s: ShopSettings = shop) {
  const params: ViewParams = { granularity: 'day', limit: 50, minScore: 0.5, now: LATER, ...p };
  const def = VIEW_DEFINITIONS[view];
  const result = await engine.run(def.build('duckdb', params, s));
  const out = def.finish(result, params, s);
  return { ...out, stats: result, columns: def.columns.map((c) => c.name) };
}

describe('the lake as written', () => {
  test('hour 05Z: the compacted file and the late flush, not the files the compaction covers', async () => {
    const files = await engine.filesFor(NOV1('05:00:00'), NOV1('06:00:00'));
    expect(files.map((f) => f.path.split('/').pop())).toEqual(['compacted-000001.parquet', expect.stringMatching(/^testlog-p000-\d{12}-\d{12}\.parquet$/)]);
    const onDisk = await store.list(hourDir(NOV1('05:00:00')));
    expect(onDisk.filter((n) => n.startsWith('testlog-')).length).toBe(3);
  });

  test('newest event time is the last event, read from the newest hour only', async () => {
    expect(await engine.newestEventTime()).toBe(Z('2026-11-02T05:00:00Z'));
  });
});

describe('revenue', () => {
  test('by shop day across the 25-hour DST day', async () => {
    const r = await run('revenue', { from: OCT31_START, to: NOV3_START });
    expect(r.columns).toEqual(['bucket_start', 'revenue_minor', 'orders', 'valued_orders', 'average_order_value_minor']);
    expect(r.rows).toEqual([
      [OCT31_START, 700, 1, 1, 700],
      // P1 1000 + P2 2000 EUR → 2200 + P6 100 + P8 300; P3 (JPY) and P5 (no amount) are orders only
      [NOV1_START, 3600, 6, 4, 900],
      [NOV2_START, 0, 0, 0, null],
    ]);
    expect(r.stats.bytesScanned).toBeGreaterThan(0);
  });

  test('by shop hour: 25 hours on the DST day, 01:00 EDT and 01:00 EST apart', async () => {
    const r = await run('revenue', { from: NOV1_START, to: NOV2_START, granularity: 'hour' });
    expect(r.rows).toHaveLength(25);
    expect(r.rows.map((row) => row[0])).toEqual(Array.from({ length: 25 }, (_, i) => NOV1_START + i * 3_600_000));
    const byStart = new Map(r.rows.map((row) => [row[0], row.slice(1)]));
    expect(byStart.get(NOV1('05:00:00'))).toEqual([3300, 3, 3, 1100]);
    expect(byStart.get(NOV1('06:00:00'))).toEqual([300, 3, 1, 300]);
    const others = r.rows.filter((row) => row[0] !== NOV1('05:00:00') && row[0] !== NOV1('06:00:00'));
    expect(others.every((row) => row[2] === 0)).toBe(true);
  });

  test('in a half-hour zone (Asia/Kolkata) hours start at hh:30 UTC', async () => {
    const kolkata = shopSettings({ currency: 'USD', rates: new Map([['EUR', 1.1]]), timeZone: 'Asia/Kolkata' });
    const r = await run('revenue', { from: NOV1('05:00:00'), to: NOV1('07:00:00'), granularity: 'hour' }, kolkata);
    expect(r.rows).toEqual([
      [NOV1('04:30:00'), 3200, 2, 2, 1600], // P1, P2
      [NOV1('05:30:00'), 100, 2, 1, 100], // P6, P3 (JPY)
      [NOV1('06:30:00'), 300, 2, 1, 300], // P8, P5 (no amount)
    ]);
  });
});

test('unconverted revenue: the JPY purchase, apart', async () => {
  const r = await run('unconverted_revenue', { from: OCT31_START, to: NOV3_START });
  expect(r.rows).toEqual([[NOV1_START, 'JPY', 5000, 1]]);
});

test('events by type, by shop day (23:59 local on either side of the DST day)', async () => {
  const r = await run('events_by_type', { from: OCT31_START, to: NOV3_START });
  expect(r.rows).toEqual([
    [OCT31_START, 'page_view', 1],
    [OCT31_START, 'purchase', 1],
    [NOV1_START, 'add_to_cart', 8],
    [NOV1_START, 'page_view', 6],
    [NOV1_START, 'purchase', 6],
    [NOV2_START, 'page_view', 1],
  ]);
});

describe('funnel', () => {
  test('sessions whose last event falls in the day; each step within the one before', async () => {
    const r = await run('funnel', { from: NOV1_START, to: NOV2_START });
    // viewed: u1 u2 u6 u11 u7; carted: u1 u2 u6 u7; bought: u1 u2. u10's last event is at `to`
    expect(r.rows).toEqual([
      ['page_view', 5, null],
      ['add_to_cart', 4, 0.8],
      ['purchase', 2, 0.5],
    ]);
  });

  test('a session counts where its last event within the scan (3 h either side) is', async () => {
    // u10 at 03:59Z (Oct 31 local), then 25 h later: the live store forgot it in between, so
    // it is one session on Oct 31 and one on Nov 2, and none on Nov 1
    const oct31 = await run('funnel', { from: OCT31_START, to: NOV1_START });
    expect(oct31.rows[0]).toEqual(['page_view', 1, null]);
    const nov2 = await run('funnel', { from: NOV2_START, to: NOV3_START });
    expect(nov2.rows[0]).toEqual(['page_view', 1, null]);
  });
});

describe('cart abandonment', () => {
  test('by day, every cart decided', async () => {
    const r = await run('cart_abandonment', { from: OCT31_START, to: NOV3_START });
    // abandoned: u3 (06:00) u6 (06:12) u9 (06:30) u7 (07:25); purchased: u1 u2 u8
    expect(r.rows).toEqual([
      [OCT31_START, 0, 0, 0, null],
      [NOV1_START, 4, 3, 7, 4 / 7],
      [NOV2_START, 0, 0, 0, null],
    ]);
    expect(r.notes).toEqual([]);
  });

  test('by hour, at the decision minute', async () => {
    const r = await run('cart_abandonment', { from: NOV1('05:00:00'), to: NOV1('08:00:00'), granularity: 'hour' });
    expect(r.rows).toEqual([
      [NOV1('05:00:00'), 0, 2, 2, 0], // u1 at 05:10, u2 at 05:20
      [NOV1('06:00:00'), 3, 1, 4, 0.75], // u3 06:00, u6 06:12, u9 06:30; u8 at 06:30
      [NOV1('07:00:00'), 1, 0, 1, 1], // u7 at 07:25
    ]);
  });

  test('a cart whose last activity is before the range is decided inside it', async () => {
    // u3's cart at 05:30 is abandoned at 06:00: read from delay + 1 min before the range
    const r = await run('cart_abandonment', { from: NOV1('06:00:00'), to: NOV1('07:00:00'), granularity: 'hour' });
    expect(r.rows).toEqual([[NOV1('06:00:00'), 3, 1, 4, 0.75]]);
  });

  test('a cart decided after the current minute is open: not counted, noted', async () => {
    const r = await run('cart_abandonment', { from: NOV1_START, to: NOV2_START, now: NOV1('07:10:00') });
    expect(r.rows).toEqual([[NOV1_START, 3, 3, 6, 0.5]]);
    expect(r.notes).toEqual([expect.stringMatching(/^1 cart was still open/)]);
  });
});

describe('top products', () => {
  test('by revenue, then units, then id; two lines of one purchase are one order', async () => {
    const r = await run('top_products', { from: OCT31_START, to: NOV3_START });
    expect(r.rows).toEqual([
      ['__proto__', 2200, 2, 1],
      ['B', 700, 2, 2], // P1 400 + P8 300
      [EMOJI_ID, 700, 1, 1],
      ['A', 600, 3, 2], // P1 2 × 300; P5 has no amount
      ['C', 100, 1, 1],
      [NUL_ID, 0, 3, 1], // JPY, no rate: no shop-currency revenue
    ]);
  });

  test('limit', async () => {
    const r = await run('top_products', { from: OCT31_START, to: NOV3_START, limit: 2 });
    expect(r.rows.map((row) => row[0])).toEqual(['__proto__', 'B']);
  });
});

test('top countries: purchase_country, revenue 0 for money without a rate, no row without a country', async () => {
  const r = await run('top_countries', { from: OCT31_START, to: NOV3_START });
  expect(r.rows).toEqual([
    ['FR', 2200, 2, 1],
    ['DE', 1400, 5, 3], // P1 1000 (3 units), P6 100, P8 300
    ['US', 700, 1, 1],
    ['JP', 0, 3, 1],
  ]);
});

describe('fraud-scored purchases', () => {
  test('score at or above min_score, highest first', async () => {
    const r = await run('fraud_scored_purchases', { from: OCT31_START, to: NOV3_START });
    expect(r.columns).toEqual(['ts', 'event_id', 'user_id', 'amount_minor', 'currency', 'shop_amount_minor', 'fraud_score', 'country']);
    expect(r.rows).toEqual([
      [NOV1('05:10:00'), `purchase-u1-${NOV1('05:10:00')}`, 'u1', 1000, 'USD', 1000, 0.9, 'DE'],
      [Z('2026-10-31T20:00:00Z'), `purchase-u4-${Z('2026-10-31T20:00:00Z')}`, 'u4', 700, 'USD', 700, 0.7, 'US'],
      [NOV1('06:30:00'), `purchase-u8-${NOV1('06:30:00')}`, 'u8', 300, 'USD', 300, 0.55, 'DE'],
      [NOV1('05:20:00'), `purchase-u2-${NOV1('05:20:00')}`, 'u2', 2000, 'EUR', 2200, 0.5, 'FR'],
    ]);
  });

  test('min_score and limit', async () => {
    const r = await run('fraud_scored_purchases', { from: OCT31_START, to: NOV3_START, minScore: 0.6, limit: 1 });
    expect(r.rows.map((row) => row[2])).toEqual(['u1']);
    const all = await run('fraud_scored_purchases', { from: OCT31_START, to: NOV3_START, minScore: 0 });
    expect(all.rows.map((row) => row[2])).toEqual(['u1', 'u4', 'u8', 'u2', 'u3', 'u9']); // P5 was never scored
  });
});

describe('engine', () => {
  test('a range with no files reads an empty table with the lake columns', async () => {
    const from = Z('2025-01-01T00:00:00Z');
    for (const view of HISTORY_VIEWS) {
      const r = await run(view, { from, to: from + 86_400_000 });
      expect(r.stats.filesScanned).toBe(0);
      expect(r.stats.bytesScanned).toBe(0);
      if (view === 'funnel') expect(r.rows.map((row) => row[1])).toEqual([0, 0, 0]);
      // the UTC day touches two New York days
      else if (view === 'revenue' || view === 'cart_abandonment') expect(r.rows.map((row) => row.slice(1, 3))).toEqual([[0, 0], [0, 0]]);
      else expect(r.rows).toEqual([]);
    }
  });

  test('a file deleted after the listing (compaction) is listed again and the query run once more', async () => {
    const again = new DuckDBHistoryEngine(store);
    const real = again.filesFor.bind(again);
    let listings = 0;
    again.filesFor = async (from, to) => {
      listings++;
      const files = await real(from, to);
      return listings === 1 ? [...files, { path: join(dir, 'compacted-away.parquet'), size: 1 }] : files;
    };
    const p: ViewParams = { from: OCT31_START, to: NOV3_START, granularity: 'day', limit: 50, minScore: 0.5, now: LATER };
    const result = await again.run(VIEW_DEFINITIONS.unconverted_revenue.build('duckdb', p, shop));
    expect(listings).toBe(2);
    expect(result.rows).toHaveLength(1);
    // a file missing twice is an error
    again.filesFor = async (from, to) => [...(await real(from, to)), { path: join(dir, 'never-there.parquet'), size: 1 }];
    await expect(again.run(VIEW_DEFINITIONS.unconverted_revenue.build('duckdb', p, shop))).rejects.toThrow(/never-there/);
    await again.close();
  });

  test('an aborted query rejects with an AbortError', async () => {
    const controller = new AbortController();
    // a query slow enough to be interrupted while it runs
    const slow = engine.run(
      { sql: 'SELECT count(*) AS n FROM range(0, 3000000000) AS a(x) WHERE x % 7 = ?', params: [3], scan: { fromMs: 0, toMs: 0 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
    // the connection still answers afterwards
    const r = await run('unconverted_revenue', { from: OCT31_START, to: NOV3_START });
    expect(r.rows).toHaveLength(1);
  });
});

describe('trino SQL text', () => {
  const params: ViewParams = { from: OCT31_START, to: NOV3_START, granularity: 'day', limit: 50, minScore: 0.5, now: LATER };
  test.each(HISTORY_VIEWS.map((v) => [v]))('%s: only ? placeholders, one per parameter, numbers only, partitions on every read', (view) => {
    const q = VIEW_DEFINITIONS[view].build('trino', params, shop);
    expect(q.sql).not.toMatch(/\$\d/);
    expect(q.sql.split('?').length - 1).toBe(q.params.length);
    expect(q.params.every((p) => typeof p === 'number' && Number.isFinite(p))).toBe(true);
    const reads = q.sql.split('{{events}}').length - 1 + (q.sql.split('{{sessions}}').length - 1);
    expect(reads).toBeGreaterThan(0);
    // every read of the table is followed by its partition predicate
    expect(q.sql.split('{{partitions}}').length - 1).toBe(reads);
    // DuckDB-only spellings stay out of the Trino text
    expect(q.sql).not.toMatch(/\blist_sum\(|\blist_min\(|\blist_filter\(|\blist\(|(?<!CROSS JOIN )\bunnest\(|\bread_parquet\b|::/i);
    // the scan covers the range
    expect(q.scan.fromMs).toBeLessThanOrEqual(params.from);
    expect(q.scan.toMs).toBeGreaterThanOrEqual(params.to);
    // same text as DuckDB except the documented variants
    const duck = VIEW_DEFINITIONS[view].build('duckdb', params, shop);
    expect(duck.params).toEqual(q.params);
    if (view !== 'top_products' && view !== 'top_countries' && view !== 'cart_abandonment') expect(duck.sql).toBe(q.sql);
    // what Athena receives: the table and the hours' predicate in place, parameters still `?`
    const athena = new AthenaEngine({ region: 'eu-west-1', workgroup: 'primary', database: 'pulse', table: 'events' });
    const text = athena.sqlOf(q);
    expect(text).not.toContain('{{');
    expect(text).toContain('"pulse"."events"');
    expect(text.split('?').length - 1).toBe(q.params.length);
    void athena.close();
  });
});

/**
 * The same events through the live engine, one delivery per event at its own time (as they
 * arrive), the minute deltas summed as the live stores sum them: for each closed hour the
 * historical revenue, orders and cart outcomes equal the live ones, and so does the day's funnel.
 */
describe('history equals live', () => {
  function liveMinutes(): Map<number, MinuteDelta> {
    const state: EngineState = { users: new Map(), sessions: new Map(), stock: new Map() };
    const rules = eventRulesFrom({ fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: DEFAULT_FRAUD_WEIGHTS });
    const minutes = new Map<number, MinuteDelta>();
    LOG.forEach(({ event }, i) => {
      const out = runEngine([{ offset: i + 1, event, appendedAt: event.ts }], state, {
        rules,
        shop,
        now: event.ts + 1000,
        attempt: 1,
        deadLetterFrom: 3,
        entryIdOf: () => `p0:${i + 1}`,
      });
      expect(out.failures).toEqual([]);
      for (const [k, v] of out.effects.sessions) state.sessions.set(k, v);
      for (const [k, v] of out.effects.users) state.users.set(k, v);
      for (const [m, d] of out.effects.minutes) {
        const b = minutes.get(m) ?? emptyMinute();
        addMinute(b, d);
        minutes.set(m, b);
      }
    });
    return minutes;
  }

  test('revenue, orders and carts per closed hour; the funnel of the day', async () => {
    const minutes = liveMinutes();
    const sum = (from: number, to: number, f: (d: MinuteDelta) => number) =>
      [...minutes].filter(([m]) => m >= from && m < to).reduce((n, [, d]) => n + f(d), 0);
    const from = NOV1('04:00:00');
    const to = NOV1('09:00:00');
    const revenue = await run('revenue', { from, to, granularity: 'hour' });
    const carts = await run('cart_abandonment', { from, to, granularity: 'hour' });
    expect(revenue.rows).toHaveLength(5);
    revenue.rows.forEach((row, i) => {
      const h = from + i * 3_600_000;
      expect(row[0]).toBe(h);
      expect(row.slice(1, 4)).toEqual([sum(h, h + 3_600_000, (d) => d.revenueMinor), sum(h, h + 3_600_000, (d) => d.orders), sum(h, h + 3_600_000, (d) => d.ordersValued)]);
      expect(carts.rows[i].slice(0, 3)).toEqual([h, sum(h, h + 3_600_000, (d) => d.cartsAbandoned), sum(h, h + 3_600_000, (d) => d.cartsPurchased)]);
    });
    // the hand-worked numbers are not all zero
    expect(sum(from, to, (d) => d.cartsAbandoned)).toBe(4);
    expect(sum(from, to, (d) => d.orders)).toBe(6);
    const funnel = await run('funnel', { from: NOV1_START, to: NOV2_START });
    expect(funnel.rows.map((r) => r[1])).toEqual([
      sum(NOV1_START, NOV2_START, (d) => d.funnelViewed),
      sum(NOV1_START, NOV2_START, (d) => d.funnelCarted),
      sum(NOV1_START, NOV2_START, (d) => d.funnelBought),
    ]);
  });
});
