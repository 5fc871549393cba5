import { DayCalendar, hourStartIn } from '@/lib/shopTime';
import { MINUTE_MS } from '@/lib/metrics';
import { VIEW_LABELS, type Granularity, type HistoryColumn, type HistoryView } from '@/lib/history';
import type { EngineResult, HistoryQuery, SqlDialect } from '@/server/history/port';
import { SESSION_RETENTION_MS } from '@/server/pipeline/sessionRecords';
import { SESSIONS_PLACEHOLDER } from '@/server/lake/sessions';
import type { ShopSettings } from '@/server/shop';

/**
 * The historical views (PRODUCT.md, "Historical views"): for each, the SQL for a dialect
 * (`duckdb`, `trino` = Athena engine v3) and the JS step that turns the engine's rows into the
 * answer's columns and rows.
 *
 * Rules every query follows:
 * - it reads the lake as `{{events}}` and ANDs `{{partitions}}` into the WHERE of every read
 *   (Athena replaces it with the predicate on year/month/day/hour for the scan, DuckDB with TRUE:
 *   it prunes by hour folder itself; see server/history/partitions.ts);
 * - values reach it only as `?` parameters, and only numbers (the `q` template below refuses
 *   anything else); the text holds nothing but constants;
 * - no time-zone functions: SQL groups by UTC 15-minute slot
 *   (`CAST(floor(ts_ms / 900000.0) AS BIGINT)`: every zone offset, and so every local hour and
 *   day boundary, is a multiple of 15 minutes) and JS maps each slot to its shop-local hour
 *   (`hourStartIn`) or day (`DayCalendar`) — DST days (23 h, 25 h) and half-hour zones
 *   (Asia/Kolkata hours start at hh:30 UTC) come out as the live metrics count them.
 * - the SQL text is the same for both dialects except where a comment at the variant says why.
 *
 * `floor(x / 900000.0)`: DuckDB's `/` on integers is float division and Trino's is integer
 * division, so both divide by a decimal literal and floor; the values are exact (epoch ms are
 * far below 2^53).
 */

export const SLOT_MS = 15 * MINUTE_MS;

export interface ViewParams {
  /** [from, to) epoch ms */
  from: number;
  to: number;
  granularity: Granularity;
  /** rows of the ranked views */
  limit: number;
  /** fraud_scored_purchases: the lowest score listed */
  minScore: number;
  /** the clock: carts whose decision lies after the current minute are still open */
  now: number;
}

type Cell = string | number | null;

export interface ViewOutput {
  rows: Cell[][];
  notes: string[];
}

export interface ViewDefinition {
  view: HistoryView;
  columns: HistoryColumn[];
  /** true: one row per time bucket (granularity applies) */
  bucketed: boolean;
  /** which of the params change the answer (besides from, to and granularity when bucketed) */
  uses: readonly ('limit' | 'minScore')[];
  build(dialect: SqlDialect, p: ViewParams, shop: ShopSettings): HistoryQuery;
  finish(result: EngineResult, p: ViewParams, shop: ShopSettings): ViewOutput;
}

// ---------------------------------------------------------------------------------------------
// building SQL: numbers become `?` and a parameter; raw fragments are constants of this file

class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new Raw(text);

function q(strings: TemplateStringsArray, ...values: (number | Raw)[]): { sql: string; params: number[] } {
  let sql = strings[0];
  const params: number[] = [];
  values.forEach((v, i) => {
    if (v instanceof Raw) sql += v.text;
    else {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`a query parameter must be a finite number, got ${String(v)}`);
      sql += '?';
      params.push(v);
    }
    sql += strings[i + 1];
  });
  return { sql, params };
}

const EVENTS = raw('{{events}}');
const SESSIONS = raw(SESSIONS_PLACEHOLDER);
const PARTS = raw('{{partitions}}');
/** [from, to) widened to whole UTC hours: what session-row views read (hour folders / partitions) */
function wholeHours(fromMs: number, toMs: number): { fromMs: number; toMs: number } {
  const H = 60 * MINUTE_MS;
  return { fromMs: Math.floor(fromMs / H) * H, toMs: Math.ceil(toMs / H) * H };
}

/** the UTC 15-minute slot of an epoch-ms expression (identical in both dialects) */
const slotOf = (expr: string) => raw(`CAST(floor(${expr} / 900000.0) AS BIGINT)`);

// ---------------------------------------------------------------------------------------------
// reading engine rows: Athena hands back strings, DuckDB numbers

