import { validateEvent, type WireEvent } from '../../lib/events';
import { toMinor } from '../../lib/money';
import { DEFAULT_FRAUD_WEIGHTS, scoreFraud } from '../../server/pipeline/fraud';
import { addEventToUser, fraudHistoryOf, newUserRecord } from '../../server/pipeline/userRecords';
import type { UserRecord } from '../../server/ports';
import type { ActorKind } from './actor';
import { HIGH_VALUE_ABOVE_MINOR } from './catalogue';
import type { Pricing } from './currency';
import type { OfflineRun } from './offline';

/** Purchases of a run by what a user of the dashboard would notice, scored by Pulse's own fraud rule. */
export interface Measurement {
  purchases: number;
  /** order values in shop-currency minor units */
  medianMinor: number;
  meanMinor: number;
  p90Minor: number;
  /** purchases above the high-value threshold (1000 in the shop currency) */
  highValue: number;
  /** purchases scoring above 0.8 (fraud alerts) */
  fraudAlerts: number;
  /** purchases with any fraud signal (score above 0), alert or not */
  flagged: number;
  /** the same three counts for purchases of normal shopping sessions only: accidents */
  accidental: { highValue: number; fraudAlerts: number; flagged: number };
  purchasesByKind: Partial<Record<ActorKind, number>>;
  byCurrency: Record<string, number>;
}

const FRAUD_ALERT_ABOVE = 0.8;

export function measure(run: OfflineRun, pricing: Pricing): Measurement {
  const users = new Map<string, UserRecord>();
  const values: number[] = [];
  const m: Measurement = {
    purchases: 0, medianMinor: 0, meanMinor: 0, p90Minor: 0, highValue: 0, fraudAlerts: 0, flagged: 0,
    accidental: { highValue: 0, fraudAlerts: 0, flagged: 0 }, purchasesByKind: {}, byCurrency: {},
  };
  for (const { kind, event } of run.events) {
    const parsed = validateEvent(event, Date.parse(event.timestamp), () => 'unused', pricing.shopCurrency);
    if (!parsed.ok) throw new Error(`the simulator produced an invalid event (${parsed.error}): ${JSON.stringify(event)}`);
    const e = parsed.event;
    let user = users.get(e.userId);
    if (!user) users.set(e.userId, (user = newUserRecord(e.userId)));
    if (e.type === 'purchase') {
      const shopMinor = shopMinorOf(event, pricing);
      const score = scoreFraud(fraudHistoryOf(user), { ...e, amountMinor: shopMinor }, DEFAULT_FRAUD_WEIGHTS).score;
      values.push(shopMinor);
      m.purchases++;
      m.purchasesByKind[kind] = (m.purchasesByKind[kind] ?? 0) + 1;
      m.byCurrency[e.currency ?? pricing.shopCurrency] = (m.byCurrency[e.currency ?? pricing.shopCurrency] ?? 0) + 1;
      const high = shopMinor > HIGH_VALUE_ABOVE_MINOR;
      const alert = score > FRAUD_ALERT_ABOVE;
      const flagged = score > 0;
      m.highValue += Number(high);
      m.fraudAlerts += Number(alert);
      m.flagged += Number(flagged);
      if (kind === 'session') {
        m.accidental.highValue += Number(high);
        m.accidental.fraudAlerts += Number(alert);
        m.accidental.flagged += Number(flagged);
      }
      addEventToUser(user, e, shopMinor);
    } else {
      addEventToUser(user, e, null);
    }
  }
  values.sort((a, b) => a - b);
  m.medianMinor = values[Math.floor(values.length / 2)] ?? 0;
  m.p90Minor = values[Math.floor(values.length * 0.9)] ?? 0;
  m.meanMinor = Math.round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length));
  return m;
}

function shopMinorOf(event: WireEvent, pricing: Pricing): number {
  const currency = event.properties?.currency ?? pricing.shopCurrency;
  const minor = toMinor(event.properties!.amount!, currency);
  return currency === pricing.shopCurrency ? minor : pricing.list(currency).toShopMinor(minor);
}
