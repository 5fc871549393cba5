import type { Alert, LiveSnapshot, MinutePoint } from '@/lib/live';
import {
  ACTIVE_USERS_WINDOW_MIN,
  CART_MINIMUM_SAMPLE,
  CART_WINDOW_MIN,
  CONVERSION_WINDOW_MIN,
  cartAbandonmentRate,
  conversionRate,
} from '@/lib/metrics';

export type LiveMetrics = Omit<LiveSnapshot, 'pipeline' | 'mode' | 'durable' | 'computedAt'>;

/** Session-based figures over their windows (conversion, carts, active sessions). */
export interface SessionSummary {
  sessions: number;
  sessionsWithPurchase: number;
  cartsCreated: number;
  cartsPurchased: number;
  active: number;
  avgDurationSeconds: number;
  avgUniquePages: number;
  pageViewsPerMinute: number;
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
  newestEventTime: number | null;
  newestReceivedAt: number | null;
  activeUsers: number;
  series: MinutePoint[];
  revenueThisHourMinor: number;
  revenueTodayMinor: number;
  sessions: SessionSummary;
  eventsByType: Record<string, number>;
  inventory: LiveSnapshot['inventory'];
  alerts: Alert[];
}

export function assembleMetrics(p: MetricParts): LiveMetrics {
  const s = p.sessions;
  return {
    newestEventTime: p.newestEventTime,
    newestReceivedAt: p.newestReceivedAt,
    activeUsers: { current: p.activeUsers, windowMinutes: ACTIVE_USERS_WINDOW_MIN },
    series: p.series,
    revenue: {
      thisHourMinor: p.revenueThisHourMinor,
      todayMinor: p.revenueTodayMinor,
      lastHourMinor: p.series.reduce((sum, m) => sum + m.revenueMinor, 0),
    },
    orders: {
      thisMinute: p.series[p.series.length - 1]?.orders ?? 0,
      lastHour: p.series.reduce((sum, m) => sum + m.orders, 0),
    },
    conversion: {
      rate: conversionRate(s.sessionsWithPurchase, s.sessions),
      sessionsWithPurchase: s.sessionsWithPurchase,
      sessions: s.sessions,
      windowMinutes: CONVERSION_WINDOW_MIN,
    },
    cartAbandonment: {
      rate: cartAbandonmentRate(s.cartsCreated, s.cartsPurchased),
      cartsCreated: s.cartsCreated,
      cartsPurchased: s.cartsPurchased,
      minimumCarts: CART_MINIMUM_SAMPLE,
      windowMinutes: CART_WINDOW_MIN,
    },
    sessions: {
      active: s.active,
      avgDurationSeconds: s.avgDurationSeconds,
      avgUniquePages: s.avgUniquePages,
      pageViewsPerMinute: s.pageViewsPerMinute,
    },
    eventsByType: capEventTypes(p.eventsByType),
    inventory: p.inventory,
    alerts: p.alerts,
  };
}
