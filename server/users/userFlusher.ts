import type { Redis } from 'ioredis';
import type { RedisKeys } from '@/server/adapters/redis/keys';
import { lua, runScript } from '@/server/adapters/redis/scripting';
import { log } from '@/server/log';
import type { UserRecord, UserStore } from '@/server/ports';
import { parseUserRecordJson } from './userRecordJson';

/**
 * KEYS[1] the dirty set (member userId, score version). ARGV: userId, version pairs.
 * Removes each user only while its score is still the version that was copied. The live store
 * raises the score (ZADD with the newest version) in the same atomic step as it rewrites the
 * record, so a user changed after its record was read keeps a higher score, stays dirty and is
 * copied again next round.
 */
const REMOVE_IF_COPIED = lua(`
local removed = 0
for i = 1, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
`);

export interface UserFlusherOptions {
  keys: RedisKeys;
  /** pause between rounds when the last one did not come back full */
  intervalMs: number;
  /** dirty users taken per round (default 200) */
  batchSize?: number;
  /** store writes in flight at once, each for a different user (default 8) */
  concurrency?: number;
}

export interface UserFlusherCounters {
  /** records the store took (its copy was older) */
  copied: number;
  /** records the store already had at this or a newer version: a retry, or another flusher won */
  stale: number;
  /** puts that failed; the user stays dirty and is tried again next round */
  failed: number;
  /** dirty users whose record was missing or unreadable, dropped from dirty with a warning */
  dropped: number;
}

export interface FlushRound {
  /** dirty entries read this round */
  taken: number;
  copied: number;
  stale: number;
  failed: number;
  dropped: number;
  /** entries removed from dirty (fewer than copied + stale + dropped when users changed meanwhile) */
  removed: number;
}

/**
 * Copies per-user records from the Redis live store (`keys.user(id)`, listed in
 * `keys.usersDirty` with their newest version) into a UserStore, off the hot path.
 *
 * The copy is a state, not a change, and the store refuses any version it already has, so:
 * - a crash at any point loses nothing: the dirty entry is removed only after the put, and only
 *   if the version put is still the newest; until then the user is copied again;
 * - nothing counts twice: putting the same version again is 'stale' and changes nothing;
 * - several flushers may run at once (one per worker) without coordinating: they may copy the
 *   same user in the same round, but the store keeps the highest version whatever order the
 *   puts land in, and each removes the entry only for the version it copied itself.
 *
 * Rounds take the lowest versions first (ZRANGE by rank). That only matters while the backlog
 * outgrows what the flusher drains: users with many changes then wait longest, and health
 * shows the backlog growing.
 */
export class UserFlusher {
  readonly counters: UserFlusherCounters = { copied: 0, stale: 0, failed: 0, dropped: 0 };
  private readonly keys: RedisKeys;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private timer: NodeJS.Timeout | null = null;
  /** rounds run one after another; close() waits for the last */
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly store: UserStore,
    opts: UserFlusherOptions,
  ) {
    this.keys = opts.keys;
    this.intervalMs = opts.intervalMs;
    this.batchSize = opts.batchSize ?? 200;
    this.concurrency = opts.concurrency ?? 8;
  }

  /** a round every intervalMs, at once again while rounds come back full and without failures */
  start(): void {
    if (this.timer || this.closing) return;
    const tick = async () => {
      let again = false;
      try {
        const round = await this.flushOnce();
        again = round.taken >= this.batchSize && round.failed === 0;
      } catch (err) {
        log.warn('per-user records could not be read from Redis; trying again', { error: message(err) });
      }
      if (!this.closing) this.timer = setTimeout(tick, again ? 0 : this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** one round: up to batchSize dirty users copied into the store */
  flushOnce(): Promise<FlushRound> {
    const run = this.tail.then(() => this.round());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** stops the loop and waits for the round under way; safe to call more than once */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.tail;
    })();
    return this.closing;
  }

  /** for health: users whose record changed and has not been copied yet */
  async pending(): Promise<{ dirtyUsers: number }> {
    return { dirtyUsers: await this.redis.zcard(this.keys.usersDirty) };
  }

  private async round(): Promise<FlushRound> {
    const flat = await this.redis.zrange(this.keys.usersDirty, 0, this.batchSize - 1, 'WITHSCORES');
    const dirty: { userId: string; score: string }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) dirty.push({ userId: flat[i], score: flat[i + 1] });
    const round: FlushRound = { taken: dirty.length, copied: 0, stale: 0, failed: 0, dropped: 0, removed: 0 };
    if (dirty.length === 0) return round;

    const raws = await this.redis.mget(...dirty.map((d) => this.keys.user(d.userId)));
    /** userId, version pairs to remove from dirty if unchanged */
    const done: string[] = [];
    const records: UserRecord[] = [];
    const dropped: { user: string; reason: string }[] = [];
    dirty.forEach(({ userId, score }, i) => {
      const raw = raws[i];
      let reason: string;
      if (raw === null) reason = 'record missing';
      else {
        try {
          const record = parseUserRecordJson(raw);
          if (record.userId === userId) return void records.push(record);
          reason = 'record belongs to another user';
        } catch (err) {
          reason = message(err);
        }
      }
      // removed at the score it was read with: if the live store rewrites the record meanwhile
      // the score moves on and the new record is copied next round
      dropped.push({ user: userId, reason });
      done.push(userId, score);
    });

    const failures: { user: string; error: string }[] = [];
    await eachLimited(records, this.concurrency, async (record) => {
      try {
        const result = await this.store.put(record);
        round[result === 'written' ? 'copied' : 'stale']++;
        done.push(record.userId, String(record.version));
      } catch (err) {
        round.failed++;
        failures.push({ user: record.userId, error: message(err) });
      }
    });
    round.dropped = dropped.length;
    if (done.length) round.removed = Number(await runScript(this.redis, REMOVE_IF_COPIED, [this.keys.usersDirty], done));

    this.counters.copied += round.copied;
    this.counters.stale += round.stale;
    this.counters.failed += round.failed;
    this.counters.dropped += round.dropped;
    // one line per round, not per user: a store outage would otherwise flood the log
    if (dropped.length) {
      log.warn('per-user records that cannot be copied were dropped from the dirty set', { dropped: dropped.length, first: dropped[0] });
    }
    if (failures.length) {
      log.warn('per-user records could not be written to the user store; they stay dirty and are retried', {
        store: this.store.kind,
        failed: failures.length,
        retryAfterMs: this.intervalMs,
        first: failures[0],
      });
    }
    return round;
  }
}

/** runs fn over items with at most `limit` calls in flight */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
