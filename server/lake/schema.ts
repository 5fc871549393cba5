import type { PulseEvent } from '@/lib/events';
import { convertMinor } from '@/lib/money';
import { lineRevenues, purchaseLines } from '@/server/pipeline/engine';
import { sessionKeyOf, type PurchaseFacts } from '@/server/pipeline/effects';

export type { PurchaseFacts };

/**
 * What the row of a purchase takes from the live pipeline: its score and country, and — when it
 * applied the purchase — the money it counted (else converted here with the shop's rates, as the
 * backfill, which scores its own history, does).
 */
export type LakeFacts = Pick<PurchaseFacts, 'fraudScore' | 'country'> & Partial<Pick<PurchaseFacts, 'shopAmountMinor' | 'lineRevenueMinor'>>;
import type { ShopSettings } from '@/server/shop';

/**
 * The lake's one table, `events`: one row per accepted event, in Parquet, partitioned
 * `events/year=YYYY/month=MM/day=DD/hour=HH/` by the event's UTC time. Every column the
 * historical views read is typed; the properties exactly as sent are kept as JSON beside them.
 *
 * Money is integer minor units. `amount_minor` is in the event's own `currency`;
 * `shop_amount_minor` is the same money converted into `shop_currency` with the rates in force
 * when the row was written — the figure the live revenue counted — and null when no rate exists
 * (such money is summed apart per currency, never into the shop total).
 *
 * `fraud_score` and `purchase_country` are what the live pipeline decided for a purchase (the
 * score needs the user's history, the country falls back to the user's last known one); the lake
 * writer takes them from the live store, so live and historical views agree.
 */
export interface LakeColumn {
  name: string;
  /** DuckDB type (also what the Parquet file holds) */
  duckdb: string;
  /** Athena / Glue type for the table DDL */
  athena: string;
  doc: string;
}

export const LAKE_COLUMNS = [
  { name: 'event_id', duckdb: 'VARCHAR', athena: 'string', doc: "the client's event_id, or the id the server assigned" },
  { name: 'client_event_id', duckdb: 'BOOLEAN', athena: 'boolean', doc: 'true when the client sent event_id (retries deduplicated)' },
  { name: 'ts_ms', duckdb: 'BIGINT', athena: 'bigint', doc: 'event time, epoch milliseconds (UTC)' },
  { name: 'received_at_ms', duckdb: 'BIGINT', athena: 'bigint', doc: 'when ingest accepted the event, epoch milliseconds' },
  { name: 'user_id', duckdb: 'VARCHAR', athena: 'string', doc: 'user_id as sent' },
  { name: 'session_id', duckdb: 'VARCHAR', athena: 'string', doc: 'session_id as sent, null without one' },
  { name: 'session_key', duckdb: 'VARCHAR', athena: 'string', doc: 'the cart / conversion unit: the (user, session) pair, or the user alone (JSON array)' },
  { name: 'event_type', duckdb: 'VARCHAR', athena: 'string', doc: 'event_type as sent' },
  { name: 'amount_minor', duckdb: 'BIGINT', athena: 'bigint', doc: 'properties.amount in minor units of `currency`' },
  { name: 'currency', duckdb: 'VARCHAR', athena: 'string', doc: "ISO 4217 code of the amount (the shop's when the event carried none)" },
  { name: 'shop_amount_minor', duckdb: 'BIGINT', athena: 'bigint', doc: 'purchases: the amount in shop-currency minor units; null without a rate' },
  { name: 'shop_currency', duckdb: 'VARCHAR', athena: 'string', doc: 'the shop currency when the row was written' },
  { name: 'product_id', duckdb: 'VARCHAR', athena: 'string', doc: 'properties.product_id (page views, add-to-cart)' },
  { name: 'quantity', duckdb: 'INTEGER', athena: 'int', doc: 'properties.quantity' },
  { name: 'price_minor', duckdb: 'BIGINT', athena: 'bigint', doc: 'properties.price in minor units of `currency`' },
  { name: 'page', duckdb: 'VARCHAR', athena: 'string', doc: 'properties.page or page_url' },
  { name: 'category', duckdb: 'VARCHAR', athena: 'string', doc: 'properties.category' },
  { name: 'item_product_ids', duckdb: 'VARCHAR[]', athena: 'array<string>', doc: "purchases: each line's product (items, or the single product_id)" },
  { name: 'item_quantities', duckdb: 'INTEGER[]', athena: 'array<int>', doc: "purchases: each line's quantity" },
  { name: 'item_shop_revenue_minor', duckdb: 'BIGINT[]', athena: 'array<bigint>', doc: "purchases: each line's shop-currency revenue, as the live top products count it" },
  { name: 'country', duckdb: 'VARCHAR', athena: 'string', doc: "properties.location.country as sent" },
  { name: 'lat', duckdb: 'DOUBLE', athena: 'double', doc: 'properties.location.lat' },
  { name: 'lon', duckdb: 'DOUBLE', athena: 'double', doc: 'properties.location.lon' },
  { name: 'purchase_country', duckdb: 'VARCHAR', athena: 'string', doc: "purchases: the event's country, else the user's last known one (as the live top countries)" },
  { name: 'fraud_score', duckdb: 'DOUBLE', athena: 'double', doc: 'purchases: the fraud score the live pipeline gave (0–1); null if it never scored it' },
  { name: 'properties_json', duckdb: 'VARCHAR', athena: 'string', doc: 'properties exactly as sent, JSON' },
  { name: 'log_id', duckdb: 'VARCHAR', athena: 'string', doc: "the event log's identity (an in-process log starts counting again after a restart)" },
  { name: 'log_partition', duckdb: 'INTEGER', athena: 'int', doc: 'partition of the event log the event came from' },
  { name: 'log_offset', duckdb: 'BIGINT', athena: 'bigint', doc: "the event's offset in that partition" },
] as const satisfies readonly LakeColumn[];