function columnIndex(result: EngineResult, name: string): number {
  const i = result.columns.indexOf(name);
  if (i < 0) throw new Error(`history query returned no column "${name}" (got ${result.columns.join(', ')})`);
  return i;
}

function num(v: Cell | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`history query returned a non-number where one was expected: ${String(v).slice(0, 40)}`);
  return n;
}

const count = (v: Cell | undefined): number => num(v) ?? 0;

function text(v: Cell | undefined): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

function reader(result: EngineResult, names: readonly string[]) {
  const at = Object.fromEntries(names.map((n) => [n, columnIndex(result, n)])) as Record<string, number>;
  return (row: Cell[], name: string): Cell => row[at[name]];
}

// ---------------------------------------------------------------------------------------------
// buckets in the shop time zone

/** maps UTC 15-minute slots to the start of their shop-local hour or day */
export class Bucketer {
  private readonly calendar: DayCalendar;
  private readonly memo = new Map<number, number>();

  constructor(
    readonly timeZone: string,
    readonly granularity: Granularity,
  ) {
    this.calendar = new DayCalendar(timeZone);
  }

  /** the bucket start of the slot holding `ms` */
  bucketOf(ms: number): number {
    const slotStart = Math.floor(ms / SLOT_MS) * SLOT_MS;
    let b = this.memo.get(slotStart);
    if (b === undefined) {
      b = this.granularity === 'day' ? this.calendar.dayStart(slotStart) : hourStartIn(this.timeZone, slotStart);
      this.memo.set(slotStart, b);
    }
    return b;
  }

  /** every bucket start the range [from, to) touches, oldest first */
  bucketsBetween(from: number, to: number): number[] {
    const out: number[] = [];
    for (let s = Math.floor(from / SLOT_MS) * SLOT_MS; s < to; s += SLOT_MS) {
      const b = this.bucketOf(s);
      if (out.length === 0 || out[out.length - 1] !== b) out.push(b);
    }
    return out;
  }
}

const col = (name: string, kind: HistoryColumn['kind'], label: string): HistoryColumn => ({ name, kind, label });
const BUCKET_COLUMN = col('bucket_start', 'time', 'Period');

// ---------------------------------------------------------------------------------------------
// the views

const revenue: ViewDefinition = {
  view: 'revenue',
  bucketed: true,
  uses: [],
  columns: [
    BUCKET_COLUMN,
    col('revenue_minor', 'money', 'Revenue'),
    col('orders', 'count', 'Orders'),
    col('valued_orders', 'count', 'Orders in the shop currency'),
    col('average_order_value_minor', 'money', 'Average order value'),
  ],
  // as the live revenue: Σ shop-currency amounts of purchases (null without a rate: not added),
  // orders = every purchase event, the average over the orders that have a shop-currency amount
  build: (_dialect, p) => ({
    ...q`SELECT ${slotOf('ts_ms')} AS slot, sum(shop_amount_minor) AS revenue_minor, count(*) AS orders, count(shop_amount_minor) AS valued_orders
FROM ${EVENTS}
WHERE ${PARTS} AND event_type = 'purchase' AND ts_ms >= ${p.from} AND ts_ms < ${p.to}
GROUP BY 1`,
    scan: { fromMs: p.from, toMs: p.to },
  }),
  finish: (result, p, shop) => {
    const get = reader(result, ['slot', 'revenue_minor', 'orders', 'valued_orders']);
    const buckets = new Bucketer(shop.timeZone, p.granularity);
    const sums = new Map<number, { revenue: number; orders: number; valued: number }>();
    for (const b of buckets.bucketsBetween(p.from, p.to)) sums.set(b, { revenue: 0, orders: 0, valued: 0 });
    for (const row of result.rows) {
      const b = buckets.bucketOf(count(get(row, 'slot')) * SLOT_MS);
      let s = sums.get(b);
      if (!s) sums.set(b, (s = { revenue: 0, orders: 0, valued: 0 }));
      s.revenue += count(get(row, 'revenue_minor'));
      s.orders += count(get(row, 'orders'));
      s.valued += count(get(row, 'valued_orders'));
    }
    const rows = [...sums.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, s]) => [b, s.revenue, s.orders, s.valued, s.valued > 0 ? Math.round(s.revenue / s.valued) : null]);
    return { rows, notes: [] };
  },
};

