import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { log } from '@/server/log';
import { LuaScript } from './luaScript';
import type { UserDelta, UserStore } from './userStore';

/**
 * KEYS[1] `ud:dirty`, KEYS[2] `ud:inflight`. ARGV: prefix, now, orphanBefore, max, then max
 * fresh tokens. Returns {userId, hash fields…} per taken delta.
 *
 * Orphans first: deltas a flusher took and never completed (it died, or the store failed) are
 * taken again with their token unchanged, so the store recognises a delta it already applied.
 * Then dirty users: a user whose previous delta is still in flight is put back, so a user's
 * deltas reach the store one at a time, the rule the store's last-token check relies on.
 * The number of SPOPs is bounded so a dirty set full of in-flight users cannot stall Redis.
 */
const TAKE = new LuaScript(`
local P, now, orphanBefore, max = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local dirty, inflight = KEYS[1], KEYS[2]
local out = {}
for _, u in ipairs(redis.call('ZRANGEBYSCORE', inflight, '-inf', orphanBefore, 'LIMIT', 0, max)) do
  local h = redis.call('HGETALL', P .. 'udi:' .. u)
  if #h == 0 then redis.call('ZREM', inflight, u)
  else
    redis.call('ZADD', inflight, now, u)
    out[#out + 1] = {u, h}
  end
end
local skipped, pops, n = {}, 0, 0
while #out < max and pops < 2 * max do
  local u = redis.call('SPOP', dirty)
  if not u then break end
  pops = pops + 1
  local live, held = P .. 'ud:' .. u, P .. 'udi:' .. u
  if redis.call('EXISTS', held) == 1 then skipped[#skipped + 1] = u
  elseif redis.call('EXISTS', live) == 1 then
    n = n + 1
    redis.call('RENAME', live, held)
    redis.call('HSET', held, 'token', ARGV[4 + n], 'since', now)
    redis.call('ZADD', inflight, now, u)
    out[#out + 1] = {u, redis.call('HGETALL', held)}
  end
end
for i = 1, #skipped, 500 do redis.call('SADD', dirty, unpack(skipped, i, math.min(i + 499, #skipped))) end
return out
`);

/**
 * KEYS[1] `udi:<user>`, KEYS[2] `ud:inflight`. ARGV: user, token. Forgets the delta only if it
 * is still the one applied: a flusher that was slow, and whose delta was taken over, completed
 * and followed by the user's next delta, must not delete that next delta.
 */
