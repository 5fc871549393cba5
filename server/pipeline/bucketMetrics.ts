import { MAX_FUTURE_SKEW_MS } from '@/lib/events';
import type { MinutePoint } from '@/lib/live';
import {
  ACTIVE_USERS_WINDOW_MIN,
  CART_WINDOW_MIN,
  CONVERSION_WINDOW_MIN,
  MINUTE_MS,
  SERIES_MINUTES,
  minuteOf,
  windowStart,
} from '@/lib/metrics';
import type { SessionSummary } from './assembleMetrics';
import type { MinuteDelta } from './effects';

/** What a store keeps per UTC minute, as read back for a snapshot. */
export type MinuteView = Omit<MinuteDelta, 'users' | 'byType'> & {
  byType: Iterable<[string, number]>;
  /** distinct users with an event in this minute */
  distinctUsers: number;
};

/**
 * The minutes a snapshot reads: the 60 of the series plus the few ahead that events within the
 * allowed clock skew can reach. Session windows are sums over these, so a snapshot costs the
 * same whatever the number of sessions or carts.
 */
export function snapshotMinutes(now: number): number[] {
  const out: number[] = [];
  const end = minuteOf(now + MAX_FUTURE_SKEW_MS);
  for (let m = windowStart(now, SERIES_MINUTES); m <= end; m += MINUTE_MS) out.push(m);
  return out;
}

export interface BucketFigures {
  series: MinutePoint[];
  activeUsers: number;
  sessions: SessionSummary;
  eventsByType: Record<string, number>;
}

export function figuresFromBuckets(now: number, read: (minute: number) => MinuteView | undefined): BucketFigures {
  const current = minuteOf(now);
  const activeStart = windowStart(now, ACTIVE_USERS_WINDOW_MIN);
  const convStart = windowStart(now, CONVERSION_WINDOW_MIN);
  const cartStart = windowStart(now, CART_WINDOW_MIN);
  const series: MinutePoint[] = [];
  const byType = new Map<string, number>();
  const s: SessionSummary = {
    sessions: 0,
    sessionsWithPurchase: 0,
    cartsCreated: 0,
    cartsPurchased: 0,
    active: 0,
    avgDurationSeconds: 0,
    avgUniquePages: 0,
    pageViewsPerMinute: 0,
  };
  let activeUsers = 0;
  let durationMs = 0;
  let pages = 0;
  let pvMilli = 0;
  for (const m of snapshotMinutes(now)) {
    const b = read(m);
    if (m <= current) {
      series.push({
        minute: m,
        activeUsers: b?.distinctUsers ?? 0,
        revenueMinor: b?.revenueMinor ?? 0,
        orders: b?.orders ?? 0,
        events: b?.events ?? 0,
      });
      if (b) for (const [t, n] of b.byType) if (n) byType.set(t, (byType.get(t) ?? 0) + n);
    }
    if (!b) continue;
    if (m >= convStart) {
      s.sessions += b.sessions;
      s.sessionsWithPurchase += b.sessionsWithPurchase;
    }
    if (m >= cartStart) {
      s.cartsCreated += b.carts;
      s.cartsPurchased += b.cartsPurchased;
    }
    if (m >= activeStart) {
      activeUsers += b.usersLast;
      s.active += b.sessions;
      durationMs += b.sessionDurationMs;
      pages += b.sessionPages;
      pvMilli += b.sessionPvRateMilli;
    }
  }
  if (s.active > 0) {
    s.avgDurationSeconds = durationMs / 1000 / s.active;
    s.avgUniquePages = pages / s.active;
    s.pageViewsPerMinute = pvMilli / 1000 / s.active;
  }
  return { series, activeUsers, sessions: s, eventsByType: Object.fromEntries(byType) };
}
