import type { Alert } from '@/lib/live';
import { windowStart } from '@/lib/metrics';
import { assembleMetrics } from '@/server/pipeline/assembleMetrics';
import { figuresFromBuckets, Refreshed, snapshotRanges, TOP_REFRESH_MS, topFromMinutes, topMinutes, type TopFigures } from '@/server/pipeline/bucketMetrics';
import { addMinute, emptyMinute, type EngineState, type MinuteDelta, type PurchaseFacts, type SessionRecord, type StateRequest } from '@/server/pipeline/effects';
import { DAY_RETENTION_MS, MINUTE_RETENTION_MIN } from '@/server/pipeline/engine';
import type { ShopSettings } from '@/server/shop';
import { SESSION_RETENTION_MS, toSessionAggregates } from '@/server/pipeline/sessionRecords';
import { mergeRecentEvents, toUserAnalytics } from '@/server/pipeline/userRecords';
import type { AlertSignal, ApplyOutcome, ApplyRequest, DeadLetterStore, LiveMetrics, LiveStore, RecentEvent, SessionAggregates, UserAnalytics, UserRecord } from '@/server/ports';
import type { RuleSource } from '@/server/rules/eventRules';

const RECENT_ALERTS = 20;
const ALERT_IDS_REMEMBERED = 100_000;
/** signals kept for the alert engine (it reads them within a second; the bound protects memory) */
const SIGNALS_KEPT = 50_000;
const PRUNE_EVERY_MS = 15_000;
/** purchase facts kept per partition when no lake writer takes them (the oldest go first) */
const FACTS_KEPT_PER_PARTITION = 200_000;

/** The checkpoints the memory log measures backlog with; the store writes them with its effects. */
export interface CheckpointTable {
  get(consumer: string, partition: number): number;
  set(consumer: string, partition: number, offset: number): void;
}

export interface MemoryLiveStoreOptions {
  rules: RuleSource;
  shop: ShopSettings;
  /** when counting began (the store's creation); default: now */
  countingSince?: number;
  maxUsers: number;
  deadLetters: DeadLetterStore;
  checkpoints: CheckpointTable;
  /** true while `token` is the partition's current lease of `consumer` */
  leaseIsCurrent?: (consumer: string, partition: number, token: number) => boolean;
}

