import { MAX_FUTURE_SKEW_MS } from '@/lib/events';
import type { MinutePoint, TopLine } from '@/lib/live';
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
import { hourStartIn } from '@/lib/shopTime';
import type { ShopSettings } from '@/server/shop';
import { addMoney, MINUTE_COUNTERS, type CurrencyMoney, type MinuteDelta, type TopCounts } from './effects';

/** What a store keeps per UTC minute, as read back for a snapshot (fields it did not read are 0). */
export type MinuteView = Omit<MinuteDelta, 'users' | 'byType' | 'foreign' | 'products' | 'countries'> & {
  byType: Iterable<[string, number]>;
  foreign: Iterable<[string, CurrencyMoney]>;
  /** distinct users with an event in this minute */
  distinctUsers: number;
};

/** every counter zero: the base of a view of the few fields a store read for a minute */
const ZERO_COUNTERS = Object.fromEntries(MINUTE_COUNTERS.map((k) => [k, 0])) as Record<(typeof MINUTE_COUNTERS)[number], number>;

export function emptyMinuteView(): MinuteView {
  return { ...ZERO_COUNTERS, byType: [], foreign: [], distinctUsers: 0 };
}

/** the minute windows a snapshot reads, each for what it needs */
export interface SnapshotRanges {
  /** every figure: the 60 minutes of the series plus those events within the clock skew reach */
  full: number[];
  /** money and orders only: the 60 minutes before the series (the previous-hour comparison) */
  previousHour: number[];
  /** abandoned carts only: later minutes, up to the last deadline an open cart can have */
  openCarts: number[];
}

/**
 * The minutes a snapshot reads: a fixed number whatever the number of sessions or carts, since
 * session and cart figures are per-minute sums.
 */
export function snapshotRanges(now: number, cartAbandonAfterMs: number): SnapshotRanges {
  const full: number[] = [];
  const fullEnd = minuteOf(now + MAX_FUTURE_SKEW_MS);
  for (let m = windowStart(now, SERIES_MINUTES); m <= fullEnd; m += MINUTE_MS) full.push(m);
  const previousHour: number[] = [];
  for (let m = windowStart(now, 2 * SERIES_MINUTES); m < windowStart(now, SERIES_MINUTES); m += MINUTE_MS) previousHour.push(m);
  const openCarts: number[] = [];
  const lastDeadline = Math.ceil((now + MAX_FUTURE_SKEW_MS + cartAbandonAfterMs) / MINUTE_MS) * MINUTE_MS;
  for (let m = fullEnd + MINUTE_MS; m <= lastDeadline; m += MINUTE_MS) openCarts.push(m);
  return { full, previousHour, openCarts };
}

export interface CartFigures {
  abandoned: number;
  purchased: number;
  open: number;
}

export interface FunnelFigures {
  sessions: number;
  viewed: number;
  carted: number;
  purchased: number;
}

export interface BucketFigures {
  series: MinutePoint[];
  activeUsers: number;
  sessions: SessionSummary;
  eventsByType: Record<string, number>;
  /** shop-currency revenue since `hourStart` */
  revenueThisHourMinor: number;
  /** orders counted in revenue over the last 60 minutes */
  ordersValuedLastHour: number;
  /** unconverted money over the last 60 minutes, per currency */
  foreignLastHour: Map<string, CurrencyMoney>;
  previousHour: { revenueMinor: number; orders: number; ordersValued: number };
  carts: CartFigures;
  funnel: FunnelFigures;
}

/**
 * Every bucketed figure of a snapshot from the minutes a store read (`ranges`). "This hour"
 * starts at the shop time zone's hour, which is not a UTC hour everywhere.
 */
