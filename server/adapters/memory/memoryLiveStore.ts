import { ACTIVE_USERS_WINDOW_MIN, SERIES_MINUTES } from '@/lib/metrics';
import { assembleMetrics } from '@/server/pipeline/assembleMetrics';
import type { Alert } from '@/lib/live';
import type { DeadLetter } from '@/server/ports';
import type { ApplyResult, DeadLetterStore, LiveStore, LogBatch, LogRecord, SessionAggregates, UserAnalytics } from '@/server/ports';
import { type EventRuleThresholds, purchaseAlerts } from '@/server/alerts/eventRules';
import { type FraudWeights, scoreFraud } from '@/server/pipeline/fraud';
import { Inventory } from '@/server/pipeline/inventory';
import { MinuteBuckets } from '@/server/pipeline/minuteBuckets';
import { SessionTracker } from '@/server/pipeline/sessions';
import { UserStates } from '@/server/pipeline/users';

const RECENT_ALERTS = 20;
const PRUNE_EVERY_MS = 15_000;

export interface MemoryLiveStoreOptions {
  fraudWeights: FraudWeights;
  rules: EventRuleThresholds;
  maxUsers: number;
  deadLetters: DeadLetterStore;
}

/** Live state in process memory (embedded mode): exact, fast, lost on restart. */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'in-process';
  readonly durable = false;
  private readonly buckets = new MinuteBuckets();
  private readonly sessions = new SessionTracker();
  private readonly users: UserStates;
  private readonly inventory = new Inventory();
  private alerts: Alert[] = [];
  private newestEventTime: number | null = null;
  private newestReceivedAt: number | null = null;
  private lastPrune = 0;

  constructor(private readonly opts: MemoryLiveStoreOptions) {
    this.users = new UserStates(opts.maxUsers);
  }

  async apply(batch: LogBatch, now: number, maxAttempts: number): Promise<ApplyResult> {
    const fired: Alert[] = [];
    const lagsMs: number[] = [];
    const failed: Omit<DeadLetter, 'id'>[] = [];
    for (const record of batch.entries.flatMap((e) => e.records)) {
      // in memory a batch cannot be applied all-or-nothing, so a failing record is retried on
      // its own, then set aside, and its neighbours are applied exactly once
      for (let attempt = 1; ; attempt++) {
        try {
          fired.push(...this.applyOne(record, now));
          lagsMs.push(now - record.appendedAt);
          break;
        } catch (err) {
          if (attempt < maxAttempts) continue;
          failed.push({
            payload: JSON.stringify(record.event),
            eventId: record.event.eventId,
            error: err instanceof Error ? err.message : String(err),
            attempts: attempt,
            failedAt: now,
          });
          break;
        }
      }
    }
    if (failed.length) await this.opts.deadLetters.add(failed);
    if (fired.length) this.alerts = [...[...fired].reverse(), ...this.alerts].slice(0, RECENT_ALERTS);
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.buckets.prune(now);
      this.sessions.prune(now);
    }
    return { alerts: fired, lagsMs, applied: lagsMs.length, deadLettered: failed.length, acked: false, leftPending: [] };
  }

  private applyOne({ event: e }: LogRecord, now: number): Alert[] {
    let alerts: Alert[] = [];
    if (e.type === 'purchase') {
      // score against the history before this purchase, then record it
      const fraud = scoreFraud(this.users.history(e.userId), e, this.opts.fraudWeights);
      const stock = this.inventory.applyPurchase(e);
      alerts = purchaseAlerts(e, fraud, stock, this.opts.rules, now);
    }
    this.users.add(e);
    this.buckets.add(e, now);
    this.sessions.add(e);
    if (this.newestEventTime === null || e.ts > this.newestEventTime) this.newestEventTime = e.ts;
    if (this.newestReceivedAt === null || e.receivedAt > this.newestReceivedAt) this.newestReceivedAt = e.receivedAt;
    return alerts;
  }

  async snapshot(now: number) {
    return assembleMetrics({
      newestEventTime: this.newestEventTime,
      newestReceivedAt: this.newestReceivedAt,
      activeUsers: this.buckets.distinctUsers(now, ACTIVE_USERS_WINDOW_MIN),
      series: this.buckets.series(now, SERIES_MINUTES),
      revenueThisHourCents: this.buckets.revenueThisHour(now),
      revenueTodayCents: this.buckets.revenueToday(now),
      sessions: this.sessions.summary(now),
      eventsByType: this.buckets.eventsByType(now, SERIES_MINUTES),
      inventory: {
        tracked: this.inventory.tracked,
        lowStockThreshold: this.opts.rules.lowStockAtOrBelow,
        lowStock: this.inventory.lowest(this.opts.rules.lowStockAtOrBelow, 10),
      },
      alerts: this.alerts,
    });
  }

  async setStock(productId: string, stock: number): Promise<void> {
    this.inventory.set(productId, stock);
  }

  async userAnalytics(userId: string): Promise<UserAnalytics | null> {
    return this.users.get(userId);
  }

  async sessionAggregates(sessionId: string): Promise<SessionAggregates | null> {
    return this.sessions.get(sessionId);
  }

  async close(): Promise<void> {}
}

