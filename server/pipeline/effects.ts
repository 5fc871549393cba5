import type { Alert } from '@/lib/live';
import type { DeadLetter, RecentEvent, UserRecord } from '@/server/ports';

/**
 * The plain data the processing engine reads and writes. Stores translate these into their own
 * operations; none of them decides anything.
 */

/** One cart / conversion unit: a (user, session) pair, or the user alone without a session. */
export interface SessionRecord {
  key: string;
  userId: string;
  sessionId: string | null;
  firstTs: number;
  lastTs: number;
  pageViews: number;
  /** short fingerprints of the distinct pages seen (bounded), so unique pages stay exact */
  pages: string[];
  firstCartTs: number | null;
  lastCartTs: number | null;
  lastPurchaseTs: number | null;
  /** times of the session's latest purchases, ascending, bounded: what decides its cart */
  purchaseTimes?: number[];
  /**
   * the abandonment delay this record's cart was counted with, so taking its contribution back
   * hits the same bucket even after CART_ABANDON_AFTER_MINUTES changed (absent: the default)
   */
  cartAbandonAfterMs?: number;
}

/** What a delivery needs to read before the engine runs. */
export interface StateRequest {
  users: string[];
  /** session keys (see `sessionKeyOf`) */
  sessions: string[];
  products: string[];
}

export interface EngineState {
  users: Map<string, UserRecord>;
  sessions: Map<string, SessionRecord>;
  /** stock of tracked products (untracked ones are absent) */
  stock: Map<string, number>;
}

/**
 * Additive per-minute figures. Event counters are keyed by the event's minute; the session
 * figures by the minute of the session's last event (`sess*`), last purchase (`buy`) or last cart
 * activity (`cart*`), so a session moving to a later minute is a −1 in one bucket and a +1 in
 * another. Windows are whole minutes, so summing buckets gives exact windowed figures at a cost
 * that does not grow with the number of sessions or carts.
 */
/** Money in one currency and the purchases it came from. */
export interface CurrencyMoney {
  minor: number;
  orders: number;
}

/** adds money to a per-currency total: the one merge for minutes, windows and stored views */
export function addMoney(into: Map<string, CurrencyMoney>, currency: string, minor: number, orders: number): void {
  const t = into.get(currency);
  if (t) {
    t.minor += minor;
    t.orders += orders;
  } else into.set(currency, { minor, orders });
}

/** What one product or country took in a minute. */
export interface TopCounts {
  /** shop-currency minor units (converted; purchases without a rate add none) */
  revenueMinor: number;
  units: number;
  orders: number;
}

export interface MinuteDelta {
  events: number;
  /** purchases, whatever their currency */
  orders: number;
  /** revenue in the shop currency: its own purchases plus converted ones */
  revenueMinor: number;
  /** purchases counted in revenueMinor (the average order value's denominator) */
  ordersValued: number;
  /** purchases in currencies without a rate, kept apart per currency: never added to revenueMinor */
  foreign: Map<string, CurrencyMoney>;
  products: Map<string, TopCounts>;
  countries: Map<string, TopCounts>;
  byType: Map<string, number>;
  users: Set<string>;
  sessions: number;
  sessionDurationMs: number;
  sessionPages: number;
  /** Σ page views per minute of each session, in thousandths (integers never drift) */
  sessionPvRateMilli: number;
  sessionsWithPurchase: number;
  /** funnel, at the minute of the session's last event: with a page view, then a cart, then a purchase */
  funnelViewed: number;
  funnelCarted: number;
  funnelBought: number;
  /** carts decided as purchased, at the minute of the purchase that followed the cart */
  cartsPurchased: number;
  /**
   * carts decided as abandoned, at the first minute boundary after their deadline (last cart
   * activity + the abandonment delay): buckets after the current minute hold the open carts
   */
  cartsAbandoned: number;
  /** users whose last activity falls in this minute (active users = Σ over the window) */
  usersLast: number;
}

