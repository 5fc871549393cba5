import { eventRulesFrom } from '@/server/rules/eventRules';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PulseEvent } from '@/lib/events';
import type { Alert } from '@/lib/live';
import { MemoryDeadLetters } from '@/server/adapters/memory/memoryDeadLetters';
import { MemoryCheckpoints, MemoryEventLog } from '@/server/adapters/memory/memoryEventLog';
import { MemoryLiveStore } from '@/server/adapters/memory/memoryLiveStore';
import { redisKeys, type RedisKeys } from '@/server/adapters/redis/keys';
import { RedisDeadLetters } from '@/server/adapters/redis/redisDeadLetters';
import { RedisEventLog } from '@/server/adapters/redis/redisEventLog';
import { RedisLiveStore } from '@/server/adapters/redis/redisLiveStore';
import { LIVE_CONSUMER, LiveConsumer } from '@/server/consumers/liveConsumer';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import { PipelineStats } from '@/server/pipeline/stats';
import type { DeadLetterStore, EventLog, LiveStore } from '@/server/ports';
import { StaticRuleSource, type EventRules } from '@/server/rules/eventRules';
import { shopSettings, type ShopSettings } from '@/server/shop';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const rules: EventRules = eventRulesFrom({ fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: DEFAULT_FRAUD_WEIGHTS });
export type StoreKind = 'memory' | 'redis';
export const STORE_KINDS: StoreKind[] = ['memory', 'redis'];

export interface Harness {
  log: EventLog;
  store: LiveStore;
  deadLetters: DeadLetterStore;
  redis?: Redis;
  keys?: RedisKeys;
  /** appends the events, lets the live consumer process them with a fixed clock; the alerts raised */
  process(events: PulseEvent[], now: number): Promise<{ alerts: Alert[] }[]>;
  /** waits until the live consumer has checkpointed everything appended */
  drained(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  partitions?: number;
  leaseMs?: number;
  /** currency, time zone, cart delay (default: EUR, UTC, 30 min) */
  shop?: ShopSettings;
  /** when the store began counting (default: the Redis store's first delivery, the memory store's creation) */
  countingSince?: number;
  /** the event rules in force (default: the reference rules with the usual thresholds) */
  rules?: EventRules;
}

/** One adapter set of the given kind, on its own Redis key prefix so tests never share state. */
export async function harness(kind: StoreKind, opts: HarnessOptions = {}): Promise<Harness> {
  const partitions = opts.partitions ?? 4;
  const leaseMs = opts.leaseMs ?? 2000;
  const ruleSource = new StaticRuleSource(opts.rules ?? rules);
  const shop = opts.shop ?? shopSettings();
  if (kind === 'memory') {
    const checkpoints = new MemoryCheckpoints();
    const log = new MemoryEventLog({ partitions, dedupWindowMs: 86_400_000, dedupMaxIds: 100_000, leaseMs, checkpoints });
    const deadLetters = new MemoryDeadLetters();
    const store = new MemoryLiveStore({ deadLetters, rules: ruleSource, shop, countingSince: opts.countingSince, maxUsers: 100_000, checkpoints });
    return withConsumer(log, store, deadLetters, shop, async () => {}, ruleSource);
  }
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  const keys = redisKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const blocking = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const log = new RedisEventLog(redis, blocking, keys, { partitions, dedupWindowSeconds: 3600, retainProcessedMs: 0, leaseMs });
  const store = new RedisLiveStore(redis, keys, { rules: ruleSource, shop, trackDirtyUsers: false });
  if (opts.countingSince !== undefined) await store.open(opts.countingSince);
  const deadLetters = new RedisDeadLetters(redis, keys);
  const h = await withConsumer(log, store, deadLetters, shop, async () => {
    const left = await redis.keys(`${prefix}*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    blocking.disconnect();
  }, ruleSource);
  return { ...h, redis, keys };
}

async function withConsumer(log: EventLog, store: LiveStore, deadLetters: DeadLetterStore, shop: ShopSettings, cleanup: () => Promise<void>, ruleSource: StaticRuleSource): Promise<Harness> {
  let clock = 0;
  let sink: { alerts: Alert[] }[] | null = null;
  const consumer = new LiveConsumer({
    log,
    store,
    rules: ruleSource,
    shop,
    stats: new PipelineStats(),
    owner: `test-${randomBytes(3).toString('hex')}`,
    maxEntries: 64,
    now: () => clock,
    onApplied: (alerts) => sink?.push({ alerts }),
  });
  await consumer.start();
  const drained = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const backlog = (await log.backlog())[LIVE_CONSUMER] ?? 0;
      if (backlog === 0) return;
      if (Date.now() > deadline) throw new Error(`events were not processed in time (backlog ${backlog})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    log,
    store,
    deadLetters,
    drained,
    async process(events, now) {
      clock = now;
      const results: { alerts: Alert[] }[] = [];
      sink = results;
      await log.append(events);
      await drained();
      sink = null;
      return results;
    },
    async close() {
      await consumer.stop();
      await log.close();
      await store.close();
      await cleanup();
    },
  };
}
