import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PulseEvent } from '@/lib/events';
import { MemoryDeadLetters } from '@/server/adapters/memory/memoryDeadLetters';
import { MemoryEventLog } from '@/server/adapters/memory/memoryEventLog';
import { MemoryLiveStore } from '@/server/adapters/memory/memoryLiveStore';
import { redisKeys } from '@/server/adapters/redis/redisClient';
import { RedisDeadLetters } from '@/server/adapters/redis/redisDeadLetters';
import { RedisEventLog } from '@/server/adapters/redis/redisEventLog';
import { RedisLiveStore } from '@/server/adapters/redis/redisLiveStore';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import type { ApplyResult, DeadLetterStore, EventLog, LiveStore, LogBatch } from '@/server/ports';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const rules = { fraudScoreAbove: 0.8, highValueAboveCents: 100_000, lowStockAtOrBelow: 5 };
export type StoreKind = 'memory' | 'redis';
export const STORE_KINDS: StoreKind[] = ['memory', 'redis'];

export interface Harness {
  log: EventLog;
  store: LiveStore;
  deadLetters: DeadLetterStore;
  redis?: Redis;
  prefix?: string;
  /** appends the events, lets the log deliver them and applies each batch with a fixed clock */
  process(events: PulseEvent[], now: number): Promise<ApplyResult[]>;
  close(): Promise<void>;
}

/** One adapter set of the given kind, on its own Redis key prefix so tests never share state. */
export async function harness(kind: StoreKind, opts: { claimIdleMs?: number } = {}): Promise<Harness> {
  if (kind === 'memory') {
    const log = new MemoryEventLog({ dedupWindowMs: 86_400_000, dedupMaxIds: 100_000 });
    const deadLetters = new MemoryDeadLetters();
    const store = new MemoryLiveStore({ deadLetters, fraudWeights: DEFAULT_FRAUD_WEIGHTS, rules, maxUsers: 100_000 });
    return withConsumer(log, store, deadLetters);
  }
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  const keys = redisKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const blocking = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const log = new RedisEventLog(redis, blocking, keys, { dedupWindowSeconds: 3600, claimIdleMs: opts.claimIdleMs ?? 1000, readCount: 64, retainProcessedMs: 0 });
  await log.ensureGroup();
  const store = new RedisLiveStore(redis, keys, { fraudWeights: DEFAULT_FRAUD_WEIGHTS, rules, consumerName: log.consumerName });
  const deadLetters = new RedisDeadLetters(redis, keys);
  const h = withConsumer(log, store, deadLetters);
  return {
    ...h,
    redis,
    prefix,
    async close() {
      await h.close();
      const keysLeft = await redis.keys(`${prefix}*`);
      if (keysLeft.length) await redis.del(...keysLeft);
      redis.disconnect();
    },
  };
}

function withConsumer(log: EventLog, store: LiveStore, deadLetters: DeadLetterStore): Harness {
  let clock = 0;
  let waiting: { count: number; results: ApplyResult[]; resolve: () => void } | null = null;
  log.consume(async (batch: LogBatch) => {
    const result = await store.apply(batch, clock, 3);
    if (!result.acked) await log.ack(batch.entries.map((e) => e.id).filter((id) => !result.leftPending.includes(id)));
    if (waiting) {
      waiting.results.push(result);
      waiting.count -= result.applied + result.deadLettered;
      if (waiting.count <= 0) waiting.resolve();
    }
  });
  return {
    log,
    store,
    deadLetters,
    async process(events, now) {
      clock = now;
      const results: ApplyResult[] = [];
      const done = new Promise<void>((resolve) => (waiting = { count: 0, results, resolve }));
      const appended = await log.append(events);
      waiting!.count += appended.accepted.filter(Boolean).length;
      if (waiting!.count <= 0) waiting!.resolve();
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('events were not processed in time')), 8000))]);
      waiting = null;
      return results;
    },
    async close() {
      await log.close();
      await store.close();
    },
  };
}