export function figuresFromBuckets(now: number, shop: ShopSettings, ranges: SnapshotRanges, read: (minute: number) => MinuteView | undefined): BucketFigures {
  const hourStart = hourStartIn(shop.timeZone, now);
  const current = minuteOf(now);
  const activeStart = windowStart(now, ACTIVE_USERS_WINDOW_MIN);
  const convStart = windowStart(now, CONVERSION_WINDOW_MIN);
  const cartStart = windowStart(now, CART_WINDOW_MIN);
  const series: MinutePoint[] = [];
  const byType = new Map<string, number>();
  const foreign = new Map<string, CurrencyMoney>();
  const s: SessionSummary = {
    sessions: 0,
    sessionsWithPurchase: 0,
    active: 0,
    avgDurationSeconds: 0,
    avgUniquePages: 0,
    pageViewsPerSessionPerMinute: 0,
  };
  const carts: CartFigures = { abandoned: 0, purchased: 0, open: 0 };
  const funnel: FunnelFigures = { sessions: 0, viewed: 0, carted: 0, purchased: 0 };
  let activeUsers = 0;
  let durationMs = 0;
  let pages = 0;
  let pvMilli = 0;
  let thisHour = 0;
  let ordersValued = 0;
  for (const m of ranges.full) {
    const b = read(m);
    if (m <= current) {
      series.push({
        minute: m,
        activeUsers: b?.distinctUsers ?? 0,
        revenueMinor: b?.revenueMinor ?? 0,
        orders: b?.orders ?? 0,
        events: b?.events ?? 0,
      });
      if (b) {
        for (const [t, n] of b.byType) if (n) byType.set(t, (byType.get(t) ?? 0) + n);
        for (const [c, f] of b.foreign) addMoney(foreign, c, f.minor, f.orders);
        ordersValued += b.ordersValued;
        if (m >= hourStart) thisHour += b.revenueMinor;
      }
    }
    if (!b) continue;
    if (m >= convStart) {
      s.sessions += b.sessions;
      s.sessionsWithPurchase += b.sessionsWithPurchase;
      funnel.sessions += b.sessions;
      funnel.viewed += b.funnelViewed;
      funnel.carted += b.funnelCarted;
      funnel.purchased += b.funnelBought;
    }
    if (m >= cartStart && m <= current) {
      carts.abandoned += b.cartsAbandoned;
      carts.purchased += b.cartsPurchased;
    }
    // a deadline after the current minute: the cart is still open
    if (m > current) carts.open += b.cartsAbandoned;
    if (m >= activeStart) {
      activeUsers += b.usersLast;
      s.active += b.sessions;
      durationMs += b.sessionDurationMs;
      pages += b.sessionPages;
      pvMilli += b.sessionPvRateMilli;
    }
  }
  for (const m of ranges.openCarts) carts.open += read(m)?.cartsAbandoned ?? 0;
  const previousHour = { revenueMinor: 0, orders: 0, ordersValued: 0 };
  for (const m of ranges.previousHour) {
    const b = read(m);
    if (!b) continue;
    previousHour.revenueMinor += b.revenueMinor;
    previousHour.orders += b.orders;
    previousHour.ordersValued += b.ordersValued;
  }
  if (s.active > 0) {
    s.avgDurationSeconds = durationMs / 1000 / s.active;
    s.avgUniquePages = pages / s.active;
    s.pageViewsPerSessionPerMinute = pvMilli / 1000 / s.active;
  }
  return {
    series,
    activeUsers,
    sessions: s,
    eventsByType: Object.fromEntries(byType),
    revenueThisHourMinor: thisHour,
    ordersValuedLastHour: ordersValued,
    foreignLastHour: foreign,
    previousHour,
    carts,
    funnel,
  };
}

export const TOP_LINES = 10;
/** top lists are a ranking over an hour: stores recompute them this often, not per snapshot */
export const TOP_REFRESH_MS = 5_000;

/** A value recomputed at most every `everyMs` (the clock going back recomputes it too). */
export class Refreshed<T> {
  private held: { at: number; value: T } | null = null;
  constructor(private readonly everyMs: number) {}

  get(now: number, compute: () => T): { at: number; value: T } {
    if (!this.held || now - this.held.at >= this.everyMs || now < this.held.at) this.held = { at: now, value: compute() };
    return this.held;
  }

  /** drops the held value if it is still `value` (e.g. a read that failed) */
  forget(value: T): void {
    if (this.held?.value === value) this.held = null;
  }
}

export interface TopFigures {
  products: { byRevenue: TopLine[]; byUnits: TopLine[] };
  countries: { byRevenue: TopLine[]; byUnits: TopLine[] };
}

/** the minutes the top lists cover (the trailing 60, current included) */
export function topMinutes(now: number): number[] {
  const out: number[] = [];
  for (let m = windowStart(now, SERIES_MINUTES); m <= minuteOf(now); m += MINUTE_MS) out.push(m);
  return out;
}

/** top products and countries from per-minute totals; ties broken by id so lists are stable */
export function topFromMinutes(minutes: Iterable<{ products: Iterable<[string, TopCounts]>; countries: Iterable<[string, TopCounts]> }>, limit = TOP_LINES): TopFigures {
  const products = new Map<string, TopCounts>();
  const countries = new Map<string, TopCounts>();
  const add = (into: Map<string, TopCounts>, id: string, t: TopCounts) => {
    const x = into.get(id) ?? { revenueMinor: 0, units: 0, orders: 0 };
    x.revenueMinor += t.revenueMinor;
    x.units += t.units;
    x.orders += t.orders;
    into.set(id, x);
  };
  for (const m of minutes) {
    for (const [id, t] of m.products) add(products, id, t);
    for (const [id, t] of m.countries) add(countries, id, t);
  }
  return { products: rank(products, limit), countries: rank(countries, limit) };
}

function rank(totals: Map<string, TopCounts>, limit: number): { byRevenue: TopLine[]; byUnits: TopLine[] } {
  const lines: TopLine[] = [...totals].map(([id, t]) => ({ id, ...t }));
  const byId = (a: TopLine, b: TopLine) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byRevenue = lines.filter((l) => l.revenueMinor > 0).sort((a, b) => b.revenueMinor - a.revenueMinor || b.units - a.units || byId(a, b)).slice(0, limit);
  const byUnits = lines.filter((l) => l.units > 0).sort((a, b) => b.units - a.units || b.revenueMinor - a.revenueMinor || byId(a, b)).slice(0, limit);
  return { byRevenue, byUnits };
}