const unconvertedRevenue: ViewDefinition = {
  view: 'unconverted_revenue',
  bucketed: true,
  uses: [],
  columns: [BUCKET_COLUMN, col('currency', 'text', 'Currency'), col('amount_minor', 'money', 'Amount'), col('orders', 'count', 'Orders')],
  // purchases with an amount but no rate into the shop currency: summed apart per currency
  build: (_dialect, p) => ({
    ...q`SELECT ${slotOf('ts_ms')} AS slot, currency, sum(amount_minor) AS amount_minor, count(*) AS orders
FROM ${EVENTS}
WHERE ${PARTS} AND event_type = 'purchase' AND shop_amount_minor IS NULL AND amount_minor IS NOT NULL AND ts_ms >= ${p.from} AND ts_ms < ${p.to}
GROUP BY 1, 2`,
    scan: { fromMs: p.from, toMs: p.to },
  }),
  finish: (result, p, shop) => {
    const get = reader(result, ['slot', 'currency', 'amount_minor', 'orders']);
    const buckets = new Bucketer(shop.timeZone, p.granularity);
    const sums = new Map<string, { bucket: number; currency: string | null; amount: number; orders: number }>();
    for (const row of result.rows) {
      const bucket = buckets.bucketOf(count(get(row, 'slot')) * SLOT_MS);
      const currency = text(get(row, 'currency'));
      const key = JSON.stringify([bucket, currency]);
      let s = sums.get(key);
      if (!s) sums.set(key, (s = { bucket, currency, amount: 0, orders: 0 }));
      s.amount += count(get(row, 'amount_minor'));
      s.orders += count(get(row, 'orders'));
    }
    const rows = [...sums.values()]
      .sort((a, b) => a.bucket - b.bucket || compareText(a.currency, b.currency))
      .map((s) => [s.bucket, s.currency, s.amount, s.orders]);
    return { rows, notes: [] };
  },
};

const eventsByType: ViewDefinition = {
  view: 'events_by_type',
  bucketed: true,
  uses: [],
  columns: [BUCKET_COLUMN, col('event_type', 'text', 'Event type'), col('events', 'count', 'Events')],
  build: (_dialect, p) => ({
    ...q`SELECT ${slotOf('ts_ms')} AS slot, event_type, count(*) AS events
FROM ${EVENTS}
WHERE ${PARTS} AND ts_ms >= ${p.from} AND ts_ms < ${p.to}
GROUP BY 1, 2`,
    scan: { fromMs: p.from, toMs: p.to },
  }),
  finish: (result, p, shop) => {
    const get = reader(result, ['slot', 'event_type', 'events']);
    const buckets = new Bucketer(shop.timeZone, p.granularity);
    const sums = new Map<string, { bucket: number; type: string | null; events: number }>();
    for (const row of result.rows) {
      const bucket = buckets.bucketOf(count(get(row, 'slot')) * SLOT_MS);
      const type = text(get(row, 'event_type'));
      const key = JSON.stringify([bucket, type]);
      let s = sums.get(key);
      if (!s) sums.set(key, (s = { bucket, type, events: 0 }));
      s.events += count(get(row, 'events'));
    }
    const rows = [...sums.values()].sort((a, b) => a.bucket - b.bucket || compareText(a.type, b.type)).map((s) => [s.bucket, s.type, s.events]);
    return { rows, notes: [] };
  },
};

/**
 * Funnel over the whole range, as the live funnel counts a session at the minute of its last
 * event: the sessions (session_key) whose last event in the scan lies in [from, to); of those,
 * the ones with a page view, of those the ones with an add-to-cart, of those the ones with a
 * purchase (each step within the one before, as `sessionContribution`).
 *
 * The scan reaches SESSION_RETENTION_MS (3 h, how long the live store keeps an idle session)
 * before and after the range, so a session that goes on after `to` is counted in the range of its
 * last event, not in both, and adjacent ranges add up. Limits: a session active for longer than
 * that before the range loses its earlier steps; a gap of more than 3 h, which the live store
 * treats as a new session, is one session here.
 */
