import type { Redis } from 'ioredis';
import type { PulseEvent } from '@/lib/events';
import { alertSchema, type Alert } from '@/lib/live';
import {
  ACTIVE_USERS_WINDOW_MIN,
  CART_WINDOW_MIN,
  CONVERSION_WINDOW_MIN,
  SERIES_MINUTES,
  dayOf,
  hourOf,
  minuteOf,
  sessionKey,
  windowStart,
} from '@/lib/metrics';
import type { ApplyResult, LiveStore, LogBatch, LogEntry, SessionAggregates, UserAnalytics } from '@/server/ports';
import { type EventRuleThresholds, lowStockAlert, purchaseAlerts } from '@/server/alerts/eventRules';
import { type FraudHistory, type FraudWeights, scoreFraud, VELOCITY_WINDOW_MS } from '@/server/pipeline/fraud';
import { DAY_RETENTION_MS, HOUR_RETENTION_MS, MINUTE_RETENTION_MIN } from '@/server/pipeline/minuteBuckets';
import { log } from '@/server/log';
import { OpsBuilder } from './opsBuilder';
import type { RedisKeys } from './redisClient';
import { parseSnapshot, type RawSnapshot } from './redisSnapshot';
import { APPLY, SNAPSHOT } from './scripts';

const MINUTE_TTL_S = 3 * 3600;
const SESSION_TTL_S = 3 * 3600;
const PURCHASES_TTL_S = 3600;
const MAX_PAGES_PER_SESSION = 500;
const LAG_SAMPLES = 1000;
const PRUNE_EVERY_MS = 15_000;
/** cart abandonment and session averages loop over every cart and session: refresh them at most this often */
const HEAVY_REFRESH_MS = 1000;

export interface RedisLiveStoreOptions {
  fraudWeights: FraudWeights;
  rules: EventRuleThresholds;
  /** the consumer name this process reads the log under (entries are applied only while ours) */
  consumerName: string;
  /**
   * also accumulate per-user deltas (`ud:<user>` hashes, users listed in `ud:dirty`) for a
   * separate per-user store such as DynamoDB; they move in the same atomic step as the counters
   */
  userDeltas?: boolean;
}

interface Prepared {
  entry: LogEntry;
  events: PulseEvent[];
  alerts: Alert[];
  failed: { event: PulseEvent; error: string }[];
}

/**
 * Live state in Redis (single-node mode), shared by every web and worker process. Exact: users
 * per minute are sets, sessions and carts sorted sets, money integer cents. A batch's effects,
 * its acknowledgement in the log and the backlog counter change in one Lua script.
 *
 * Fraud scoring reads the user's purchase history before the script runs; two workers scoring
 * purchases of the same user at the same instant may each miss the other's purchase. Counters
 * are never affected by that race, only the score.
 */
