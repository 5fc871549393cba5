import type { ColumnKind, HistoryColumn, HistoryResult } from '@/lib/history';
import { num, numOrNull, text } from './table';

/**
 * Each view's table read into what its section draws. Columns are found by kind and by what
 * their names say (`revenue…`, `orders`, `abandoned…`), so a view's exact column names are the
 * server's to choose; a table without a column a section needs reads as that figure unknown.
 */

/** the first column of `kind` whose name matches `pattern` (any of that kind when no pattern matches and `fallback`) */
function column(columns: readonly HistoryColumn[], kind: ColumnKind | readonly ColumnKind[], pattern: RegExp | null, fallback = true): number {
  const kinds = typeof kind === 'string' ? [kind] : kind;
  const ofKind = (c: HistoryColumn) => kinds.includes(c.kind);
  const named = pattern ? columns.findIndex((c) => ofKind(c) && pattern.test(c.name)) : -1;
  if (named >= 0 || !fallback) return named;
  return columns.findIndex(ofKind);
}

const cell = (row: readonly (string | number | null)[], i: number) => (i >= 0 ? row[i] : null);

export interface BucketValue {
  at: number;
  values: Record<string, number | null>;
}

/** rows keyed by their time bucket; rows of the same bucket are added up (long tables, several currencies) */
function byBucket(result: HistoryResult, fields: Record<string, number>): Map<number, Record<string, number | null>> {
  const timeAt = column(result.columns, 'time', /bucket|start|time|hour|day/);
  const out = new Map<number, Record<string, number | null>>();
  if (timeAt < 0) return out;
  for (const row of result.rows) {
    const at = numOrNull(row[timeAt]);
    if (at === null) continue;
    const entry = out.get(at) ?? {};
    for (const [key, i] of Object.entries(fields)) {
      const v = i >= 0 ? numOrNull(row[i]) : null;
      entry[key] = v === null ? (entry[key] ?? null) : (entry[key] ?? 0) + v;
    }
    out.set(at, entry);
  }
  return out;
}

export interface RevenueSeries {
  buckets: Map<number, { revenue: number | null; orders: number | null }>;
  revenue: number;
  orders: number;
  /** orders with an amount in the shop currency (converted or not): what an average order is over */
  valuedOrders: number;
}

export function readRevenue(result: HistoryResult): RevenueSeries {
  const revenueAt = column(result.columns, 'money', /revenue/);
  const ordersAt = column(result.columns, 'count', /^orders$|^purchases$/);
  const valuedAt = column(result.columns, 'count', /valued/, false);
  const buckets = byBucket(result, { revenue: revenueAt, orders: ordersAt, valued: valuedAt >= 0 ? valuedAt : ordersAt }) as Map<
    number,
    { revenue: number | null; orders: number | null; valued: number | null }
  >;
  let revenue = 0;
  let orders = 0;
  let valuedOrders = 0;
  for (const b of buckets.values()) {
    revenue += b.revenue ?? 0;
    orders += b.orders ?? 0;
    valuedOrders += b.valued ?? 0;
  }
  return { buckets, revenue, orders, valuedOrders };
}

export interface CurrencyTotal {
  currency: string;
  amountMinor: number;
  orders: number | null;
}

/** money kept apart per currency (no exchange rate), summed over the range, largest first */
export function readUnconverted(result: HistoryResult): CurrencyTotal[] {
  const currencyAt = column(result.columns, 'text', /currency/);
  const amountAt = column(result.columns, 'money', /revenue|amount/);
  const ordersAt = column(result.columns, 'count', /order|purchase/, false);
  if (currencyAt < 0 || amountAt < 0) return [];
  const totals = new Map<string, CurrencyTotal>();
  for (const row of result.rows) {
    const currency = text(row[currencyAt]);
    const t = totals.get(currency) ?? { currency, amountMinor: 0, orders: ordersAt >= 0 ? 0 : null };
    t.amountMinor += num(row[amountAt]);
    if (t.orders !== null) t.orders += num(row[ordersAt]);
    totals.set(currency, t);
  }
  return [...totals.values()].filter((t) => t.amountMinor !== 0 || (t.orders ?? 0) > 0).sort((a, b) => b.amountMinor - a.amountMinor);
}

export interface EventsByType {
  /** event types, most events first */
  types: { type: string; total: number }[];
  buckets: Map<number, Map<string, number>>;
  total: number;
}

