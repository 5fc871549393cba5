import { COMPARISON_SYMBOL, type Comparison, type EventCondition, type EventField } from '@/lib/alerting';
import type { PulseEvent } from '@/lib/events';
import type { Alert } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import type { FraudScore } from '@/server/pipeline/fraud';
import type { CompiledEventRule } from '@/server/rules/eventRules';

/**
 * Event rules evaluated on one processed event: pure, called by the processing engine (the one
 * place that knows each purchase's fraud score, converted amount and the stock it leaves). Alert
 * ids are derived from the rule and the triggering event, so a redelivered event yields the same
 * id and every store deduplicates on it; the alert engine then turns these signals into incidents.
 */

/** A purchase's money as the shop sees it: its own currency, and its amount in the shop's. */
export interface PurchaseMoney {
  currency: string;
  /** the amount in the shop currency; null when no rate converts it */
  shopMinor: number | null;
  /** the shop currency (shown beside a converted amount) */
  shopCurrency: string;
}

/** A tracked product's stock before and after this purchase. */
export interface StockChange {
  productId: string;
  before: number;
  after: number;
}

export interface EventFacts {
  /** purchases only */
  fraud: FraudScore | null;
  money: PurchaseMoney;
  /** the event's country, else the user's last known one */
  country: string | null;
  /** units in the event: purchase lines' quantities, or an add_to_cart's quantity */
  quantity: number | null;
  /** tracked products of a purchase whose stock changed */
  stock: StockChange[];
  now: number;
}

function compare(op: Comparison, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

/** stock conditions fire on the crossing: before the purchase the level did not satisfy it, after it does */
function stockCrosses(c: EventCondition, change: StockChange): boolean {
  return !compare(c.op, change.before, c.value) && compare(c.op, change.after, c.value);
}

function fieldValue(field: Exclude<EventField, 'stock_after'>, f: EventFacts): number | null {
  switch (field) {
    case 'fraud_score':
      return f.fraud ? f.fraud.score : null;
    case 'shop_amount_minor':
      return f.money.shopMinor;
    case 'quantity':
      return f.quantity;
  }
}

/** every condition but the stock ones holds (a missing value never matches) */
function plainConditionsHold(conditions: readonly EventCondition[], f: EventFacts): boolean {
  for (const c of conditions) {
    if (c.field === 'stock_after') continue;
    const v = fieldValue(c.field, f);
    if (v === null || !compare(c.op, v, c.value)) return false;
  }
  return true;
}

export function evaluateEventRules(e: PulseEvent, rules: readonly CompiledEventRule[], f: EventFacts): Alert[] {
  const alerts: Alert[] = [];
  for (const rule of rules) {
    const { spec } = rule;
    if (!spec.eventTypes.includes(e.type)) continue;
    if (spec.countries.length > 0 && (f.country === null || !spec.countries.includes(f.country))) continue;
    if (!plainConditionsHold(spec.conditions, f)) continue;
    const stockConditions = spec.conditions.filter((c) => c.field === 'stock_after');
    if (stockConditions.length === 0) {
      alerts.push(alertFor(rule, e, f, null));
      continue;
    }
    // one alert per product whose stock crossed every stock condition with this purchase
    for (const change of f.stock) {
      if (stockConditions.every((c) => stockCrosses(c, change))) alerts.push(alertFor(rule, e, f, change));
    }
  }
  return alerts;
}

function dedupKeyOf(rule: CompiledEventRule, e: PulseEvent, productId: string | null): string {
  switch (rule.spec.dedupBy) {
    case 'user':
      return `user:${e.userId}`;
    case 'product':
      return `product:${productId ?? ''}`;
    case 'event':
      return `event:${e.eventId}`;
  }
}

function alertFor(rule: CompiledEventRule, e: PulseEvent, f: EventFacts, stock: StockChange | null): Alert {
  const { money } = f;
  const amount = e.amountMinor ?? 0;
  const own = formatMoney(amount, money.currency);
  const shown =
    money.currency === money.shopCurrency ? own
    : money.shopMinor !== null ? `${own} (${formatMoney(money.shopMinor, money.shopCurrency)})`
    : `${own} (no ${money.shopCurrency} rate)`;
  const productId = stock?.productId ?? e.items[0]?.productId ?? e.productId;
  const first = rule.spec.conditions[0];
  const value = !first ? null : first.field === 'stock_after' ? (stock?.after ?? null) : fieldValue(first.field, f);
  const reasons = f.fraud?.reasons ?? [];
  const base = {
    id: stock ? `${rule.id}:${stock.productId}:${e.eventId}` : `${rule.id}:${e.eventId}`,
    kind: rule.builtin ?? 'rule',
    severity: rule.severity,
    eventId: e.eventId,
    userId: e.userId,
    productId,
    amountMinor: amount,
    currency: money.currency,
    shopAmountMinor: money.shopMinor,
    eventTime: e.ts,
    firedAt: f.now,
    score: f.fraud ? f.fraud.score : null,
    reasons,
    ruleId: rule.id,
    dedupKey: dedupKeyOf(rule, e, stock?.productId ?? productId),
    value,
  };
  const threshold = (field: EventField) => rule.spec.conditions.find((c) => c.field === field)?.value ?? 0;
  switch (rule.builtin) {
    case 'fraud':
      return { ...base, title: `Possible fraud: score ${(f.fraud?.score ?? 0).toFixed(2)}`, message: `Purchase of ${shown} by ${e.userId}: ${reasons.join('; ')}` };
    case 'high_value':
      return { ...base, title: `High-value order: ${own}`, message: `Purchase of ${shown} by ${e.userId}` };
    case 'low_stock':
      if (stock) {
        return { ...base, title: `Low stock: ${stock.productId}`, message: `${stock.productId} is down to ${stock.after} in stock (alert at ${threshold('stock_after')} or fewer)` };
      }
  }
  const what = e.type === 'purchase' ? `Purchase of ${shown}` : `${e.type}`;
  const detail = rule.spec.conditions.map((c) => describeCondition(c, f, stock, money.shopCurrency)).join(', ');
  return { ...base, title: rule.name, message: `${what} by ${e.userId}${stock ? ` (${stock.productId})` : ''}${detail ? `: ${detail}` : ''}` };
}

function describeCondition(c: EventCondition, f: EventFacts, stock: StockChange | null, shopCurrency: string): string {
  const sym = COMPARISON_SYMBOL[c.op];
  switch (c.field) {
    case 'fraud_score':
      return `fraud score ${(f.fraud?.score ?? 0).toFixed(2)} ${sym} ${c.value}`;
    case 'shop_amount_minor':
      return `amount ${formatMoney(f.money.shopMinor ?? 0, shopCurrency)} ${sym} ${formatMoney(Math.round(c.value), shopCurrency)}`;
    case 'quantity':
      return `quantity ${f.quantity ?? 0} ${sym} ${c.value}`;
    case 'stock_after':
      return `stock ${stock?.after ?? '?'} ${sym} ${c.value}`;
  }
}
