import type { UserAnalytics } from '@/server/ports';
import type { UserDelta } from './userStore';

/**
 * The semantics every UserStore adapter implements: counters add, last activity keeps the
 * maximum, the location keeps the newest by `at` (on a tie the later delta wins, as in the live
 * store's `loc` update).
 */
export function mergeDelta(current: UserAnalytics | null, delta: UserDelta): UserAnalytics {
  const eventsByType = { ...(current?.eventsByType ?? {}) };
  // a type counted zero times was not seen: no adapter creates an entry for it
  for (const [type, n] of Object.entries(delta.byType)) if (n > 0) eventsByType[type] = (eventsByType[type] ?? 0) + n;
  const purchaseCount = (current?.purchaseCount ?? 0) + delta.purchases;
  const lifetimeValueCents = (current?.lifetimeValueCents ?? 0) + delta.revenueCents;
  const old = current?.lastLocation ?? null;
  const lastLocation = old && (!delta.location || old.at > delta.location.at) ? old : delta.location;
  return {
    userId: delta.userId,
    lastActivity: Math.max(current?.lastActivity ?? -Infinity, delta.lastActivity),
    totalEvents: (current?.totalEvents ?? 0) + delta.events,
    eventsByType,
    purchaseCount,
    lifetimeValueCents,
    averagePurchaseCents: averagePurchase(lifetimeValueCents, purchaseCount),
    lastLocation: lastLocation ? { ...lastLocation } : null,
  };
}

export function averagePurchase(lifetimeValueCents: number, purchaseCount: number): number | null {
  return purchaseCount > 0 ? Math.round(lifetimeValueCents / purchaseCount) : null;
}

/**
 * Rejects a delta no adapter could store faithfully (Redis HINCRBY refuses fractions, DynamoDB
 * would keep them), so every adapter fails the same way, before writing anything.
 */
export function assertValidDelta(delta: UserDelta): void {
  const bad = (what: string) => new Error(`invalid user delta for ${JSON.stringify(delta.userId)}: ${what}`);
  if (typeof delta.userId !== 'string' || delta.userId === '') throw bad('userId must be a non-empty string');
  const counts: [string, number][] = [
    ['events', delta.events],
    ['purchases', delta.purchases],
    ['revenueCents', delta.revenueCents],
    ...Object.entries(delta.byType).map(([t, n]): [string, number] => [`byType.${t}`, n]),
  ];
  for (const [name, n] of counts) if (!Number.isSafeInteger(n) || n < 0) throw bad(`${name} must be a whole number ≥ 0, got ${n}`);
  if (!Number.isSafeInteger(delta.lastActivity)) throw bad(`lastActivity must be epoch milliseconds, got ${delta.lastActivity}`);
  const loc = delta.location;
  if (loc) {
    if (!Number.isSafeInteger(loc.at)) throw bad(`location.at must be epoch milliseconds, got ${loc.at}`);
    for (const [name, v] of [['lat', loc.lat], ['lon', loc.lon]] as const) {
      if (v !== null && !Number.isFinite(v)) throw bad(`location.${name} must be a number or null`);
    }
  }
}