export class RedisLiveStore implements LiveStore {
  readonly kind = 'redis';
  readonly durable = true;
  private readonly applySha: Promise<string>;
  private readonly snapshotSha: Promise<string>;
  private lastPrune = 0;
  private heavy: { at: number; carts: number; cartsBought: number; activeSessions: number; sessDur: number; sessPages: number; sessPv: number } | null = null;
  /** keys that do not depend on the event, built once */
  private readonly fixed: Record<'sLast' | 'sFirst' | 'sBuy' | 'cLast' | 'cFirst' | 'uLast' | 'stock' | 'newest' | 'dirty', string>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly opts: RedisLiveStoreOptions,
  ) {
    this.applySha = redis.script('LOAD', APPLY) as Promise<string>;
    this.snapshotSha = redis.script('LOAD', SNAPSHOT) as Promise<string>;
    const p = keys.prefix;
    // first/last times live in sorted sets: one ZADD GT/LT per batch updates all of them
    this.fixed = {
      sLast: `${p}s:last`, sFirst: `${p}s:first`, sBuy: `${p}s:buy`, cLast: `${p}c:last`, cFirst: `${p}c:first`,
      uLast: `${p}u:last`, stock: `${p}stock`, newest: `${p}newest`, dirty: `${p}ud:dirty`,
    };
  }

  private k(suffix: string): string {
    return this.keys.prefix + suffix;
  }

  async apply(batch: LogBatch, now: number, maxAttempts: number): Promise<ApplyResult> {
    const histories = await this.readHistories(batch);
    const prepared = batch.entries.map((entry) => this.prepare(entry, histories, now));

    const ops = new OpsBuilder();
    const included: string[] = [];
    const leftPending: string[] = [];
    const lagsMs: number[] = [];
    let applied = 0;
    let dead = 0;
    for (const p of prepared) {
      if (p.failed.length && p.entry.deliveries < maxAttempts) {
        // leave the whole entry pending; it is claimed and tried again after the idle time
        leftPending.push(p.entry.id);
        log.warn('log entry failed processing; it will be retried', { entry: p.entry.id, attempt: p.entry.deliveries, error: p.failed[0].error });
        continue;
      }
      included.push(p.entry.id);
      for (const e of p.events) this.addEventOps(ops, e, now);
      for (const a of p.alerts) ops.raw(['alert', a.id, JSON.stringify(a)]);
      for (const f of p.failed) {
        ops.raw(['dead', this.keys.dead, 'eventId', f.event.eventId, 'payload', JSON.stringify(f.event), 'error', f.error, 'attempts', String(p.entry.deliveries), 'failedAt', String(now)]);
      }
      applied += p.events.length;
      dead += p.failed.length;
      const appendedAt = p.entry.records[0]?.appendedAt ?? now;
      if (p.events.length) lagsMs.push(...Array(Math.min(p.events.length, 16)).fill(now - appendedAt));
    }
    if (included.length === 0) return { alerts: [], applied: 0, deadLettered: 0, acked: true, leftPending, lagsMs: [] };
    if (lagsMs.length) ops.raw(['lpushtrim', this.k('lags'), String(LAG_SAMPLES), ...lagsMs.slice(0, 64).map(String)]);
    this.maybePrune(ops, now);

    const args = [this.keys.prefix, this.keys.group, this.opts.consumerName, String(now), String(applied), String(dead), String(included.length), ...included, ops.encode()];
    const res = (await this.evalsha(APPLY, this.applySha, [this.keys.log, this.keys.backlog, this.keys.stats], args)) as string[];
    if (res[0] === 'stolen') {
      // another worker took these entries over (we were too slow); it applies them, not us
      log.warn('log entries were taken over by another worker before we applied them', { entry: res[1] });
      return { alerts: [], applied: 0, deadLettered: 0, acked: true, leftPending: included, lagsMs: [] };
    }
    const alerts = res.slice(1).map((json) => alertSchema.parse(JSON.parse(json)));
    return { alerts, applied, deadLettered: dead, acked: true, leftPending, lagsMs };
  }

  /** purchase history of every purchasing user in the batch, before the batch */
  private async readHistories(batch: LogBatch): Promise<Map<string, FraudHistory>> {
    const users = new Map<string, number>();
    for (const entry of batch.entries) {
      for (const { event: e } of entry.records) {
        if (e.type === 'purchase') users.set(e.userId, Math.min(users.get(e.userId) ?? Infinity, e.ts));
      }
    }
    const histories = new Map<string, FraudHistory>();
    if (users.size === 0) return histories;
    const pipe = this.redis.pipeline();
    for (const [userId, firstTs] of users) {
      pipe.hmget(this.k(`u:${userId}`), 'pc', 'ltv', 'loc_at', 'lc', 'lat', 'lon');
      pipe.zrangebyscore(this.k(`up:${userId}`), firstTs - 2 * VELOCITY_WINDOW_MS, '+inf', 'WITHSCORES');
    }
    const results = (await pipe.exec()) ?? [];
    let i = 0;
    for (const userId of users.keys()) {
      const [err1, h] = results[i++] as [Error | null, (string | null)[]];
      const [err2, times] = results[i++] as [Error | null, string[]];
      if (err1 || err2) throw err1 ?? err2;
      const at = h[2] !== null ? Number(h[2]) : null;
      histories.set(userId, {
        purchaseCount: Number(h[0] ?? 0),
        purchaseTotalCents: Number(h[1] ?? 0),
        recentPurchaseTimes: times.filter((_, j) => j % 2 === 1).map(Number),
        lastLocation:
          at === null
            ? null
            : { at, country: h[3] || null, lat: h[4] ? Number(h[4]) : null, lon: h[5] ? Number(h[5]) : null },
      });
    }
    return histories;
  }

  /** scores and alerts for one entry; records that throw are collected, not fatal */
  private prepare(entry: LogEntry, histories: Map<string, FraudHistory>, now: number): Prepared {
    const out: Prepared = { entry, events: [], alerts: [], failed: [] };
    for (const { event: e } of entry.records) {
      try {
        const history = histories.get(e.userId);
        if (e.type === 'purchase' && history) {
          const fraud = scoreFraud(history, e, this.opts.fraudWeights);
          out.alerts.push(...purchaseAlerts(e, fraud, [], this.opts.rules, now));
          history.purchaseCount++;
          history.purchaseTotalCents += e.amountCents ?? 0;
          history.recentPurchaseTimes.push(e.ts);
          for (const line of purchaseLines(e)) {
            if (typeof line.productId !== 'string' || !Number.isInteger(line.quantity)) throw new Error('purchase line without product or quantity');
          }
        }
        if (history && e.location && (!history.lastLocation || e.ts >= history.lastLocation.at)) {
          history.lastLocation = { ...e.location, at: e.ts };
        }
        out.events.push(e);
      } catch (err) {
        out.failed.push({ event: e, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  private addEventOps(ops: OpsBuilder, e: PulseEvent, now: number): void {
    const minute = minuteOf(e.ts);
    const purchase = e.type === 'purchase';
    const amount = e.amountCents ?? 0;
    if (minute >= windowStart(now, MINUTE_RETENTION_MIN)) {
      const m = this.k(`m:${minute}`);
      const mu = this.k(`mu:${minute}`);
      ops.hincr(m, 'ev', 1);
      ops.hincr(m, `t:${e.type}`, 1);
      if (purchase) {
        ops.hincr(m, 'ord', 1);
        ops.hincr(m, 'rev', amount);
      }
      ops.sadd(mu, e.userId);
      ops.expire(m, MINUTE_TTL_S);
      ops.expire(mu, MINUTE_TTL_S);
    }
    if (purchase && amount) {
      const hour = hourOf(e.ts);
      if (hour >= hourOf(now) - HOUR_RETENTION_MS) {
        ops.incrBy(this.k(`rh:${hour}`), amount);
        ops.expire(this.k(`rh:${hour}`), HOUR_RETENTION_MS / 1000 + 3600);
      }
      const day = dayOf(e.ts);
      if (day >= dayOf(now) - DAY_RETENTION_MS) {
        ops.incrBy(this.k(`rd:${day}`), amount);
        ops.expire(this.k(`rd:${day}`), DAY_RETENTION_MS / 1000 + 86400);
      }
    }

    const sk = sessionKey(e.userId, e.sessionId);
    const s = this.k(`s:${sk}`);
    ops.zmaxScore(this.fixed.sLast, sk, e.ts);
    ops.zminScore(this.fixed.sFirst, sk, e.ts);
    ops.once(`uid:${s}`, ['hsetnx', s, 'uid', e.userId]);
    ops.expire(s, SESSION_TTL_S);
    if (e.type === 'page_view') {
      ops.hincr(s, 'pv', 1);
      const page = e.page ?? (e.productId ? `product:${e.productId}` : null);
      if (page) {
        ops.raw(['saddcap', this.k(`sp:${sk}`), String(MAX_PAGES_PER_SESSION), page]);
        ops.expire(this.k(`sp:${sk}`), SESSION_TTL_S);
      }
    } else if (e.type === 'add_to_cart') {
      ops.zmaxScore(this.fixed.cLast, sk, e.ts);
      ops.zminScore(this.fixed.cFirst, sk, e.ts);
    } else if (purchase) {
      ops.zmaxScore(this.fixed.sBuy, sk, e.ts);
    }

    const locOp = e.location
      ? [String(e.ts), e.location.country ?? '', e.location.lat === null ? '' : String(e.location.lat), e.location.lon === null ? '' : String(e.location.lon)]
      : null;
    const u = this.k(`u:${e.userId}`);
    addUserCounters(ops, u, e, amount, locOp, { events: 'total', revenue: 'ltv' });
    ops.zmaxScore(this.fixed.uLast, e.userId, e.ts);
    if (this.opts.userDeltas) {
      // the same effects again as a delta for the separate per-user store
      const ud = this.k(`ud:${e.userId}`);
      addUserCounters(ops, ud, e, amount, locOp, { events: 'ev', revenue: 'rev' });
      ops.hashMax(ud, 'last', e.ts);
      ops.sadd(this.fixed.dirty, e.userId);
    }
    if (purchase) {
      const up = this.k(`up:${e.userId}`);
      ops.raw(['zadd', up, String(e.ts), e.eventId]);
      ops.raw(['zremto', up, String(e.ts - 2 * VELOCITY_WINDOW_MS)]);
      ops.expire(up, PURCHASES_TTL_S);
      for (const line of purchaseLines(e)) {
        const template = JSON.stringify(lowStockAlert(e, line.productId, '__STOCK__', this.opts.rules, now));
        ops.raw(['stock', this.fixed.stock, line.productId, String(line.quantity), String(this.opts.rules.lowStockAtOrBelow), `low_stock:${line.productId}:${e.eventId}`, template]);
      }
    }
    ops.hashMax(this.fixed.newest, 'ev', e.ts);
    ops.hashMax(this.fixed.newest, 'rcv', e.receivedAt);
  }

  /** every so often, drop sessions and carts older than any window reads */
  private maybePrune(ops: OpsBuilder, now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const cutoff = String(now - SESSION_TTL_S * 1000);
    for (const z of ['s:last', 's:buy', 'c:last', 'c:first']) ops.raw(['zremto', this.k(z), cutoff]);
    // a session's first event may be older than the cutoff while it is still going: keep a day
    ops.raw(['zremto', this.fixed.sFirst, String(now - 86_400_000)]);
  }

  async snapshot(now: number) {
    const args = [
      this.keys.prefix,
      String(now),
      String(windowStart(now, SERIES_MINUTES)),
      String(windowStart(now, ACTIVE_USERS_WINDOW_MIN)),
      String(windowStart(now, CONVERSION_WINDOW_MIN)),
      String(windowStart(now, CART_WINDOW_MIN)),
      String(this.opts.rules.lowStockAtOrBelow),
    ];
    const wantHeavy = !this.heavy || now - this.heavy.at >= HEAVY_REFRESH_MS || now < this.heavy.at;
    args.push(wantHeavy ? '1' : '0');
    const raw = JSON.parse((await this.evalsha(SNAPSHOT, this.snapshotSha, [], args)) as string) as RawSnapshot;
    if (raw.heavy) {
      this.heavy = { at: now, carts: raw.carts, cartsBought: raw.cartsBought, activeSessions: raw.activeSessions, sessDur: raw.sessDur, sessPages: raw.sessPages, sessPv: raw.sessPv };
    } else if (this.heavy) {
      Object.assign(raw, this.heavy);
    }
    return parseSnapshot(raw, this.opts.rules.lowStockAtOrBelow);
  }

  async setStock(productId: string, stock: number): Promise<void> {
    await this.redis.zadd(this.k('stock'), stock, productId);
  }

  async userAnalytics(userId: string): Promise<UserAnalytics | null> {
    const [h, last] = await Promise.all([this.redis.hgetall(this.k(`u:${userId}`)), this.redis.zscore(this.fixed.uLast, userId)]);
    if (!h.total) return null;
    const eventsByType: Record<string, number> = {};
    for (const [f, v] of Object.entries(h)) if (f.startsWith('t:')) eventsByType[f.slice(2)] = Number(v);
    const pc = Number(h.pc ?? 0);
    const ltv = Number(h.ltv ?? 0);
    return {
      userId,
      lastActivity: Number(last),
      totalEvents: Number(h.total),
      eventsByType,
      purchaseCount: pc,
      lifetimeValueCents: ltv,
      averagePurchaseCents: pc ? Math.round(ltv / pc) : null,
      lastLocation: h.loc_at
        ? { country: h.lc || null, lat: h.lat ? Number(h.lat) : null, lon: h.lon ? Number(h.lon) : null, at: Number(h.loc_at) }
        : null,
    };
  }

  async sessionAggregates(sessionId: string): Promise<SessionAggregates | null> {
    const key = `s:${sessionId}`;
    const [h, pages, buy, first, last] = await Promise.all([
      this.redis.hgetall(this.k(`s:${key}`)),
      this.redis.scard(this.k(`sp:${key}`)),
      this.redis.zscore(this.fixed.sBuy, key),
      this.redis.zscore(this.fixed.sFirst, key),
      this.redis.zscore(this.fixed.sLast, key),
    ]);
    if (last === null || !h.uid) return null;
    const ms = Number(last) - Number(first ?? last);
    const pv = Number(h.pv ?? 0);
    return {
      sessionId,
      userId: h.uid,
      startedAt: Number(first ?? last),
      lastEventAt: Number(last),
      durationSeconds: ms / 1000,
      pageViews: pv,
      pageViewsPerMinute: pv / Math.max(1, ms / 60_000),
      uniquePages: pages,
      purchased: buy !== null,
    };
  }

  async close(): Promise<void> {}

  private async evalsha(source: string, sha: Promise<string>, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(await sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.includes('NOSCRIPT')) return this.redis.eval(source, keys.length, ...keys, ...args);
      throw err;
    }
  }
}

/** per-user totals, events by type, last activity, purchases, revenue and newest location */
function addUserCounters(ops: OpsBuilder, key: string, e: PulseEvent, amount: number, locOp: string[] | null, names: { events: string; revenue: string }): void {
  ops.hincr(key, names.events, 1);
  ops.hincr(key, `t:${e.type}`, 1);
  if (e.type === 'purchase') {
    ops.hincr(key, 'pc', 1);
    ops.hincr(key, names.revenue, amount);
  }
  if (locOp) ops.newest(`loc:${key}`, e.ts, ['loc', key, ...locOp]);
}

function purchaseLines(e: PulseEvent): { productId: string; quantity: number }[] {
  if (e.items.length > 0) return e.items;
  return e.productId ? [{ productId: e.productId, quantity: e.quantity ?? 1 }] : [];
}
