import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '@/server/config';
import type { DeadLetterStore, EventLog, LiveStore, UserStore } from '@/server/ports';
import { eventRulesFrom, type EventRules } from '@/server/rules/eventRules';
import { MemoryRuleStore, RedisRuleStore, StoredRuleSource } from '@/server/rules/storedRules';
import { DynamoUserStore } from '@/server/users/dynamoUserStore';
import { UserFlusher } from '@/server/users/userFlusher';
import { MemoryDeadLetters } from './memory/memoryDeadLetters';
import { MemoryCheckpoints, MemoryEventLog } from './memory/memoryEventLog';
import { MemoryLiveStore } from './memory/memoryLiveStore';
import { redisKeys, type RedisKeys } from './redis/keys';
import { openRedis, requireRedisVersion } from './redis/redisClient';
import { RedisDeadLetters } from './redis/redisDeadLetters';
import { RedisEventLog } from './redis/redisEventLog';
import { RedisLiveStore } from './redis/redisLiveStore';
import { probeRedisWrites } from './redis/redisHealth';
import { shopFromConfig, type ShopSettings } from '@/server/shop';
import { toMinor } from '@/lib/money';

export interface DependencyStatus {
  kind: string;
  status: 'ok' | 'down';
  latencyMs?: number;
  detail?: Record<string, unknown>;
  error?: string;
}

export interface Adapters {
  eventLog: EventLog;
  store: LiveStore;
  deadLetters: DeadLetterStore;
  /** the event rules in force: environment defaults, changed at run time through /api/rules */
  rules: StoredRuleSource;
  /** currency, time zone and cart delay every figure is computed with */
  shop: ShopSettings;
  /** this process's name among the owners of the log's partitions */
  owner: string;
  /** ingest counters that the log does not count itself */
  recordRejected(count: number): void;
  /** the per-user copy, when one is configured (DynamoDB) */
  userStore?: UserStore;
  /** starts background work that belongs to worker processes */
  startWorkerTasks(): void;
  /** shared state: Redis connections for pub/sub and the socket.io adapter */
  redis?: { main: Redis; keys: RedisKeys; url: string };
  health(): Promise<Record<string, DependencyStatus>>;
  close(): Promise<void>;
}

export function eventRulesFromConfig(config: Config): EventRules {
  return eventRulesFrom({
    fraudScoreAbove: config.ALERT_FRAUD_SCORE_ABOVE,
    // the threshold is shop-currency money: ¥1000 has no minor units, €1000 is 100 000 cents
    highValueAboveMinor: toMinor(config.ALERT_HIGH_VALUE_ABOVE, config.SHOP_CURRENCY),
    lowStockAtOrBelow: config.ALERT_LOW_STOCK_AT_OR_BELOW,
    fraudWeights: { amount: config.FRAUD_WEIGHT_AMOUNT, velocity: config.FRAUD_WEIGHT_VELOCITY, location: config.FRAUD_WEIGHT_LOCATION },
  });
}

/** how often every process re-reads the stored rules (changes also arrive by pub/sub at once) */
const RULES_REFRESH_MS = 2000;

function ownerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Picks one adapter per port for the mode: in-process (embedded) or Redis (single node). */
export async function createAdapters(config: Config, countRejected: (n: number) => void): Promise<Adapters> {
  const owner = ownerName();
  const shop = shopFromConfig(config);
  if (config.mode === 'embedded') {
    const rules = new StoredRuleSource(eventRulesFromConfig(config), new MemoryRuleStore(), { refreshMs: RULES_REFRESH_MS });
    await rules.start();
    const checkpoints = new MemoryCheckpoints();
    const eventLog = new MemoryEventLog({
      partitions: config.LOG_PARTITIONS,
      dedupWindowMs: config.DEDUP_WINDOW_HOURS * 3_600_000,
      dedupMaxIds: config.DEDUP_MAX_IDS,
      leaseMs: config.LEASE_MS,
      checkpoints,
    });
    const deadLetters = new MemoryDeadLetters();
    const store = new MemoryLiveStore({ deadLetters, rules, shop, maxUsers: config.EMBEDDED_MAX_USERS, checkpoints });
    return {
      eventLog,
      store,
      deadLetters,
      rules,
      shop,
      owner,
      recordRejected: countRejected,
      startWorkerTasks() {},
      async health() {
        return { eventLog: { kind: eventLog.kind, status: 'ok', detail: { ...(await eventLog.describe()) } }, liveStore: { kind: store.kind, status: 'ok' } };
      },
      async close() {
        await rules.close();
        await eventLog.close();
      },
    };
  }

  const url = config.REDIS_URL!;
  const keys = redisKeys(config.REDIS_PREFIX);
  const main = openRedis(url, 'main');
  await requireRedisVersion(main, '6.2.0');
  await requireSamePartitionCount(main, keys, config.LOG_PARTITIONS);
  const rulesSub = openRedis(url, 'rules-sub');
  const rules = new StoredRuleSource(eventRulesFromConfig(config), new RedisRuleStore(main, keys, rulesSub), { refreshMs: RULES_REFRESH_MS });
  await rules.start();
  const blocking = openRedis(url, 'stream-reader', { blocking: true });
  const eventLog = new RedisEventLog(main, blocking, keys, {
    partitions: config.LOG_PARTITIONS,
    dedupWindowSeconds: Math.ceil(config.DEDUP_WINDOW_HOURS * 3600),
    retainProcessedMs: config.STREAM_RETAIN_MINUTES * 60_000,
    leaseMs: config.LEASE_MS,
  });
  let userStore: UserStore | undefined;
  if (config.USER_STORE === 'dynamodb') {
    const dynamo = new DynamoUserStore({ tableName: config.DYNAMODB_USERS_TABLE, region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
    await dynamo.ensureTable();
    userStore = dynamo;
  }
  const store = new RedisLiveStore(main, keys, { rules, shop, trackDirtyUsers: userStore !== undefined });
  await store.open(Date.now());
  const flusher = userStore ? new UserFlusher(main, userStore, { keys, intervalMs: config.USER_FLUSH_INTERVAL_MS }) : undefined;
  const deadLetters = new RedisDeadLetters(main, keys);
  let trimTimer: NodeJS.Timeout | null = null;
  return {
    eventLog,
    store,
    deadLetters,
    rules,
    shop,
    owner,
    userStore,
    startWorkerTasks() {
      flusher?.start();
      // every worker trims; trimming is idempotent and bounded by the slowest required consumer
      trimTimer = setInterval(() => void eventLog.trim().catch(() => {}), 5000);
      trimTimer.unref();
    },
    recordRejected(count) {
      countRejected(count);
      if (count > 0) main.hincrby(keys.stats, 'rejected', count).catch(() => {});
    },
    redis: { main, keys, url },
    async health() {
      const start = performance.now();
      try {
        await main.ping();
        const latencyMs = Math.round((performance.now() - start) * 10) / 10;
        // a PING answers while every write fails (out of memory, read-only replica): probe a write
        const writes = await probeRedisWrites(main, keys);
        const redis: DependencyStatus = writes.ok
          ? { kind: 'redis', status: 'ok', latencyMs, detail: writes.detail }
          : { kind: 'redis', status: 'down', latencyMs, error: `writes fail, so ingest would fail: ${writes.error}`, detail: writes.detail };
        return {
          redis,
          eventLog: { kind: eventLog.kind, status: redis.status, detail: { ...(await eventLog.describe()) } },
          liveStore: { kind: store.kind, status: redis.status },
          ...(userStore && flusher ? { userStore: { kind: userStore.kind, status: 'ok' as const, detail: { ...flusher.counters, ...(await flusher.pending()) } } } : {}),
        };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return { redis: { kind: 'redis', status: 'down', error }, eventLog: { kind: eventLog.kind, status: 'down', error }, liveStore: { kind: store.kind, status: 'down', error } };
      }
    },
    async close() {
      if (trimTimer) clearInterval(trimTimer);
      await rules.close();
      rulesSub.disconnect();
      await eventLog.close();
      await flusher?.close();
      await userStore?.close();
      main.disconnect();
      blocking.disconnect();
    },
  };
}

/**
 * Users are assigned to partitions by hash: another partition count on the same Redis prefix
 * would move users to partitions whose history they do not share. The first process to start
 * records the count; every later one must use the same.
 */
async function requireSamePartitionCount(redis: Redis, keys: RedisKeys, partitions: number): Promise<void> {
  const key = `${keys.prefix}f:partitions`;
  await redis.set(key, String(partitions), 'NX');
  const stored = Number(await redis.get(key));
  if (stored !== partitions) {
    throw new Error(
      `LOG_PARTITIONS=${partitions}, but the log under REDIS_PREFIX=${keys.prefix} has ${stored} partitions: use LOG_PARTITIONS=${stored}, or a new REDIS_PREFIX for a new log`,
    );
  }
}
