import { z } from 'zod';

/**
 * The historical views: what `GET /api/history/<view>` answers and the /history page reads.
 * Users choose a view and a range; they never send SQL. Every answer is a table: typed columns
 * and rows as arrays (never objects keyed by client data such as product ids).
 */

export const HISTORY_VIEWS = [
  'revenue',
  'unconverted_revenue',
  'events_by_type',
  'funnel',
  'cart_abandonment',
  'top_products',
  'top_countries',
  'fraud_scored_purchases',
] as const;
export type HistoryView = (typeof HISTORY_VIEWS)[number];

export const isHistoryView = (v: string): v is HistoryView => (HISTORY_VIEWS as readonly string[]).includes(v);

/** views with one row per time bucket (the rest are over the whole range) */
export const BUCKETED_VIEWS: readonly HistoryView[] = ['revenue', 'unconverted_revenue', 'events_by_type', 'cart_abandonment'];

export const GRANULARITIES = ['hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** longest range one query may cover */
export const MAX_RANGE_DAYS = 93;
/** longest range with hourly buckets (24 × 31 = 744 rows) */
export const MAX_HOURLY_RANGE_DAYS = 31;
/** rows of the ranked views (top products, countries, fraud-scored purchases) */
export const MAX_TOP_ROWS = 500;
export const DEFAULT_TOP_ROWS = 50;

/**
 * The kinds of column: `time` is epoch milliseconds (a bucket start or an event time, shown in
 * the shop time zone), `money` integer minor units of the column's `currency` (the shop's unless a
 * row's `currency` column says otherwise), `ratio` 0–1, `score` a fraud score 0–1.
 */
export const columnKindSchema = z.enum(['time', 'money', 'count', 'ratio', 'score', 'text']);
export type ColumnKind = z.infer<typeof columnKindSchema>;

export const historyColumnSchema = z.object({
  name: z.string(),
  kind: columnKindSchema,
  /** a readable heading ("Revenue", "Orders") */
  label: z.string(),
});
export type HistoryColumn = z.infer<typeof historyColumnSchema>;

export const historyCellSchema = z.union([z.string(), z.number(), z.null()]);

export const historyStatsSchema = z.object({
  engine: z.enum(['duckdb', 'athena']),
  elapsedMs: z.number(),
  /** Athena's DataScannedInBytes; for DuckDB the size of the files read */
  bytesScanned: z.number().nullable(),
  /** lake files read (DuckDB) */
  filesScanned: z.number().nullable(),
  /** the engine's own query id (Athena QueryExecutionId) */
  queryId: z.string().nullable(),
});
export type HistoryStats = z.infer<typeof historyStatsSchema>;

export const historyResultSchema = z.object({
  view: z.enum(HISTORY_VIEWS),
  /** the range asked for, [from, to), epoch ms */
  from: z.number(),
  to: z.number(),
  granularity: z.enum(GRANULARITIES),
  shop: z.object({ currency: z.string(), minorUnits: z.number(), timeZone: z.string() }),
  columns: z.array(historyColumnSchema),
  rows: z.array(z.array(historyCellSchema)),
  stats: historyStatsSchema,
  /** served from the cache of closed periods */
  cached: z.boolean(),
  /** when the result was computed (epoch ms) */
  computedAt: z.number(),
  /** the newest event time the lake holds (epoch ms), null for an empty lake */
  lakeNewestEventTime: z.number().nullable(),
  /** notes for the reader, e.g. carts whose outcome was still open at the end of the range */
  notes: z.array(z.string()),
});
export type HistoryResult = z.infer<typeof historyResultSchema>;

/** `GET /api/history`: what the page needs before its first query */
export const historyIndexSchema = z.object({
  views: z.array(z.object({ view: z.enum(HISTORY_VIEWS), label: z.string(), bucketed: z.boolean() })),
  shop: z.object({ currency: z.string(), minorUnits: z.number(), timeZone: z.string() }),
  engine: z.enum(['duckdb', 'athena']),
  lake: z.object({
    kind: z.enum(['local', 's3']),
    location: z.string(),
    /** the lake writer's default buffering: an event is queryable within this long */
    visibleWithinMs: z.number(),
  }),
  limits: z.object({ maxRangeDays: z.number(), maxHourlyRangeDays: z.number(), maxTopRows: z.number() }),
});
export type HistoryIndex = z.infer<typeof historyIndexSchema>;

export const VIEW_LABELS: Record<HistoryView, string> = {
  revenue: 'Revenue and orders',
  unconverted_revenue: 'Revenue in currencies without a rate',
  events_by_type: 'Events by type',
  funnel: 'Funnel',
  cart_abandonment: 'Cart abandonment',
  top_products: 'Top products',
  top_countries: 'Top countries',
  fraud_scored_purchases: 'Fraud-scored purchases',
};

/** one table as CSV (RFC 4180, header row, CRLF); cells that a spreadsheet would run as formulas are prefixed with ' */
export function toCsv(columns: readonly HistoryColumn[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [columns.map((c) => cell(c.name)).join(',')];
  for (const r of rows) lines.push(r.map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
