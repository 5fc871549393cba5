import type { Redis } from 'ioredis';
import { alertSchema } from '@/lib/live';
import type { EngineState, PurchaseFacts, SessionRecord, StateRequest } from '@/server/pipeline/effects';
import { toSessionAggregates } from '@/server/pipeline/sessionRecords';
import { mergeRecentEvents, toUserAnalytics } from '@/server/pipeline/userRecords';
import { recentEventSchema } from '@/server/users/userRecordJson';
import type { AlertSignal, ApplyOutcome, ApplyRequest, LiveMetrics, LiveStore, RecentEvent, SessionAggregates, UserAnalytics, UserRecord } from '@/server/ports';
import type { RuleSource } from '@/server/rules/eventRules';
import type { ShopSettings } from '@/server/shop';
import { log } from '@/server/log';
import { APPLY } from './applyScript';
import { encodeEffects, FACTS_BLOCK, RECENT_KEPT } from './encodeEffects';
import type { RedisKeys } from './keys';
import { pipelineReader } from './pipelineResults';
import { readRedisSnapshot, readRedisTop } from './redisSnapshot';
import { Refreshed, TOP_REFRESH_MS, type TopFigures } from '@/server/pipeline/bucketMetrics';
import { runScript } from './scripting';
import { parseUserRecordJson } from '@/server/users/userRecordJson';

export interface RedisLiveStoreOptions {
  rules: RuleSource;
  shop: ShopSettings;
  /** list users whose record changed, for a separate per-user store (DynamoDB) */
  trackDirtyUsers: boolean;
}

/**
 * Live state in Redis (single-node mode), shared by every web and worker process. Exact: users
 * per minute are sets, money integer cents, session figures per-minute sums. Per-user and
 * per-session records are JSON values written whole by the partition's owner — the engine read
 * them, so no merge is written twice (not in Lua, not here).
 */
