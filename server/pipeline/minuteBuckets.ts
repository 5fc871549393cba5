import type { PulseEvent } from '@/lib/events';
import type { MinutePoint } from '@/lib/live';
import { DAY_MS, HOUR_MS, MINUTE_MS, dayOf, hourOf, minuteOf, windowStart } from '@/lib/metrics';

/** Retention of live buckets; late events older than this only reach the per-user store. */
export const MINUTE_RETENTION_MIN = 120;
export const HOUR_RETENTION_MS = 48 * HOUR_MS;
export const DAY_RETENTION_MS = 8 * DAY_MS;

interface MinuteBucket {
  events: number;
  orders: number;
  revenueCents: number;
  byType: Map<string, number>;
  users: Set<string>;
}

/** Event-time counters bucketed by UTC minute, hour and day. Exact: distinct users are sets. */
export class MinuteBuckets {
  private readonly minutes = new Map<number, MinuteBucket>();
  private readonly hourRevenue = new Map<number, number>();
  private readonly dayRevenue = new Map<number, number>();

  add(e: PulseEvent, now: number): void {
    const minute = minuteOf(e.ts);
    if (minute >= windowStart(now, MINUTE_RETENTION_MIN)) {
      let b = this.minutes.get(minute);
      if (!b) {
        b = { events: 0, orders: 0, revenueCents: 0, byType: new Map(), users: new Set() };
        this.minutes.set(minute, b);
      }
      b.events++;
      b.byType.set(e.type, (b.byType.get(e.type) ?? 0) + 1);
      b.users.add(e.userId);
      if (e.type === 'purchase') {
        b.orders++;
        b.revenueCents += e.amountCents ?? 0;
      }
    }
    if (e.type === 'purchase' && e.amountCents) {
      const hour = hourOf(e.ts);
      if (hour >= hourOf(now) - HOUR_RETENTION_MS) {
        this.hourRevenue.set(hour, (this.hourRevenue.get(hour) ?? 0) + e.amountCents);
      }
      const day = dayOf(e.ts);
      if (day >= dayOf(now) - DAY_RETENTION_MS) {
        this.dayRevenue.set(day, (this.dayRevenue.get(day) ?? 0) + e.amountCents);
      }
    }
  }

  /** `count` points ending with the current minute, oldest first; empty minutes are zeros */
  series(now: number, count: number): MinutePoint[] {
    const out: MinutePoint[] = [];
    for (let m = windowStart(now, count); m <= minuteOf(now); m += MINUTE_MS) {
      const b = this.minutes.get(m);
      out.push({
        minute: m,
        activeUsers: b ? b.users.size : 0,
        revenueCents: b ? b.revenueCents : 0,
        orders: b ? b.orders : 0,
        events: b ? b.events : 0,
      });
    }
    return out;
  }

  distinctUsers(now: number, minutes: number): number {
    const start = windowStart(now, minutes);
    const end = minuteOf(now);
    const union = new Set<string>();
    let largest: Set<string> | null = null;
    for (let m = start; m <= end; m += MINUTE_MS) {
      const users = this.minutes.get(m)?.users;
      if (users && (!largest || users.size > largest.size)) largest = users;
    }
    if (!largest) return 0;
    // count the biggest set once, then only the users the others add
    for (let m = start; m <= end; m += MINUTE_MS) {
      const users = this.minutes.get(m)?.users;
      if (!users || users === largest) continue;
      for (const u of users) if (!largest.has(u)) union.add(u);
    }
    return largest.size + union.size;
  }

  eventsByType(now: number, minutes: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (let m = windowStart(now, minutes); m <= minuteOf(now); m += MINUTE_MS) {
      const b = this.minutes.get(m);
      if (!b) continue;
      for (const [t, n] of b.byType) out[t] = (out[t] ?? 0) + n;
    }
    return out;
  }

  revenueThisHour(now: number): number {
    return this.hourRevenue.get(hourOf(now)) ?? 0;
  }

  revenueToday(now: number): number {
    return this.dayRevenue.get(dayOf(now)) ?? 0;
  }

  prune(now: number): void {
    const minMinute = windowStart(now, MINUTE_RETENTION_MIN);
    for (const m of this.minutes.keys()) if (m < minMinute) this.minutes.delete(m);
    for (const h of this.hourRevenue.keys()) if (h < hourOf(now) - HOUR_RETENTION_MS) this.hourRevenue.delete(h);
    for (const d of this.dayRevenue.keys()) if (d < dayOf(now) - DAY_RETENTION_MS) this.dayRevenue.delete(d);
  }
}
