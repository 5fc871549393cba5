import type { Redis } from 'ioredis';
import type { Config } from '@/server/config';
import type { EventRuleThresholds } from '@/server/alerts/eventRules';
import type { FraudWeights } from '@/server/pipeline/fraud';
import type { DeadLetterStore, EventLog, LiveStore } from '@/server/ports';
import { MemoryDeadLetters } from './memory/memoryDeadLetters';
import { MemoryEventLog } from './memory/memoryEventLog';
import { MemoryLiveStore } from './memory/memoryLiveStore';
import { openRedis, redisKeys, type RedisKeys } from './redis/redisClient';
import { RedisDeadLetters } from './redis/redisDeadLetters';
import { RedisEventLog } from './redis/redisEventLog';
import { RedisLiveStore } from './redis/redisLiveStore';
import { DynamoUserStore } from '@/server/users/dynamoUserStore';
import { RedisUserStore } from '@/server/users/redisUserStore';
import { UserFlusher } from '@/server/users/userFlusher';
import type { UserStore } from '@/server/users/userStore';

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
  /** ingest counters that the log does not count itself */
  recordRejected(count: number): void;
  /** the per-user store, when it is separate from the live store */
  userStore?: UserStore;
  /** starts background work that belongs to worker processes */
  startWorkerTasks(): void;
  /** shared state: Redis connections for pub/sub and the socket.io adapter */
  redis?: { main: Redis; keys: RedisKeys; url: string };
  health(): Promise<Record<string, DependencyStatus>>;
  close(): Promise<void>;
}

export function fraudWeights(config: Config): FraudWeights {
  return { amount: config.FRAUD_WEIGHT_AMOUNT, velocity: config.FRAUD_WEIGHT_VELOCITY, location: config.FRAUD_WEIGHT_LOCATION };
}

export function ruleThresholds(config: Config): EventRuleThresholds {
  return {
    fraudScoreAbove: config.ALERT_FRAUD_SCORE_ABOVE,
    highValueAboveCents: Math.round(config.ALERT_HIGH_VALUE_ABOVE * 100),
    lowStockAtOrBelow: config.ALERT_LOW_STOCK_AT_OR_BELOW,
  };
}

/** Picks one adapter per port for the mode: in-process (embedded) or Redis (single node). */
export async function createAdapters(config: Config, countRejected: (n: number) => void): Promise<Adapters> {
  if (config.mode === 'embedded') {
    const eventLog = new MemoryEventLog({ dedupWindowMs: config.DEDUP_WINDOW_HOURS * 3_600_000, dedupMaxIds: config.DEDUP_MAX_IDS });
    const deadLetters = new MemoryDeadLetters();
    const store = new MemoryLiveStore({ deadLetters, fraudWeights: fraudWeights(config), rules: ruleThresholds(config), maxUsers: config.EMBEDDED_MAX_USERS });
    return {
      eventLog,
      store,
      deadLetters,
      recordRejected: countRejected,
      startWorkerTasks() {},
      async health() {
        return { eventLog: { kind: eventLog.kind, status: 'ok' }, liveStore: { kind: store.kind, status: 'ok' } };
      },
      async close() {
        await eventLog.close();
      },
    };
  }

  const url = config.REDIS_URL!;
  const keys = redisKeys(config.REDIS_PREFIX);
  const main = openRedis(url, 'main');
  const blocking = openRedis(url, 'stream-reader', { blocking: true });
  const eventLog = new RedisEventLog(main, blocking, keys, {
    dedupWindowSeconds: Math.ceil(config.DEDUP_WINDOW_HOURS * 3600),
    claimIdleMs: config.CLAIM_IDLE_MS,
    readCount: config.LOG_READ_COUNT,
    retainProcessedMs: config.STREAM_RETAIN_MINUTES * 60_000,
  });
  await eventLog.ensureGroup();
  let userStore: UserStore | undefined;
  if (config.USER_STORE === 'dynamodb') {
    const dynamo = new DynamoUserStore({ tableName: config.DYNAMODB_USERS_TABLE, region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
    await dynamo.ensureTable();
    userStore = dynamo;
  } else if (config.USER_STORE === 'redis') {
    userStore = new RedisUserStore(main, config.REDIS_PREFIX);
  }
  // deltas only accumulate when some worker flushes them (they have no expiry of their own)
  const store = new RedisLiveStore(main, keys, {
    fraudWeights: fraudWeights(config),
    rules: ruleThresholds(config),
    consumerName: eventLog.consumerName,
    userDeltas: userStore !== undefined,
  });
  const flusher = userStore ? new UserFlusher(main, userStore, { prefix: config.REDIS_PREFIX, intervalMs: config.USER_FLUSH_INTERVAL_MS, orphanAfterMs: config.USER_FLUSH_ORPHAN_MS }) : undefined;
  const deadLetters = new RedisDeadLetters(main, keys);
  return {
    eventLog,
    store,
    deadLetters,
    userStore,
    startWorkerTasks() {
      flusher?.start();
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
        const groups = (await main.xinfo('GROUPS', keys.log)) as unknown[][];
        const group = groups.map(flat).find((g) => g.name === keys.group);
        const consumers = group ? ((await main.xinfo('CONSUMERS', keys.log, keys.group)) as unknown[][]).map(flat) : [];
        return {
          redis: { kind: 'redis', status: 'ok', latencyMs },
          eventLog: {
            kind: eventLog.kind,
            status: 'ok',
            detail: {
              length: await main.xlen(keys.log),
              pending: Number(group?.pending ?? 0),
              undelivered: group?.lag === null ? null : Number(group?.lag ?? 0),
              consumers: consumers.map((c) => ({ name: c.name, pending: Number(c.pending), idleMs: Number(c.idle) })),
            },
          },
          liveStore: { kind: store.kind, status: 'ok' },
          ...(userStore && flusher
            ? { userStore: { kind: userStore.kind, status: 'ok' as const, detail: { ...flusher.counters, ...(await flusher.pending()) } } }
            : {}),
        };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return { redis: { kind: 'redis', status: 'down', error }, eventLog: { kind: eventLog.kind, status: 'down', error }, liveStore: { kind: store.kind, status: 'down', error } };
      }
    },
    async close() {
      await eventLog.close();
      await flusher?.close();
      await userStore?.close();
      main.disconnect();
      blocking.disconnect();
    },
  };
}

function flat(row: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < row.length; i += 2) out[String(row[i])] = row[i + 1];
  return out;
}
