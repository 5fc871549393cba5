import type { PulseEvent } from '@/lib/events';
import type { Alert } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import type { FraudScore } from '@/server/pipeline/fraud';

/** Thresholds of the built-in event rules (editable alert rules arrive with rule management). */
export interface EventRuleThresholds {
  fraudScoreAbove: number;
  highValueAboveMinor: number;
  lowStockAtOrBelow: number;
}

export interface StockChange {
  productId: string;
  before: number;
  after: number;
}

/**
 * Alerts raised by one processed purchase. Ids are derived from the triggering event, so a
 * redelivered event yields the same alert id and consumers can deduplicate on it.
 */
/** A purchase's money as the shop sees it: its own currency, and its amount in the shop's. */
export interface PurchaseMoney {
  currency: string;
  /** the amount in the shop currency; null when no rate converts it */
  shopMinor: number | null;
  /** the shop currency (shown beside a converted amount) */
  shopCurrency: string;
}

export function purchaseAlerts(
  e: PulseEvent,
  fraud: FraudScore,
  stock: StockChange[],
  rules: EventRuleThresholds,
  now: number,
  money: PurchaseMoney,
): Alert[] {
  const alerts: Alert[] = [];
  const amount = e.amountMinor ?? 0;
  // the high-value threshold is shop-currency money: an amount without a rate is not compared
  const highValue = money.shopMinor !== null && money.shopMinor > rules.highValueAboveMinor;
  if (fraud.score <= rules.fraudScoreAbove && !highValue && stock.length === 0) return alerts;
  const own = formatMoney(amount, money.currency);
  const shown =
    money.currency === money.shopCurrency ? own
    : money.shopMinor !== null ? `${own} (${formatMoney(money.shopMinor, money.shopCurrency)})`
    : `${own} (no ${money.shopCurrency} rate)`;
  const base = {
    eventId: e.eventId,
    userId: e.userId,
    productId: e.items[0]?.productId ?? e.productId,
    amountMinor: amount,
    currency: money.currency,
    shopAmountMinor: money.shopMinor,
    eventTime: e.ts,
    firedAt: now,
  };
  if (fraud.score > rules.fraudScoreAbove) {
    alerts.push({
      ...base,
      id: `fraud:${e.eventId}`,
      kind: 'fraud',
      severity: 'critical',
      title: `Possible fraud: score ${fraud.score.toFixed(2)}`,
      message: `Purchase of ${shown} by ${e.userId}: ${fraud.reasons.join('; ')}`,
      score: fraud.score,
      reasons: fraud.reasons,
    });
  }
  if (highValue) {
    alerts.push({
      ...base,
      id: `high_value:${e.eventId}`,
      kind: 'high_value',
      severity: 'warning',
      title: `High-value order: ${own}`,
      message: `Purchase of ${shown} by ${e.userId}`,
      score: fraud.score,
      reasons: fraud.reasons,
    });
  }
  for (const change of stock) {
    // fire once, when the stock crosses the threshold
    if (change.before > rules.lowStockAtOrBelow && change.after <= rules.lowStockAtOrBelow) {
      alerts.push(lowStockAlert(e, change.productId, change.after, rules, now, money));
    }
  }
  return alerts;
}

/** `stock` may be a placeholder that a store fills in where it knows the new level */
export function lowStockAlert(e: PulseEvent, productId: string, stock: number | string, rules: EventRuleThresholds, now: number, money: PurchaseMoney): Alert {
  return {
    id: `low_stock:${productId}:${e.eventId}`,
    kind: 'low_stock',
    severity: 'info',
    eventId: e.eventId,
    userId: e.userId,
    productId,
    amountMinor: e.amountMinor ?? 0,
    currency: money.currency,
    shopAmountMinor: money.shopMinor,
    eventTime: e.ts,
    firedAt: now,
    title: `Low stock: ${productId}`,
    message: `${productId} is down to ${stock} in stock (alert at ${rules.lowStockAtOrBelow} or fewer)`,
    score: null,
    reasons: [],
  };
}
