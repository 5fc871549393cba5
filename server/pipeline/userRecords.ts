import type { PulseEvent } from '@/lib/events';
import type { RecentEvent, UserAnalytics, UserRecord } from '@/server/ports';
import type { FraudHistory } from './fraud';
import { VELOCITY_WINDOW_MS } from './fraud';

/** purchase times kept per user: enough for the velocity rule, bounded whatever a user sends */
const MAX_RECENT_PURCHASES = 32;
/** events remembered per user for its page, newest first */
export const MAX_RECENT_EVENTS = 25;

/**
 * The one per-user merge: every store keeps what this computes (the live stores as records, the
 * per-user store as a copy of them).
 */
export function newUserRecord(userId: string): UserRecord {
  return {
    userId,
    version: 0,
    lastActivity: -Infinity,
    totalEvents: 0,
    eventsByType: [],
    purchaseCount: 0,
    lifetimeValueMinor: 0,
    valuedPurchaseCount: 0,
    lastLocation: null,
    recentPurchaseTimes: [],
  };
}

export function cloneUserRecord(r: UserRecord): UserRecord {
  return {
    ...r,
    eventsByType: r.eventsByType.map(([t, n]) => [t, n]),
    lastLocation: r.lastLocation ? { ...r.lastLocation } : null,
    recentPurchaseTimes: [...r.recentPurchaseTimes],
  };
}

/**
 * adds one event to a record in place (the caller owns the copy); `shopMinor` is a purchase's
 * amount in the shop currency, null when it has no rate (it then adds nothing to the value)
 */
export function addEventToUser(r: UserRecord, e: PulseEvent, shopMinor: number | null): void {
  r.totalEvents++;
  if (e.ts > r.lastActivity) r.lastActivity = e.ts;
  const pair = r.eventsByType.find(([t]) => t === e.type);
  if (pair) pair[1]++;
  else r.eventsByType.push([e.type, 1]);
  if (e.type === 'purchase') {
    r.purchaseCount++;
    if (shopMinor !== null) {
      r.lifetimeValueMinor += shopMinor;
      r.valuedPurchaseCount = valuedPurchases(r) + 1;
    } else r.valuedPurchaseCount = valuedPurchases(r);
    const times = r.recentPurchaseTimes;
    times.push(e.ts);
    times.sort((a, b) => a - b);
    const newest = times[times.length - 1];
    const keepFrom = newest - 2 * VELOCITY_WINDOW_MS;
    let drop = 0;
    while (drop < times.length && (times[drop] < keepFrom || times.length - drop > MAX_RECENT_PURCHASES)) drop++;
    if (drop) times.splice(0, drop);
  }
  // the newest located event wins; on a tie the later one
  if (e.location && (!r.lastLocation || e.ts >= r.lastLocation.at)) r.lastLocation = { ...e.location, at: e.ts };
}

/** records written before valuedPurchaseCount existed valued every purchase */
const valuedPurchases = (r: UserRecord): number => r.valuedPurchaseCount ?? r.purchaseCount;

/** what the fraud rule reads, before the purchase being scored */
export function fraudHistoryOf(r: UserRecord): FraudHistory {
  return {
    purchaseCount: valuedPurchases(r),
    purchaseTotalMinor: r.lifetimeValueMinor,
    recentPurchaseTimes: r.recentPurchaseTimes,
    lastLocation: r.lastLocation,
  };
}

/** one line of a user's recent activity */
export function toRecentEvent(e: PulseEvent): RecentEvent {
  return {
    eventId: e.eventId,
    ts: e.ts,
    type: e.type,
    sessionId: e.sessionId,
    amountMinor: e.amountMinor,
    currency: e.amountMinor !== null ? e.currency : null,
    productId: e.items[0]?.productId ?? e.productId,
    page: e.page,
  };
}

/** newest first by event time, at most MAX_RECENT_EVENTS: the one merge of every store */
export function mergeRecentEvents(newer: RecentEvent[], kept: RecentEvent[]): RecentEvent[] {
  return [...newer, ...kept].sort((a, b) => b.ts - a.ts).slice(0, MAX_RECENT_EVENTS);
}

export function toUserAnalytics(r: UserRecord, recentEvents: RecentEvent[] = []): UserAnalytics {
  return {
    userId: r.userId,
    lastActivity: r.lastActivity,
    totalEvents: r.totalEvents,
    // fromEntries defines own properties: a type named "__proto__" is just a key
    eventsByType: Object.fromEntries(r.eventsByType),
    purchaseCount: r.purchaseCount,
    lifetimeValueMinor: r.lifetimeValueMinor,
    averagePurchaseMinor: valuedPurchases(r) > 0 ? Math.round(r.lifetimeValueMinor / valuedPurchases(r)) : null,
    lastLocation: r.lastLocation ? { ...r.lastLocation } : null,
    recentEvents,
  };
}
