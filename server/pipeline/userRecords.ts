import type { PulseEvent } from '@/lib/events';
import type { UserAnalytics, UserRecord } from '@/server/ports';
import type { FraudHistory } from './fraud';
import { VELOCITY_WINDOW_MS } from './fraud';

/** purchase times kept per user: enough for the velocity rule, bounded whatever a user sends */
const MAX_RECENT_PURCHASES = 32;

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

/** adds one event to a record in place (the caller owns the copy) */
export function addEventToUser(r: UserRecord, e: PulseEvent): void {
  r.totalEvents++;
  if (e.ts > r.lastActivity) r.lastActivity = e.ts;
  const pair = r.eventsByType.find(([t]) => t === e.type);
  if (pair) pair[1]++;
  else r.eventsByType.push([e.type, 1]);
  if (e.type === 'purchase') {
    r.purchaseCount++;
    r.lifetimeValueMinor += e.amountMinor ?? 0;
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

/** what the fraud rule reads, before the purchase being scored */
export function fraudHistoryOf(r: UserRecord): FraudHistory {
  return {
    purchaseCount: r.purchaseCount,
    purchaseTotalMinor: r.lifetimeValueMinor,
    recentPurchaseTimes: r.recentPurchaseTimes,
    lastLocation: r.lastLocation,
  };
}

export function toUserAnalytics(r: UserRecord): UserAnalytics {
  return {
    userId: r.userId,
    lastActivity: r.lastActivity,
    totalEvents: r.totalEvents,
    // fromEntries defines own properties: a type named "__proto__" is just a key
    eventsByType: Object.fromEntries(r.eventsByType),
    purchaseCount: r.purchaseCount,
    lifetimeValueMinor: r.lifetimeValueMinor,
    averagePurchaseMinor: r.purchaseCount > 0 ? Math.round(r.lifetimeValueMinor / r.purchaseCount) : null,
    lastLocation: r.lastLocation ? { ...r.lastLocation } : null,
  };
}