const funnel: ViewDefinition = {
  view: 'funnel',
  bucketed: false,
  uses: [],
  columns: [col('step', 'text', 'Step'), col('sessions', 'count', 'Sessions'), col('share_of_previous', 'ratio', 'Share of previous step')],
  // over session rows ({{sessions}}: compactions' per-session summaries where they exist, else
  // each event as a row; server/lake/sessions.ts), read in whole UTC hours so both sources and
  // both engines see exactly the same events
  build: (_dialect, p) => {
    const scan = wholeHours(p.from - SESSION_RETENTION_MS, p.to + SESSION_RETENTION_MS);
    return {
      ...q`WITH s AS (
  SELECT session_key, max(last_ts) AS last_ts, max(viewed) AS viewed, max(carted) AS carted, max(bought) AS bought
  FROM ${SESSIONS}
  WHERE ${PARTS}
  GROUP BY session_key
)
SELECT count(*) AS sessions, sum(viewed) AS viewed, sum(viewed * carted) AS carted, sum(viewed * carted * bought) AS bought
FROM s
WHERE last_ts >= ${p.from} AND last_ts < ${p.to}`,
      scan,
    };
  },
  finish: (result) => {
    const get = reader(result, ['viewed', 'carted', 'bought']);
    const row = result.rows[0] ?? [];
    const steps: [string, number][] = [
      ['page_view', count(get(row, 'viewed'))],
      ['add_to_cart', count(get(row, 'carted'))],
      ['purchase', count(get(row, 'bought'))],
    ];
    const rows = steps.map(([step, n], i) => {
      const prev = i === 0 ? null : steps[i - 1][1];
      return [step, n, prev === null || prev === 0 ? null : n / prev];
    });
    return { rows, notes: [] };
  },
};

/**
 * Cart abandonment per bucket, by the live rule (`cartOutcome`, server/pipeline/sessionRecords):
 * a cart is a session_key with an add_to_cart; it is purchased when the first purchase at or
 * after its LAST cart activity comes within the delay (shop.cartAbandonAfterMs), decided at that
 * purchase's minute; otherwise abandoned, decided at the first minute boundary at or after
 * last cart activity + delay. A cart is counted in the bucket of its decision minute; decisions
 * after the current minute are open carts (not counted; the note says how many).
 *
 * The scan starts delay + 1 min before the range (the earliest last-cart activity whose decision
 * can fall inside it) and ends delay + 1 h after it (purchases that decide carts active up to an
 * hour after the range). Limit: a session whose cart activity goes on more than delay + 1 h after
 * the range, while the live store still holds it (3 h), is moved to a later decision live but
 * judged here on the activity the scan sees.
 */
const cartAbandonment: ViewDefinition = {
  view: 'cart_abandonment',
  bucketed: true,
  uses: [],
  columns: [
    BUCKET_COLUMN,
    col('abandoned', 'count', 'Abandoned carts'),
    col('purchased', 'count', 'Purchased carts'),
    col('decided', 'count', 'Decided carts'),
    col('rate', 'ratio', 'Abandonment rate'),
  ],
  // over session rows, in whole UTC hours (see the funnel). Per dialect only the list functions:
  // DuckDB list / list_min / list_filter, Trino array_agg / array_min / filter.
  build: (dialect, p, shop) => {
    const delay = shop.cartAbandonAfterMs;
    const scan = wholeHours(p.from - delay - MINUTE_MS, p.to + delay + 60 * MINUTE_MS);
    // decisions up to the current minute are final; later ones are still open
    const decidedBefore = Math.min(p.to, Math.floor(p.now / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
    const purchases = raw(dialect === 'duckdb' ? 'flatten(list(purchase_ts) FILTER (WHERE purchase_ts IS NOT NULL))' : 'flatten(array_agg(purchase_ts) FILTER (WHERE purchase_ts IS NOT NULL))');
    const firstAfterCart = raw(dialect === 'duckdb' ? 'list_min(list_filter(purchases, x -> x >= last_cart))' : 'array_min(filter(purchases, x -> x >= last_cart))');
    return {
      ...q`WITH c AS (
  SELECT session_key, max(last_cart_ts) AS last_cart, ${purchases} AS purchases
  FROM ${SESSIONS}
  WHERE ${PARTS} AND (last_cart_ts IS NOT NULL OR purchase_ts IS NOT NULL)
  GROUP BY session_key
  HAVING max(last_cart_ts) IS NOT NULL
), f AS (
  SELECT last_cart, ${firstAfterCart} AS purchase_ts
  FROM c
), d AS (
  SELECT last_cart,
    CASE WHEN purchase_ts IS NOT NULL AND purchase_ts <= last_cart + ${delay} THEN 1 ELSE 0 END AS is_purchased,
    CASE WHEN purchase_ts IS NOT NULL AND purchase_ts <= last_cart + ${delay}
      THEN CAST(floor(purchase_ts / 60000.0) AS BIGINT) * 60000
      ELSE CAST(ceil((last_cart + ${delay}) / 60000.0) AS BIGINT) * 60000 END AS decided_ms
  FROM f
)
SELECT CASE WHEN decided_ms < ${decidedBefore} THEN ${slotOf('decided_ms')} END AS slot,
  sum(1 - is_purchased) AS abandoned, sum(is_purchased) AS purchased
FROM d
WHERE decided_ms >= ${p.from} AND (decided_ms < ${decidedBefore} OR last_cart < ${p.to})
GROUP BY 1`,
      scan,
    };
  },
  finish: (result, p, shop) => {
    const get = reader(result, ['slot', 'abandoned', 'purchased']);
    const buckets = new Bucketer(shop.timeZone, p.granularity);
    const sums = new Map<number, { abandoned: number; purchased: number }>();
    for (const b of buckets.bucketsBetween(p.from, p.to)) sums.set(b, { abandoned: 0, purchased: 0 });
    let open = 0;
    for (const row of result.rows) {
      const slot = num(get(row, 'slot'));
      if (slot === null) {
        open += count(get(row, 'abandoned')) + count(get(row, 'purchased'));
        continue;
      }
      const b = buckets.bucketOf(slot * SLOT_MS);
      let s = sums.get(b);
      if (!s) sums.set(b, (s = { abandoned: 0, purchased: 0 }));
      s.abandoned += count(get(row, 'abandoned'));
      s.purchased += count(get(row, 'purchased'));
    }
    const rows = [...sums.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, s]) => {
        const decided = s.abandoned + s.purchased;
        return [b, s.abandoned, s.purchased, decided, decided > 0 ? s.abandoned / decided : null];
      });
    const notes =
      open > 0 ? [`${open} cart${open === 1 ? ' was' : 's were'} still open at the end of the range (decided later, or not yet); they are not counted.`] : [];
    return { rows, notes };
  },
};

