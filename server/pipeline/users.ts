import type { PulseEvent } from '@/lib/events';
import type { UserAnalytics } from '@/server/ports';
import { type FraudHistory, type KnownLocation, VELOCITY_WINDOW_MS } from './fraud';

interface UserState {
  lastActivity: number;
  totalEvents: number;
  eventsByType: Map<string, number>;
  purchaseCount: number;
  lifetimeValueCents: number;
  recentPurchaseTimes: number[];
  lastLocation: KnownLocation | null;
}

/**
 * Per-user analytics (PRODUCT.md "user-analytics") and the history the fraud rule reads.
 * Bounded: past `maxUsers` the least recently updated user is forgotten.
 */
export class UserStates {
  private readonly users = new Map<string, UserState>();

  constructor(private readonly maxUsers: number) {}

  history(userId: string): FraudHistory {
    const u = this.users.get(userId);
    if (!u) return { purchaseCount: 0, purchaseTotalCents: 0, recentPurchaseTimes: [], lastLocation: null };
    return {
      purchaseCount: u.purchaseCount,
      purchaseTotalCents: u.lifetimeValueCents,
      recentPurchaseTimes: u.recentPurchaseTimes,
      lastLocation: u.lastLocation,
    };
  }

  add(e: PulseEvent): void {
    let u = this.users.get(e.userId);
    if (!u) {
      u = {
        lastActivity: e.ts,
        totalEvents: 0,
        eventsByType: new Map(),
        purchaseCount: 0,
        lifetimeValueCents: 0,
        recentPurchaseTimes: [],
        lastLocation: null,
      };
      this.users.set(e.userId, u);
      if (this.users.size > this.maxUsers) this.evictOne();
    }
    u.lastActivity = Math.max(u.lastActivity, e.ts);
    u.totalEvents++;
    u.eventsByType.set(e.type, (u.eventsByType.get(e.type) ?? 0) + 1);
    if (e.type === 'purchase') {
      u.purchaseCount++;
      u.lifetimeValueCents += e.amountCents ?? 0;
      // keep two windows so slightly late purchases are still scored against their neighbours
      const keepFrom = e.ts - 2 * VELOCITY_WINDOW_MS;
      u.recentPurchaseTimes = u.recentPurchaseTimes.filter((t) => t >= keepFrom);
      u.recentPurchaseTimes.push(e.ts);
    }
    // the newest fix by event time wins, so a late event does not move the user back in time
    if (e.location && (!u.lastLocation || e.ts >= u.lastLocation.at)) {
      u.lastLocation = { country: e.location.country, lat: e.location.lat, lon: e.location.lon, at: e.ts };
    }
  }

  /** forgets the least recently active of the oldest-created users (approximate LRU, O(64)) */
  private evictOne(): void {
    let victim: string | null = null;
    let oldest = Infinity;
    let seen = 0;
    for (const [id, u] of this.users) {
      if (u.lastActivity < oldest) {
        oldest = u.lastActivity;
        victim = id;
      }
      if (++seen >= 64) break;
    }
    if (victim !== null) this.users.delete(victim);
  }

  get(userId: string): UserAnalytics | null {
    const u = this.users.get(userId);
    if (!u) return null;
    return {
      userId,
      lastActivity: u.lastActivity,
      totalEvents: u.totalEvents,
      eventsByType: Object.fromEntries(u.eventsByType),
      purchaseCount: u.purchaseCount,
      lifetimeValueCents: u.lifetimeValueCents,
      averagePurchaseCents: u.purchaseCount ? Math.round(u.lifetimeValueCents / u.purchaseCount) : null,
      lastLocation: u.lastLocation,
    };
  }

  get size(): number {
    return this.users.size;
  }
}