export type LakeColumnName = (typeof LAKE_COLUMNS)[number]['name'];

/** One row of the lake, in column order. */
export interface LakeRow {
  event_id: string;
  client_event_id: boolean;
  ts_ms: number;
  received_at_ms: number;
  user_id: string;
  session_id: string | null;
  session_key: string;
  event_type: string;
  amount_minor: number | null;
  currency: string | null;
  shop_amount_minor: number | null;
  shop_currency: string;
  product_id: string | null;
  quantity: number | null;
  price_minor: number | null;
  page: string | null;
  category: string | null;
  item_product_ids: string[] | null;
  item_quantities: number[] | null;
  item_shop_revenue_minor: number[] | null;
  country: string | null;
  lat: number | null;
  lon: number | null;
  purchase_country: string | null;
  fraud_score: number | null;
  properties_json: string;
  log_id: string;
  log_partition: number;
  log_offset: number;
}

/** The row for one event of the log, converted with the shop's rates as the live engine does. */
export function lakeRowOf(
  event: PulseEvent,
  where: { logId: string; partition: number; offset: number },
  shop: ShopSettings,
  facts: LakeFacts | undefined,
): LakeRow {
  const purchase = event.type === 'purchase';
  const currency = event.currency ?? (event.amountMinor !== null || event.priceMinor !== null ? shop.currency : null);
  const moneyCurrency = event.currency ?? shop.currency;
  // what the live pipeline counted, when it applied the purchase (the same even if rates changed
  // since); converted here only for a purchase it never applied
  const shopMinor = !purchase
    ? null
    : facts?.shopAmountMinor !== undefined
      ? facts.shopAmountMinor
      : event.amountMinor !== null
        ? convertMinor(event.amountMinor, moneyCurrency, shop.currency, shop.rates)
        : null;
  const lines = purchase ? purchaseLines(event) : [];
  return {
    event_id: event.eventId,
    client_event_id: event.clientId,
    ts_ms: event.ts,
    received_at_ms: event.receivedAt,
    user_id: event.userId,
    session_id: event.sessionId,
    session_key: sessionKeyOf(event.userId, event.sessionId),
    event_type: event.type,
    amount_minor: event.amountMinor,
    currency,
    shop_amount_minor: shopMinor,
    shop_currency: shop.currency,
    product_id: event.productId,
    quantity: event.quantity,
    price_minor: event.priceMinor,
    page: event.page,
    category: event.category,
    item_product_ids: purchase ? lines.map((l) => l.productId) : null,
    item_quantities: purchase ? lines.map((l) => l.quantity) : null,
    item_shop_revenue_minor: purchase ? (facts?.lineRevenueMinor ?? lineRevenues(lines, moneyCurrency, shopMinor, shop)) : null,
    country: event.location?.country ?? null,
    lat: event.location?.lat ?? null,
    lon: event.location?.lon ?? null,
    purchase_country: purchase ? (facts ? facts.country : (event.location?.country ?? null)) : null,
    fraud_score: purchase && facts ? facts.fraudScore : null,
    properties_json: JSON.stringify(event.properties ?? {}),
    log_id: where.logId,
    log_partition: where.partition,
    log_offset: where.offset,
  };
}