/**
 * Live state in process memory (embedded mode): exact, fast, lost on restart. Applies the
 * engine's effects synchronously, so a delivery and its checkpoint land together.
 * Maps are keyed by client values, never plain objects.
 */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'in-process';
  readonly durable = false;
  private readonly minutes = new Map<number, MinuteDelta>();
  private readonly days = new Map<number, number>();
  private readonly daysForeign = new Map<number, Map<string, number>>();
  /** insertion order = least recently updated first, for the bound */
  private readonly users = new Map<string, UserRecord>();
  private readonly recent = new Map<string, RecentEvent[]>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly sessionIndex = new Map<string, string>();
  private readonly stock = new Map<string, number>();
  private readonly alertIds = new Set<string>();
  /** per partition, offset → what the engine decided about the purchase (ascending offsets) */
  private readonly facts = new Map<number, Map<number, PurchaseFacts>>();
  private alerts: Alert[] = [];
  private signals: AlertSignal[] = [];
  private signalSeq = 0;
  readonly signalsIdentity = `memory-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  private newestEventTime: number | null = null;
  private newestReceivedAt: number | null = null;
  private lastPrune = 0;
  /** the top lists change with every purchase but are read as a ranking: recomputed every few seconds, like the Redis store's */
  private readonly top = new Refreshed<TopFigures>(TOP_REFRESH_MS);
  /** nothing survives a restart: counting begins with the store */
  private readonly countingSince: number;

  constructor(private readonly opts: MemoryLiveStoreOptions) {
    this.countingSince = opts.countingSince ?? Date.now();
  }

  async read(request: StateRequest): Promise<EngineState> {
    const state: EngineState = { users: new Map(), sessions: new Map(), stock: new Map() };
    for (const id of request.users) {
      const u = this.users.get(id);
      if (u) state.users.set(id, u);
    }
    for (const key of request.sessions) {
      const s = this.sessions.get(key);
      if (s) state.sessions.set(key, s);
    }
    for (const p of request.products) {
      const level = this.stock.get(p);
      if (level !== undefined) state.stock.set(p, level);
    }
    return state;
  }

  async checkpoint(consumer: string, partition: number): Promise<number> {
    return this.opts.checkpoints.get(consumer, partition);
  }

  async apply(req: ApplyRequest): Promise<ApplyOutcome> {
    const { consumer, lease, effects: fx, now } = req;
    const current = this.opts.checkpoints.get(consumer, lease.partition);
    if (current >= req.toOffset) return { status: 'duplicate' };
    if (current !== req.fromOffset) return { status: 'moved', checkpoint: current };
    if (this.opts.leaseIsCurrent && !this.opts.leaseIsCurrent(consumer, lease.partition, lease.token)) return { status: 'fenced' };
    // from here to the checkpoint nothing awaits: the delivery lands whole or not at all
    for (const [m, d] of fx.minutes) {
      let b = this.minutes.get(m);
      if (!b) this.minutes.set(m, (b = emptyMinute()));
      addMinute(b, d);
    }
    for (const [d, minor] of fx.days) this.days.set(d, (this.days.get(d) ?? 0) + minor);
    for (const [d, byCurrency] of fx.daysForeign) {
      let kept = this.daysForeign.get(d);
      if (!kept) this.daysForeign.set(d, (kept = new Map()));
      for (const [c, minor] of byCurrency) kept.set(c, (kept.get(c) ?? 0) + minor);
    }
    for (const [id, record] of fx.users) {
      this.users.delete(id);
      this.users.set(id, record);
    }
    for (const [id, events] of fx.recentEvents) this.recent.set(id, mergeRecentEvents(events, this.recent.get(id) ?? []));
    while (this.users.size > this.opts.maxUsers) {
      const oldest = this.users.keys().next().value!;
      this.users.delete(oldest);
      this.recent.delete(oldest);
    }
    for (const [key, s] of fx.sessions) {
      this.sessions.set(key, s);
      if (s.sessionId !== null) this.sessionIndex.set(s.sessionId, key);
    }
    for (const [p, delta] of fx.stock) {
      const level = this.stock.get(p);
      if (level !== undefined) this.stock.set(p, level + delta);
    }
    if (fx.purchaseFacts.size) {
      let kept = this.facts.get(lease.partition);
      if (!kept) this.facts.set(lease.partition, (kept = new Map()));
      for (const [offset, f] of fx.purchaseFacts) kept.set(offset, f);
      for (const offset of kept.keys()) {
        if (kept.size <= FACTS_KEPT_PER_PARTITION) break;
        kept.delete(offset);
      }
    }
    const fired = fx.alerts.filter((a) => !this.alertIds.has(a.id));
    for (const a of fired) this.alertIds.add(a.id);
    // oldest first (insertion order), without copying the set on every apply once it is full
    for (const id of this.alertIds) {
      if (this.alertIds.size <= ALERT_IDS_REMEMBERED) break;
      this.alertIds.delete(id);
    }
    if (fired.length) {
      this.alerts = [...[...fired].reverse(), ...this.alerts].slice(0, RECENT_ALERTS);
      for (const alert of fired) this.signals.push({ position: String(++this.signalSeq), alert });
      if (this.signals.length > SIGNALS_KEPT) this.signals = this.signals.slice(-SIGNALS_KEPT);
    }
    if (fx.newestEventTime !== null && (this.newestEventTime === null || fx.newestEventTime > this.newestEventTime)) this.newestEventTime = fx.newestEventTime;
    if (fx.newestReceivedAt !== null && (this.newestReceivedAt === null || fx.newestReceivedAt > this.newestReceivedAt)) this.newestReceivedAt = fx.newestReceivedAt;
    this.opts.checkpoints.set(consumer, lease.partition, req.toOffset);
    // the in-memory dead letters cannot fail; they are written after the checkpoint moved
    if (fx.deadLetters.length) await this.opts.deadLetters.add(fx.deadLetters);
    if (now - this.lastPrune > PRUNE_EVERY_MS) this.prune(now);
    return { status: 'applied', alerts: fired };
  }

  async readAlertSignals(after: string, max: number): Promise<AlertSignal[]> {
    const from = Number(after) || 0;
    // positions are consecutive: the first one after `from` sits at a computable index
    const first = this.signals.length ? Number(this.signals[0].position) : 0;
    const start = Math.max(0, from + 1 - first);
    return this.signals.slice(start, start + max);
  }

  async alertSignalsHead(): Promise<string> {
    return String(this.signalSeq);
  }

  async snapshot(now: number): Promise<LiveMetrics> {
    const { shop } = this.opts;
    const figures = figuresFromBuckets(now, shop, snapshotRanges(now, shop.cartAbandonAfterMs), (m) => {
      const b = this.minutes.get(m);
      return b ? { ...b, distinctUsers: b.users.size } : undefined;
    });
    const top = this.top.get(now, () => topFromMinutes(topMinutes(now).flatMap((m) => this.minutes.get(m) ?? [])));
    const today = shop.calendar.dayStart(now);
    const threshold = this.opts.rules.current().lowStockAtOrBelow;
    const low: { productId: string; stock: number }[] = [];
    for (const [productId, stock] of this.stock) if (stock <= threshold) low.push({ productId, stock });
    low.sort((a, b) => a.stock - b.stock || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    return assembleMetrics({
      now,
      shop,
      countingSince: this.countingSince,
      newestEventTime: this.newestEventTime,
      newestReceivedAt: this.newestReceivedAt,
      figures,
      top: { ...top.value, computedAt: top.at },
      revenueTodayMinor: this.days.get(today) ?? 0,
      foreignToday: this.daysForeign.get(today) ?? [],
      inventory: { tracked: this.stock.size, lowStockThreshold: threshold, lowStock: low.slice(0, 10) },
      alerts: this.alerts,
    });
  }

  async setStock(productId: string, stock: number): Promise<void> {
    this.stock.set(productId, stock);
  }

  async userAnalytics(userId: string): Promise<UserAnalytics | null> {
    const r = this.users.get(userId);
    return r ? toUserAnalytics(r, await this.recentEvents(userId)) : null;
  }

  async recentEvents(userId: string): Promise<RecentEvent[]> {
    return (this.recent.get(userId) ?? []).map((e) => ({ ...e }));
  }

  async sessionAggregates(sessionId: string): Promise<SessionAggregates | null> {
    const key = this.sessionIndex.get(sessionId);
    const s = key === undefined ? undefined : this.sessions.get(key);
    return s ? toSessionAggregates(s) : null;
  }

  async purchaseFacts(partition: number, offsets: readonly number[]): Promise<Map<number, PurchaseFacts>> {
    const kept = this.facts.get(partition);
    const out = new Map<number, PurchaseFacts>();
    if (!kept) return out;
    for (const o of offsets) {
      const f = kept.get(o);
      if (f) out.set(o, { ...f, lineRevenueMinor: [...f.lineRevenueMinor] });
    }
    return out;
  }

  async forgetPurchaseFacts(partition: number, throughOffset: number): Promise<void> {
    const kept = this.facts.get(partition);
    if (!kept) return;
    // offsets were added in ascending order
    for (const offset of kept.keys()) {
      if (offset > throughOffset) break;
      kept.delete(offset);
    }
  }

  async close(): Promise<void> {}

  private prune(now: number): void {
    this.lastPrune = now;
    const minMinute = windowStart(now, MINUTE_RETENTION_MIN);
    for (const m of this.minutes.keys()) if (m < minMinute) this.minutes.delete(m);
    const dayFloor = this.opts.shop.calendar.dayStart(now) - DAY_RETENTION_MS;
    for (const d of this.days.keys()) if (d < dayFloor) this.days.delete(d);
    for (const d of this.daysForeign.keys()) if (d < dayFloor) this.daysForeign.delete(d);
    const cutoff = now - SESSION_RETENTION_MS;
    for (const [key, s] of this.sessions) {
      if (s.lastTs >= cutoff) continue;
      this.sessions.delete(key);
      if (s.sessionId !== null && this.sessionIndex.get(s.sessionId) === key) this.sessionIndex.delete(s.sessionId);
    }
  }
}