const COMPLETE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`);

export interface UserFlusherOptions {
  /** the live store's key prefix (REDIS_PREFIX) */
  prefix: string;
  /** pause between flushes when there was less than a full batch (default 1000) */
  intervalMs?: number;
  /** users taken per flush (default 200) */
  batchSize?: number;
  /**
   * a delta in flight this long is taken over (default 30 s). Must be well above the longest
   * `store.apply` can take: a write still on its way when the taken-over delta and the user's
   * next one have been applied would be applied a second time.
   */
  orphanAfterMs?: number;
  /** store writes in parallel, each for a different user (default 16) */
  concurrency?: number;
  now?: () => number;
}

export interface UserFlusherCounters {
  /** deltas the store confirmed (applied now or earlier) and that were then forgotten */
  flushed: number;
  /** of those, deltas the store had applied before (a retry after a crash) */
  alreadyApplied: number;
  /** attempts that failed; the delta stays in flight and is retried after orphanAfterMs */
  failed: number;
}

/** the commands the flusher uses */
type FlusherRedis = Pick<Redis, 'evalsha' | 'eval' | 'scard' | 'zcard'>;

/**
 * Moves the per-user deltas the Redis live store accumulates (`ud:<user>` hashes, users listed
 * in `ud:dirty`) into a UserStore, off the hot path, each exactly once: a taken delta is renamed
 * to `udi:<user>` with a token and listed in `ud:inflight` until the store has it.
 */
export class UserFlusher {
  readonly counters: UserFlusherCounters = { flushed: 0, alreadyApplied: 0, failed: 0 };
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly orphanAfterMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** flushes run one after another; close() waits for the last */
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly redis: FlusherRedis,
    private readonly store: UserStore,
    private readonly opts: UserFlusherOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.batchSize = opts.batchSize ?? 200;
    this.orphanAfterMs = opts.orphanAfterMs ?? 30_000;
    this.concurrency = opts.concurrency ?? 16;
    this.now = opts.now ?? Date.now;
  }

  private key(suffix: string): string {
    return this.opts.prefix + suffix;
  }

  /** flushes every intervalMs, at once again while batches come back full */
  start(): void {
    if (this.timer || this.closing) return;
    const tick = async () => {
      let flushed = 0;
      try {
        flushed = await this.flushOnce();
      } catch (err) {
        log.warn('user deltas could not be taken from Redis; trying again', { error: message(err) });
      }
      if (!this.closing) this.timer = setTimeout(tick, flushed >= this.batchSize ? 0 : this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** takes up to batchSize deltas (orphans first), writes them; returns how many were flushed */
  flushOnce(): Promise<number> {
    const run = this.tail.then(() => this.flushBatch());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** stops the loop and waits for the flush under way; safe to call more than once */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.tail;
    })();
    return this.closing;
  }

  /** for health: users with unflushed deltas, deltas in flight */
  async pending(): Promise<{ dirtyUsers: number; inFlight: number }> {
    const [dirtyUsers, inFlight] = await Promise.all([this.redis.scard(this.key('ud:dirty')), this.redis.zcard(this.key('ud:inflight'))]);
    return { dirtyUsers, inFlight };
  }

  private async flushBatch(): Promise<number> {
    const now = this.now();
    const tokens = Array.from({ length: this.batchSize }, () => randomBytes(12).toString('base64url'));
    const raw = await TAKE.run(
      this.redis,
      [this.key('ud:dirty'), this.key('ud:inflight')],
      [this.opts.prefix, String(now), String(now - this.orphanAfterMs), String(this.batchSize), ...tokens],
    );
    const taken = (raw as [string, string[]][]).map(([userId, flat]) => ({ userId, fields: pairs(flat) }));
    const errors: { user: string; error: string }[] = [];
    let flushed = 0;
    let next = 0;
    const worker = async () => {
      while (next < taken.length) {
        const { userId, fields } = taken[next++];
        try {
          await this.flushOne(userId, fields);
          flushed++;
        } catch (err) {
          this.counters.failed++;
          errors.push({ user: userId, error: message(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, taken.length) }, worker));
    if (errors.length) {
      // one line per flush, not per user: a store outage would otherwise flood the log
      log.warn('user deltas could not be written to the user store; they stay in flight and are retried', {
        store: this.store.kind,
        failed: errors.length,
        retryAfterMs: this.orphanAfterMs,
        first: errors[0],
      });
    }
    return flushed;
  }

  private async flushOne(userId: string, fields: Record<string, string>): Promise<void> {
    const token = fields.token;
    if (!token) throw new Error('in-flight delta has no token');
    const result = await this.store.apply(deltaFromHash(userId, fields), token);
    await COMPLETE.run(this.redis, [this.key(`udi:${userId}`), this.key('ud:inflight')], [userId, token]);
    this.counters.flushed++;
    if (result === 'already-applied') this.counters.alreadyApplied++;
  }
}

/**
 * Reads a delta hash as the live store writes it (`ev`, `t:<type>`, `pc`, `rev`, `last`, and
 * `loc_at`, `lc`, `lat`, `lon` with '' for none). A malformed hash throws and stays in flight,
 * kept for inspection rather than dropped.
 */
export function deltaFromHash(userId: string, h: Record<string, string>): UserDelta {
  const int = (field: string, fallback?: number): number => {
    const v = h[field] === undefined ? fallback : Number(h[field]);
    if (v === undefined || !Number.isSafeInteger(v)) throw new Error(`delta field ${field} is ${h[field] ?? 'missing'}, not a whole number`);
    return v;
  };
  const byType: Record<string, number> = {};
  for (const field of Object.keys(h)) if (field.startsWith('t:')) byType[field.slice(2)] = int(field);
  const coord = (field: string) => (h[field] ? Number(h[field]) : null);
  return {
    userId,
    events: int('ev'),
    byType,
    purchases: int('pc', 0),
    revenueCents: int('rev', 0),
    lastActivity: int('last'),
    location: h.loc_at ? { country: h.lc || null, lat: coord('lat'), lon: coord('lon'), at: int('loc_at') } : null,
  };
}

function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