/**
 * Top products by revenue (Σ item_shop_revenue_minor, as the live top products), units (Σ line
 * quantities) and orders (purchases holding the product; two lines of one purchase are one
 * order: lines are first summed per purchase row — its log position — and product).
 *
 * Dialect variant, unnesting the three parallel lists: DuckDB zips several `unnest(…)` in one
 * SELECT; Trino has no unnest in SELECT and uses `CROSS JOIN UNNEST(a, b, c) AS t(x, y, z)`,
 * which zips them too.
 */
const topProducts: ViewDefinition = {
  view: 'top_products',
  bucketed: false,
  uses: ['limit'],
  columns: [col('product_id', 'text', 'Product'), col('revenue_minor', 'money', 'Revenue'), col('units', 'count', 'Units'), col('orders', 'count', 'Orders')],
  // a product on two lines of one purchase is one order: a line counts as an order when it is the
  // product's first line in its purchase (its 1-based position equals the list's first match).
  // Per dialect: DuckDB unnests several lists in one SELECT in step (and `range` numbers them);
  // Trino needs CROSS JOIN UNNEST … WITH ORDINALITY. list_position / array_position agree.
  build: (dialect, p) => {
    const lines =
      dialect === 'duckdb'
        ? raw(`SELECT unnest(item_product_ids) AS product_id, unnest(item_quantities) AS line_units, unnest(item_shop_revenue_minor) AS line_revenue,
    unnest(range(1, len(item_product_ids) + 1)) AS line_no, item_product_ids AS ids
  FROM {{events}}`)
        : raw(`SELECT t.product_id, t.line_units, t.line_revenue, t.line_no, item_product_ids AS ids
  FROM {{events}} CROSS JOIN UNNEST(item_product_ids, item_quantities, item_shop_revenue_minor) WITH ORDINALITY AS t(product_id, line_units, line_revenue, line_no)`);
    const position = dialect === 'duckdb' ? 'list_position' : 'array_position';
    return {
      ...q`WITH l AS (
  ${lines}
  WHERE ${PARTS} AND event_type = 'purchase' AND item_product_ids IS NOT NULL AND ts_ms >= ${p.from} AND ts_ms < ${p.to}
)
SELECT product_id, CAST(sum(line_revenue) AS BIGINT) AS revenue_minor, CAST(sum(line_units) AS BIGINT) AS units,
  sum(CASE WHEN ${raw(position)}(ids, product_id) = line_no THEN 1 ELSE 0 END) AS orders
FROM l
WHERE product_id IS NOT NULL
GROUP BY product_id
ORDER BY 2 DESC, 3 DESC, 1
LIMIT ${p.limit}`,
      scan: { fromMs: p.from, toMs: p.to },
    };
  },
  finish: (result) => {
    const get = reader(result, ['product_id', 'revenue_minor', 'units', 'orders']);
    return { rows: result.rows.map((r) => [text(get(r, 'product_id')), count(get(r, 'revenue_minor')), count(get(r, 'units')), count(get(r, 'orders'))]), notes: [] };
  },
};