/** Long (bucket, event_type, events) or wide (bucket, one count column per type) tables. */
export function readEventsByType(result: HistoryResult): EventsByType {
  const timeAt = column(result.columns, 'time', /bucket|start|time|hour|day/);
  const typeAt = column(result.columns, 'text', /type/);
  const buckets = new Map<number, Map<string, number>>();
  const totals = new Map<string, number>();
  const add = (at: number, type: string, n: number) => {
    const b = buckets.get(at) ?? new Map<string, number>();
    b.set(type, (b.get(type) ?? 0) + n);
    buckets.set(at, b);
    totals.set(type, (totals.get(type) ?? 0) + n);
  };
  if (typeAt >= 0) {
    const countAt = column(result.columns, 'count', /event|count/);
    for (const row of result.rows) add(timeAt >= 0 ? num(row[timeAt]) : 0, text(row[typeAt]), num(cell(row, countAt)));
  } else {
    const counts = result.columns.flatMap((c, i) => (c.kind === 'count' ? [i] : []));
    for (const row of result.rows) for (const i of counts) add(timeAt >= 0 ? num(row[timeAt]) : 0, result.columns[i].name, num(row[i]));
  }
  const types = [...totals.entries()].map(([type, total]) => ({ type, total })).sort((a, b) => b.total - a.total || (a.type < b.type ? -1 : 1));
  return { types, buckets, total: types.reduce((s, t) => s + t.total, 0) };
}

export type FunnelStepKey = 'viewed' | 'carted' | 'purchased';
export interface Funnel {
  /** sessions with any event, when the view counts them */
  sessions: number | null;
  steps: { key: FunnelStepKey; count: number | null }[];
}

const STEP_PATTERNS: [FunnelStepKey, RegExp][] = [
  ['viewed', /view/i],
  ['carted', /cart/i],
  ['purchased', /purchas|bought|order/i],
];
const SESSIONS = /^(sessions?|all_sessions|sessions_any|any_event|sessions_with_any_event|total_sessions)$/i;

/** One row with a count per step, or one row per step (a text step column and a count). */
export function readFunnel(result: HistoryResult): Funnel {
  const stepAt = column(result.columns, 'text', /step|stage|event/, false);
  const counts = new Map<FunnelStepKey | 'sessions', number>();
  if (stepAt >= 0) {
    const countAt = column(result.columns, 'count', /session|count/);
    for (const row of result.rows) {
      const name = text(row[stepAt]);
      const key = SESSIONS.test(name) ? 'sessions' : STEP_PATTERNS.find(([, p]) => p.test(name))?.[0];
      if (key && countAt >= 0) counts.set(key, num(row[countAt]));
    }
  } else {
    const row = result.rows[0];
    if (row) {
      result.columns.forEach((c, i) => {
        if (c.kind !== 'count') return;
        const key = SESSIONS.test(c.name) ? 'sessions' : STEP_PATTERNS.find(([, p]) => p.test(c.name))?.[0];
        if (key && !counts.has(key)) counts.set(key, num(row[i]));
      });
    }
  }
  return {
    sessions: counts.get('sessions') ?? null,
    steps: STEP_PATTERNS.map(([key]) => ({ key, count: counts.get(key) ?? (result.rows.length === 0 ? 0 : null) })),
  };
}

/** purchased sessions over sessions with any event (the funnel's first step when the view does not count those) */
export function conversionOf(f: Funnel): number | null {
  const purchased = f.steps[2].count;
  const base = f.sessions ?? f.steps[0].count;
  return purchased === null || base === null || base === 0 ? null : purchased / base;
}

export interface CartSeries {
  buckets: Map<number, { abandoned: number | null; purchased: number | null; open: number | null; rate: number | null }>;
  abandoned: number;
  purchased: number;
  open: number | null;
  /** abandoned ÷ decided over the range; null without decided carts */
  rate: number | null;
}

export function readCarts(result: HistoryResult): CartSeries {
  const abandonedAt = column(result.columns, 'count', /abandon/, false);
  const purchasedAt = column(result.columns, 'count', /purchas|convert|recover/, false);
  const openAt = column(result.columns, 'count', /open/, false);
  const rateAt = column(result.columns, 'ratio', /rate|abandon/);
  const buckets = byBucket(result, { abandoned: abandonedAt, purchased: purchasedAt, open: openAt, rate: -1 }) as CartSeries['buckets'];
  // the rate of a bucket is its own counts' (a sum of per-row rates would mean nothing); the view's when it has no counts
  const timeAt = column(result.columns, 'time', /bucket|start|time|hour|day/);
  let abandoned = 0;
  let purchased = 0;
  let open: number | null = openAt >= 0 ? 0 : null;
  for (const [at, b] of buckets) {
    abandoned += b.abandoned ?? 0;
    purchased += b.purchased ?? 0;
    if (open !== null) open += b.open ?? 0;
    const decided = (b.abandoned ?? 0) + (b.purchased ?? 0);
    if (abandonedAt >= 0 && purchasedAt >= 0) b.rate = decided > 0 ? (b.abandoned ?? 0) / decided : null;
    else if (rateAt >= 0 && timeAt >= 0) b.rate = numOrNull(result.rows.find((r) => num(r[timeAt]) === at)?.[rateAt] ?? null);
  }
  const decided = abandoned + purchased;
  return { buckets, abandoned, purchased, open, rate: decided > 0 ? abandoned / decided : null };
}