export class RedisLiveStore implements LiveStore {
  readonly kind = 'redis';
  readonly durable = true;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly opts: RedisLiveStoreOptions,
  ) {}

  async read(request: StateRequest): Promise<EngineState> {
    const state: EngineState = { users: new Map(), sessions: new Map(), stock: new Map() };
    const pipe = this.redis.pipeline();
    if (request.users.length) pipe.mget(...request.users.map((u) => this.keys.user(u)));
    if (request.sessions.length) pipe.mget(...request.sessions.map((s) => this.keys.session(s)));
    if (request.products.length) pipe.zmscore(this.keys.stock, ...request.products);
    const next = pipelineReader(await pipe.exec());
    if (request.users.length) {
      next<(string | null)[]>().forEach((json, j) => {
        const r = json === null ? null : parseUser(json, request.users[j]);
        if (r) state.users.set(request.users[j], r);
      });
    }
    if (request.sessions.length) {
      next<(string | null)[]>().forEach((json, j) => {
        const s = json === null ? null : parseRecord<SessionRecord>(json, request.sessions[j]);
        if (s) state.sessions.set(request.sessions[j], s);
      });
    }
    if (request.products.length) {
      next<(string | null)[]>().forEach((score, j) => {
        if (score !== null) state.stock.set(request.products[j], Number(score));
      });
    }
    return state;
  }

  async checkpoint(consumer: string, partition: number): Promise<number> {
    return Number((await this.redis.hget(this.keys.checkpoints(consumer), String(partition))) ?? 0);
  }

  async apply(req: ApplyRequest): Promise<ApplyOutcome> {
    const k = this.keys;
    const ops = encodeEffects(req.effects, { keys: k, partition: req.lease.partition, trackDirtyUsers: this.opts.trackDirtyUsers });
    const res = (await runScript(this.redis, APPLY, [], [
      k.checkpoints(req.consumer),
      String(req.lease.partition),
      String(req.fromOffset),
      String(req.toOffset),
      k.lease(req.consumer, req.lease.partition),
      String(req.lease.token),
      ops,
      k.alerts,
      k.alertsChannel,
      k.changedChannel,
      k.stats,
      k.lags,
      k.rate(Math.floor(req.now / 1000)),
      k.newest,
      String(req.now),
      k.countingSince,
      String(RECENT_KEPT),
    ])) as string[];
    if (res[0] === 'duplicate') return { status: 'duplicate' };
    if (res[0] === 'fenced') return { status: 'fenced' };
    if (res[0] === 'moved') return { status: 'moved', checkpoint: Number(res[1]) };
    return { status: 'applied', alerts: res.slice(1).map((json) => alertSchema.parse(JSON.parse(json))) };
  }

  get signalsIdentity(): string {
    return `redis:${this.keys.alertSignals}`;
  }

  async readAlertSignals(after: string, max: number): Promise<AlertSignal[]> {
    // exclusive start: the entries strictly after the reader's position
    const rows = (await this.redis.xrange(this.keys.alertSignals, after === '0' ? '-' : `(${after}`, '+', 'COUNT', max)) as [string, string[]][];
    const out: AlertSignal[] = [];
    for (const [id, fields] of rows) {
      const json = fields[fields.indexOf('a') + 1];
      const parsed = alertSchema.safeParse(safeJson(json ?? ''));
      if (parsed.success) out.push({ position: id, alert: parsed.data });
      else log.warn('an alert signal does not parse; skipped', { position: id });
    }
    return out;
  }

  async alertSignalsHead(): Promise<string> {
    const last = (await this.redis.xrevrange(this.keys.alertSignals, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last[0]?.[0] ?? '0';
  }

  /** top lists read 60 hashes whose size grows with the catalogue: recomputed every few seconds, shared */
  private readonly top = new Refreshed<Promise<TopFigures>>(TOP_REFRESH_MS);

  /** marks the store as counting from now unless it already is (a fresh Redis, or a flushed one) */
  async open(now: number): Promise<void> {
    await this.redis.set(this.keys.countingSince, String(now), 'NX');
  }

  snapshot(now: number): Promise<LiveMetrics> {
    const { at, value } = this.top.get(now, () => {
      const read = readRedisTop(this.redis, this.keys, now);
      // a failed read is not kept for the next seconds' snapshots
      read.catch(() => this.top.forget(read));
      return read;
    });
    return readRedisSnapshot(this.redis, this.keys, now, {
      lowStockAtOrBelow: this.opts.rules.current().lowStockAtOrBelow,
      shop: this.opts.shop,
      top: value.then((t) => ({ ...t, computedAt: at })),
    });
  }

  async setStock(productId: string, stock: number): Promise<void> {
    await this.redis.zadd(this.keys.stock, stock, productId);
  }

  async userAnalytics(userId: string): Promise<UserAnalytics | null> {
    const json = await this.redis.get(this.keys.user(userId));
    const r = json === null ? null : parseUser(json, userId);
    return r ? toUserAnalytics(r, await this.recentEvents(userId)) : null;
  }

  async recentEvents(userId: string): Promise<RecentEvent[]> {
    const items = await this.redis.lrange(this.keys.userRecent(userId), 0, RECENT_KEPT - 1);
    const out: RecentEvent[] = [];
    for (const json of items) {
      const parsed = recentEventSchema.safeParse(safeJson(json ?? ''));
      if (parsed.success) out.push(parsed.data);
    }
    // a late event was pushed to the head: order by event time
    return mergeRecentEvents(out, []);
  }

  async sessionAggregates(sessionId: string): Promise<SessionAggregates | null> {
    const key = await this.redis.get(this.keys.sessionIndex(sessionId));
    if (key === null) return null;
    const json = await this.redis.get(this.keys.session(key));
    const s = json === null ? null : parseRecord<SessionRecord>(json, key);
    return s ? toSessionAggregates(s) : null;
  }

  async purchaseFacts(partition: number, offsets: readonly number[]): Promise<Map<number, PurchaseFacts>> {
    const out = new Map<number, PurchaseFacts>();
    if (offsets.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const o of offsets) pipe.hget(this.keys.purchaseFacts(partition, Math.floor(o / FACTS_BLOCK)), String(o));
    const next = pipelineReader(await pipe.exec());
    for (const o of offsets) {
      const json = next<string | null>();
      const v = json === null ? null : safeJson(json);
      if (isFacts(v)) out.set(o, { fraudScore: v[0], country: v[1], shopAmountMinor: v[2], lineRevenueMinor: v[3] });
    }
    return out;
  }

  async forgetPurchaseFacts(partition: number, throughOffset: number): Promise<void> {
    // whole blocks below the one holding `throughOffset` are done; that block expires by itself
    const last = Math.floor(throughOffset / FACTS_BLOCK) - 1;
    if (last < 0) return;
    const keys: string[] = [];
    for (let b = Math.max(0, last - 20); b <= last; b++) keys.push(this.keys.purchaseFacts(partition, b));
    await this.redis.unlink(...keys);
  }

  async close(): Promise<void> {}
}

/** the per-user record, checked by the schema the DynamoDB flusher uses too */
function parseUser(json: string, id: string): UserRecord | null {
  try {
    return parseUserRecordJson(json);
  } catch (err) {
    log.warn('redis live store: a stored user record is not valid; starting it afresh', { id: id.slice(0, 80), error: String(err) });
    return null;
  }
}

/** a record that does not parse is treated as absent (and said so) rather than wedging the pipeline */
function parseRecord<T>(json: string, id: string): T | null {
  try {
    return JSON.parse(json) as T;
  } catch (err) {
    log.warn('redis live store: a stored record does not parse; starting it afresh', { id: id.slice(0, 80), error: String(err) });
    return null;
  }
}

/** [fraud score, country, shop-currency amount, line revenues] as encodeEffects writes them */
function isFacts(v: unknown): v is [number, string | null, number | null, number[]] {
  return (
    Array.isArray(v) &&
    typeof v[0] === 'number' &&
    (v[1] === null || typeof v[1] === 'string') &&
    (v[2] === null || Number.isSafeInteger(v[2])) &&
    Array.isArray(v[3]) &&
    v[3].every((n: unknown) => Number.isSafeInteger(n))
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