/**
 * Top countries: by purchase_country (the event's, else the user's last known one, as live);
 * purchases without a country are not listed (live skips them too). Revenue counts a purchase
 * without a shop-currency amount as 0; units are the purchase's line quantities.
 *
 * Dialect variant, the sum of a list: DuckDB `list_sum(l)`, Trino `reduce(l, 0, (s, x) -> s + x, s -> s)`.
 */
const topCountries: ViewDefinition = {
  view: 'top_countries',
  bucketed: false,
  uses: ['limit'],
  columns: [col('country', 'text', 'Country'), col('revenue_minor', 'money', 'Revenue'), col('units', 'count', 'Units'), col('orders', 'count', 'Orders')],
  build: (dialect, p) => {
    const units = dialect === 'duckdb' ? raw('list_sum(item_quantities)') : raw('reduce(item_quantities, 0, (s, x) -> s + x, s -> s)');
    return {
      ...q`SELECT purchase_country AS country, CAST(sum(coalesce(shop_amount_minor, 0)) AS BIGINT) AS revenue_minor,
  CAST(sum(coalesce(${units}, 0)) AS BIGINT) AS units, count(*) AS orders
FROM ${EVENTS}
WHERE ${PARTS} AND event_type = 'purchase' AND purchase_country IS NOT NULL AND purchase_country <> '' AND ts_ms >= ${p.from} AND ts_ms < ${p.to}
GROUP BY purchase_country
ORDER BY 2 DESC, 3 DESC, 1
LIMIT ${p.limit}`,
      scan: { fromMs: p.from, toMs: p.to },
    };
  },
  finish: (result) => {
    const get = reader(result, ['country', 'revenue_minor', 'units', 'orders']);
    return { rows: result.rows.map((r) => [text(get(r, 'country')), count(get(r, 'revenue_minor')), count(get(r, 'units')), count(get(r, 'orders'))]), notes: [] };
  },
};

const fraudScoredPurchases: ViewDefinition = {
  view: 'fraud_scored_purchases',
  bucketed: false,
  uses: ['limit', 'minScore'],
  columns: [
    col('ts', 'time', 'Time'),
    col('event_id', 'text', 'Event'),
    col('user_id', 'text', 'User'),
    col('amount_minor', 'money', 'Amount'),
    col('currency', 'text', 'Currency'),
    col('shop_amount_minor', 'money', 'Amount in shop currency'),
    col('fraud_score', 'score', 'Fraud score'),
    col('country', 'text', 'Country'),
  ],
  // purchases the live pipeline scored at or above min_score; the country is the one it used
  build: (_dialect, p) => ({
    ...q`SELECT ts_ms, event_id, user_id, amount_minor, currency, shop_amount_minor, fraud_score, purchase_country AS country
FROM ${EVENTS}
WHERE ${PARTS} AND event_type = 'purchase' AND fraud_score >= ${p.minScore} AND ts_ms >= ${p.from} AND ts_ms < ${p.to}
ORDER BY fraud_score DESC, ts_ms DESC, event_id
LIMIT ${p.limit}`,
    scan: { fromMs: p.from, toMs: p.to },
  }),
  finish: (result) => {
    const names = ['ts_ms', 'event_id', 'user_id', 'amount_minor', 'currency', 'shop_amount_minor', 'fraud_score', 'country'];
    const get = reader(result, names);
    const rows = result.rows.map((r) => [
      num(get(r, 'ts_ms')),
      text(get(r, 'event_id')),
      text(get(r, 'user_id')),
      num(get(r, 'amount_minor')),
      text(get(r, 'currency')),
      num(get(r, 'shop_amount_minor')),
      num(get(r, 'fraud_score')),
      text(get(r, 'country')),
    ]);
    return { rows, notes: [] };
  },
};

/** by UTF-16 code units, null first: a stable order for text keys within one bucket */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

export const VIEW_DEFINITIONS: Record<HistoryView, ViewDefinition> = {
  revenue,
  unconverted_revenue: unconvertedRevenue,
  events_by_type: eventsByType,
  funnel,
  cart_abandonment: cartAbandonment,
  top_products: topProducts,
  top_countries: topCountries,
  fraud_scored_purchases: fraudScoredPurchases,
};

export const viewLabel = (view: HistoryView): string => VIEW_LABELS[view];
