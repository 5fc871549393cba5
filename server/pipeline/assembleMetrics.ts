import type { Alert, LiveSnapshot } from '@/lib/live';
import {
  ACTIVE_USERS_WINDOW_MIN,
  CART_MINIMUM_SAMPLE,
  CART_WINDOW_MIN,
  CONVERSION_WINDOW_MIN,
  MINUTE_MS,
  SERIES_MINUTES,
  cartAbandonmentRate,
  conversionRate,
  windowStart,
} from '@/lib/metrics';
import type { ShopSettings } from '@/server/shop';
import type { BucketFigures, TopFigures } from './bucketMetrics';

export type LiveMetrics = Omit<LiveSnapshot, 'pipeline' | 'mode' | 'durable' | 'computedAt' | 'activeAlerts' | 'tileRules'>;

/** Session-based figures over their windows (conversion, active sessions). */
export interface SessionSummary {
  sessions: number;
  sessionsWithPurchase: number;
  active: number;
  avgDurationSeconds: number;
  avgUniquePages: number;
  pageViewsPerSessionPerMinute: number;
}

/** Event types are free-form: past this many, the rarest are summed under "other". */
export const MAX_EVENT_TYPES_SHOWN = 20;

export function capEventTypes(byType: Record<string, number>, max = MAX_EVENT_TYPES_SHOWN): Record<string, number> {
  const entries = Object.entries(byType);
  if (entries.length <= max) return byType;
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const out = Object.fromEntries(entries.slice(0, max - 1));
  out.other = (out.other ?? 0) + entries.slice(max - 1).reduce((sum, [, n]) => sum + n, 0);
  return out;
}

/** What a live store measures; the derived figures are computed here, once for every store. */
export interface MetricParts {
  now: number;
  shop: ShopSettings;
  /** when the store began counting; null when unknown */
  countingSince: number | null;
  newestEventTime: number | null;
  newestReceivedAt: number | null;
  figures: BucketFigures;
  top: TopFigures & { computedAt: number };
  /** shop-currency revenue of today (shop time zone) */
  revenueTodayMinor: number;
  /** unconverted revenue of today, per currency */
  foreignToday: Iterable<[string, number]>;
  inventory: LiveSnapshot['inventory'];
  alerts: Alert[];
}

const average = (minor: number, orders: number): number | null => (orders > 0 ? Math.round(minor / orders) : null);

export function assembleMetrics(p: MetricParts): LiveMetrics {
  const f = p.figures;
  const s = f.sessions;
  const lastHourMinor = f.series.reduce((sum, m) => sum + m.revenueMinor, 0);
  const lastHourOrders = f.series.reduce((sum, m) => sum + m.orders, 0);
  // the previous hour is a comparison only when counting covered all of it
  const previousComplete = p.countingSince === null || p.countingSince <= windowStart(p.now, 2 * SERIES_MINUTES);
  const prev = f.previousHour;
  const unconverted = new Map<string, { lastHourMinor: number; todayMinor: number; ordersLastHour: number }>();
  for (const [currency, x] of f.foreignLastHour) unconverted.set(currency, { lastHourMinor: x.minor, todayMinor: 0, ordersLastHour: x.orders });
  for (const [currency, minor] of p.foreignToday) {
    const u = unconverted.get(currency) ?? { lastHourMinor: 0, todayMinor: 0, ordersLastHour: 0 };
    u.todayMinor = minor;
    unconverted.set(currency, u);
  }
  const decided = f.carts.abandoned + f.carts.purchased;
  return {
    shop: {
      currency: p.shop.currency,
      minorUnits: p.shop.minorUnits,
      timeZone: p.shop.timeZone,
      todayStartsAt: p.shop.calendar.dayStart(p.now),
      countingSince: p.countingSince,
    },
    newestEventTime: p.newestEventTime,
    newestReceivedAt: p.newestReceivedAt,
    activeUsers: { current: f.activeUsers, windowMinutes: ACTIVE_USERS_WINDOW_MIN },
    series: f.series,
    revenue: {
      thisHourMinor: f.revenueThisHourMinor,
      todayMinor: p.revenueTodayMinor,
      lastHourMinor,
      previousHourMinor: previousComplete ? prev.revenueMinor : null,
      unconverted: [...unconverted]
        .map(([currency, u]) => ({ currency, ...u }))
        .sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    },
    orders: {
      thisMinute: f.series[f.series.length - 1]?.orders ?? 0,
      lastHour: lastHourOrders,
      previousHour: previousComplete ? prev.orders : null,
    },
    averageOrderValue: {
      minor: average(lastHourMinor, f.ordersValuedLastHour),
      orders: f.ordersValuedLastHour,
      previousHourMinor: previousComplete ? average(prev.revenueMinor, prev.ordersValued) : null,
      windowMinutes: SERIES_MINUTES,
    },
    conversion: {
      rate: conversionRate(s.sessionsWithPurchase, s.sessions),
      sessionsWithPurchase: s.sessionsWithPurchase,
      sessions: s.sessions,
      windowMinutes: CONVERSION_WINDOW_MIN,
    },
    cartAbandonment: {
      rate: cartAbandonmentRate(f.carts.abandoned, decided),
      abandoned: f.carts.abandoned,
      purchased: f.carts.purchased,
      open: f.carts.open,
      minimumCarts: CART_MINIMUM_SAMPLE,
      windowMinutes: CART_WINDOW_MIN,
      abandonAfterMinutes: Math.round(p.shop.cartAbandonAfterMs / MINUTE_MS),
    },
    funnel: { ...f.funnel, windowMinutes: CONVERSION_WINDOW_MIN },
    top: { products: p.top.products, countries: p.top.countries, windowMinutes: SERIES_MINUTES, computedAt: p.top.computedAt },
    sessions: {
      active: s.active,
      avgDurationSeconds: s.avgDurationSeconds,
      avgUniquePages: s.avgUniquePages,
      pageViewsPerSessionPerMinute: s.pageViewsPerSessionPerMinute,
    },
    eventsByType: capEventTypes(f.eventsByType),
    inventory: p.inventory,
    alerts: p.alerts,
  };
}