/** What the live pipeline decided about one purchase, kept for the lake (which cannot decide it). */
export interface PurchaseFacts {
  /** the fraud score the purchase got from the user's history before it */
  fraudScore: number;
  /** the country it was counted under: the event's own, else the user's last known one */
  country: string | null;
  /** the amount in shop-currency minor units as revenue counted it (null: no rate) */
  shopAmountMinor: number | null;
  /** each purchase line's shop-currency revenue, as the top products counted it */
  lineRevenueMinor: number[];
}

export interface Effects {
  minutes: Map<number, MinuteDelta>;
  /** shop-currency revenue added per day of the shop time zone (key: the day's first instant) */
  days: Map<number, number>;
  /** unconverted revenue per day and currency */
  daysForeign: Map<number, Map<string, number>>;
  /** full new records of every user / session the delivery touched */
  users: Map<string, UserRecord>;
  /** each user's events of this delivery for its recent-activity list, newest first, bounded */
  recentEvents: Map<string, RecentEvent[]>;
  sessions: Map<string, SessionRecord>;
  /** stock change per tracked product (negative: sold); untracked products never appear */
  stock: Map<string, number>;
  /** alerts raised (ids deterministic: one event, one alert per rule) */
  alerts: Alert[];
  deadLetters: Omit<DeadLetter, 'id'>[];
  /** per purchase applied (log offset → facts), for the lake writer */
  purchaseFacts: Map<number, PurchaseFacts>;
  newestEventTime: number | null;
  newestReceivedAt: number | null;
  /** events whose effects are included */
  processed: number;
  /** processing lag samples (now − appended), ms */
  lagsMs: number[];
}

export function emptyMinute(): MinuteDelta {
  return {
    events: 0,
    orders: 0,
    revenueMinor: 0,
    ordersValued: 0,
    foreign: new Map(),
    products: new Map(),
    countries: new Map(),
    byType: new Map(),
    users: new Set(),
    sessions: 0,
    sessionDurationMs: 0,
    sessionPages: 0,
    sessionPvRateMilli: 0,
    sessionsWithPurchase: 0,
    funnelViewed: 0,
    funnelCarted: 0,
    funnelBought: 0,
    cartsPurchased: 0,
    cartsAbandoned: 0,
    usersLast: 0,
  };
}

/** the additive counters of a minute (everything but its type counts and user set) */
export const MINUTE_COUNTERS = [
  'events', 'orders', 'revenueMinor', 'ordersValued', 'sessions', 'sessionDurationMs', 'sessionPages', 'sessionPvRateMilli',
  'sessionsWithPurchase', 'funnelViewed', 'funnelCarted', 'funnelBought', 'cartsPurchased', 'cartsAbandoned', 'usersLast',
] as const satisfies readonly (keyof MinuteDelta)[];

export function addTop(into: Map<string, TopCounts>, id: string, d: TopCounts): void {
  const t = into.get(id);
  if (t) {
    t.revenueMinor += d.revenueMinor;
    t.units += d.units;
    t.orders += d.orders;
  } else into.set(id, { ...d });
}

/** adds one delta into a kept minute: the same merge for every in-process holder of buckets */
export function addMinute(into: MinuteDelta, d: MinuteDelta): void {
  for (const k of MINUTE_COUNTERS) into[k] += d[k];
  for (const [t, n] of d.byType) into.byType.set(t, (into.byType.get(t) ?? 0) + n);
  for (const u of d.users) into.users.add(u);
  for (const [c, f] of d.foreign) addMoney(into.foreign, c, f.minor, f.orders);
  for (const [id, t] of d.products) addTop(into.products, id, t);
  for (const [id, t] of d.countries) addTop(into.countries, id, t);
}

export function emptyEffects(): Effects {
  return {
    minutes: new Map(),
    days: new Map(),
    daysForeign: new Map(),
    users: new Map(),
    recentEvents: new Map(),
    sessions: new Map(),
    stock: new Map(),
    alerts: [],
    deadLetters: [],
    purchaseFacts: new Map(),
    newestEventTime: null,
    newestReceivedAt: null,
    processed: 0,
    lagsMs: [],
  };
}

/** The key a cart or conversion is tracked under: unambiguous for any pair of strings. */
export function sessionKeyOf(userId: string, sessionId: string | null): string {
  return JSON.stringify(sessionId === null ? [userId] : [userId, sessionId]);
}
