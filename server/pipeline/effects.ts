import type { Alert } from '@/lib/live';
import type { DeadLetter, UserRecord } from '@/server/ports';

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
export interface MinuteDelta {
  events: number;
  orders: number;
  revenueMinor: number;
  byType: Map<string, number>;
  users: Set<string>;
  sessions: number;
  sessionDurationMs: number;
  sessionPages: number;
  /** Σ page views per minute of each session, in thousandths (integers never drift) */
  sessionPvRateMilli: number;
  sessionsWithPurchase: number;
  carts: number;
  cartsPurchased: number;
  /** users whose last activity falls in this minute (active users = Σ over the window) */
  usersLast: number;
}

export interface Effects {
  minutes: Map<number, MinuteDelta>;
  /** revenue cents added per UTC hour / day */
  hours: Map<number, number>;
  days: Map<number, number>;
  /** full new records of every user / session the delivery touched */
  users: Map<string, UserRecord>;
  sessions: Map<string, SessionRecord>;
  /** stock change per tracked product (negative: sold); untracked products never appear */
  stock: Map<string, number>;
  /** alerts raised (ids deterministic: one event, one alert per rule) */
  alerts: Alert[];
  deadLetters: Omit<DeadLetter, 'id'>[];
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
    byType: new Map(),
    users: new Set(),
    sessions: 0,
    sessionDurationMs: 0,
    sessionPages: 0,
    sessionPvRateMilli: 0,
    sessionsWithPurchase: 0,
    carts: 0,
    cartsPurchased: 0,
    usersLast: 0,
  };
}

/** the additive counters of a minute (everything but its type counts and user set) */
export const MINUTE_COUNTERS = [
  'events', 'orders', 'revenueMinor', 'sessions', 'sessionDurationMs', 'sessionPages', 'sessionPvRateMilli',
  'sessionsWithPurchase', 'carts', 'cartsPurchased', 'usersLast',
] as const satisfies readonly (keyof MinuteDelta)[];

/** adds one delta into a kept minute: the same merge for every in-process holder of buckets */
export function addMinute(into: MinuteDelta, d: MinuteDelta): void {
  for (const k of MINUTE_COUNTERS) into[k] += d[k];
  for (const [t, n] of d.byType) into.byType.set(t, (into.byType.get(t) ?? 0) + n);
  for (const u of d.users) into.users.add(u);
}

export function emptyEffects(): Effects {
  return {
    minutes: new Map(),
    hours: new Map(),
    days: new Map(),
    users: new Map(),
    sessions: new Map(),
    stock: new Map(),
    alerts: [],
    deadLetters: [],
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
