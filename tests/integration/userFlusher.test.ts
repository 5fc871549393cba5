import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import { redisKeys } from '@/server/adapters/redis/redisClient';
import { RedisEventLog } from '@/server/adapters/redis/redisEventLog';
import { RedisLiveStore } from '@/server/adapters/redis/redisLiveStore';
import { log } from '@/server/log';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import { startDynalite, type RunningDynalite } from '@/server/users/dynalite';
import { DynamoUserStore } from '@/server/users/dynamoUserStore';
import { MemoryUserStore } from '@/server/users/memoryUserStore';
import { deltaFromHash, UserFlusher } from '@/server/users/userFlusher';
import type { UserDelta, UserStore } from '@/server/users/userStore';
import { ev } from '../helpers/events';
import { REDIS_URL, rules } from '../helpers/stores';

/**
 * The flusher against real Redis: events go through the Redis event log and live store with
 * per-user deltas on, the flusher moves the deltas into a user store, and the user store must
 * then agree with the live store's own per-user record, whatever crashed in between.
 */
const NOW = Date.parse('2026-11-25T12:30:30Z');
const s = (seconds: number) => NOW - 600_000 + seconds * 1000;
const USERS = ['u1', 'u2', 'u3'];

const firstRound = (): PulseEvent[] => [
  ev({ ts: s(10), userId: 'u1', type: 'page_view', page: '/', location: { country: 'DE', lat: 52.52, lon: 13.4 } }),
  ev({ ts: s(20), userId: 'u1', type: 'add_to_cart', productId: 'p1' }),
  ev({ ts: s(30), userId: 'u1', type: 'purchase', amountCents: 12_999, location: { country: 'FR', lat: 48.85, lon: 2.35 } }),
  ev({ ts: s(5), userId: 'u1', type: 'page_view', page: '/late', location: { country: 'US', lat: 40.7, lon: -74 } }), // late
  ev({ ts: s(40), userId: 'u2', type: 'purchase', amountCents: 5000 }),
  ev({ ts: s(41), userId: 'u2', type: 'wishlist' }),
  ev({ ts: s(50), userId: 'u3', type: 'page_view', location: { country: null, lat: 1.5, lon: null } }),
];

/** the live pipeline in Redis with per-user deltas, on its own key prefix */
async function livePipeline() {
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  const keys = redisKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const blocking = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const eventLog = new RedisEventLog(redis, blocking, keys, { dedupWindowSeconds: 3600, claimIdleMs: 1000, readCount: 64, retainProcessedMs: 0 });
  await eventLog.ensureGroup();
  const live = new RedisLiveStore(redis, keys, { fraudWeights: DEFAULT_FRAUD_WEIGHTS, rules, consumerName: eventLog.consumerName, userDeltas: true });
  eventLog.consume(async (batch) => {
    await live.apply(batch, NOW, 3);
  });
  return {
    prefix,
    redis,
    live,
    async process(events: PulseEvent[]) {
      await eventLog.append(events);
      await until(async () => (await eventLog.backlog()) === 0, 'events were not processed in time');
    },
    /** the store holds exactly what the live store counted for every user */
    async expectStoreMatchesLive(store: UserStore, users = USERS) {
      for (const u of users) expect(await store.get(u), u).toEqual(await live.userAnalytics(u));
    },
    async keysLeft(pattern: string) {
      return (await redis.keys(`${prefix}${pattern}`)).map((k) => k.slice(prefix.length)).sort();
    },
    async close() {
      await eventLog.close();
      const left = await redis.keys(`${prefix}*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
    },
  };
}

async function until(check: () => Promise<boolean>, message: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** a store whose writes fail, as when DynamoDB is unreachable */
const unreachable = (kind = 'unreachable'): UserStore => ({
  kind,
  apply: async () => {
    throw new Error('connect ECONNREFUSED');
  },
  get: async () => null,
  close: async () => {},
});

let dynamo: RunningDynalite | null = null;
afterAll(() => dynamo?.close());

const stores: Record<string, () => Promise<UserStore>> = {
  memory: async () => new MemoryUserStore(),
  dynamodb: async () => {
    dynamo ??= await startDynalite();
    const store = new DynamoUserStore({ tableName: `users-${randomBytes(5).toString('hex')}`, region: 'us-east-1', endpoint: dynamo.endpoint });
    await store.ensureTable();
    return store;
  },
};

let p: Awaited<ReturnType<typeof livePipeline>>;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(async () => {
  p = await livePipeline();
  warn = vi.spyOn(log, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  warn.mockRestore();
  await p.close();
});

describe.each(Object.keys(stores))('UserFlusher into %s', (kind) => {
  let store: UserStore;
  beforeEach(async () => {
    store = await stores[kind]();
  });
  afterEach(() => store.close());

  it('moves the accumulated deltas into the store and forgets them', async () => {
    await p.process(firstRound());
    const flusher = new UserFlusher(p.redis, store, { prefix: p.prefix });
    expect(await flusher.flushOnce()).toBe(3);

    expect(await store.get('u1')).toEqual({
      userId: 'u1',
      lastActivity: s(30),
      totalEvents: 4,
      eventsByType: { page_view: 2, add_to_cart: 1, purchase: 1 },
      purchaseCount: 1,
      lifetimeValueCents: 12_999,
      averagePurchaseCents: 12_999,
      lastLocation: { country: 'FR', lat: 48.85, lon: 2.35, at: s(30) },
    });
    expect(await store.get('u3')).toMatchObject({ lastLocation: { country: null, lat: 1.5, lon: null, at: s(50) } });
    await p.expectStoreMatchesLive(store);
    expect(await p.keysLeft('ud*')).toEqual([]);
    expect(await flusher.flushOnce()).toBe(0);
    expect(flusher.counters).toEqual({ flushed: 3, alreadyApplied: 0, failed: 0 });
    await flusher.close();
  });

  it('adds later deltas to what it flushed before', async () => {
    const flusher = new UserFlusher(p.redis, store, { prefix: p.prefix });
    await p.process(firstRound());
    await flusher.flushOnce();
    await p.process([
      ev({ ts: s(90), userId: 'u1', type: 'purchase', amountCents: 1001, location: { country: 'ES', lat: 40.4, lon: -3.7 } }),
      ev({ ts: s(1), userId: 'u1', type: 'page_view' }),
    ]);
    expect(await flusher.flushOnce()).toBe(1);
    expect(await store.get('u1')).toMatchObject({ totalEvents: 6, purchaseCount: 2, lifetimeValueCents: 14_000, averagePurchaseCents: 7000, lastActivity: s(90) });
    await p.expectStoreMatchesLive(store);
    await flusher.close();
  });

  it('after a crash, a second flusher retries the delta and the store counts it once', async () => {
    await p.process(firstRound().filter((e) => e.userId === 'u1'));
    // the first flusher takes the delta and dies before completing it
    const first = new UserFlusher(p.redis, unreachable(), { prefix: p.prefix });
    expect(await first.flushOnce()).toBe(0);
    expect(await p.keysLeft('ud*')).toEqual(['ud:inflight', 'udi:u1']);

    // ... but its write had reached the store: apply the in-flight delta with its own token
    const held = await p.redis.hgetall(`${p.prefix}udi:u1`);
    expect(await store.apply(deltaFromHash('u1', held), held.token)).toBe('applied');

    // a flusher that does not consider it orphaned yet leaves it alone
    expect(await new UserFlusher(p.redis, store, { prefix: p.prefix }).flushOnce()).toBe(0);

    const second = new UserFlusher(p.redis, store, { prefix: p.prefix, orphanAfterMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(await second.flushOnce()).toBe(1);
    expect(second.counters).toEqual({ flushed: 1, alreadyApplied: 1, failed: 0 });
    await p.expectStoreMatchesLive(store, ['u1']);
    expect(await store.get('u1')).toMatchObject({ totalEvents: 4, purchaseCount: 1 });
    expect(await p.keysLeft('ud*')).toEqual([]);
  });
});

describe('UserFlusher with a failing store', () => {
  it('keeps the delta in flight, holds the user’s newer deltas back, then delivers both in order', async () => {
    const store = new MemoryUserStore();
    await p.process(firstRound().filter((e) => e.userId === 'u1'));
    const failing = new UserFlusher(p.redis, unreachable(), { prefix: p.prefix });
    expect(await failing.flushOnce()).toBe(0);
    expect(failing.counters.failed).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('stay in flight'), expect.objectContaining({ failed: 1, store: 'unreachable' }));

    // new events for the same user while the first delta is in flight
    await p.process([ev({ ts: s(100), userId: 'u1', type: 'purchase', amountCents: 1 }), ev({ ts: s(101), userId: 'u2', type: 'page_view' })]);
    const patient = new UserFlusher(p.redis, store, { prefix: p.prefix });
    expect(await patient.flushOnce()).toBe(1); // u2 only: u1's newer delta waits
    expect(await store.get('u1')).toBeNull();
    expect(await p.keysLeft('ud*')).toEqual(['ud:dirty', 'ud:inflight', 'ud:u1', 'udi:u1']);

    const recovering = new UserFlusher(p.redis, store, { prefix: p.prefix, orphanAfterMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(await recovering.flushOnce()).toBe(1); // the orphan; the newer delta still waits for it
    expect(await store.get('u1')).toMatchObject({ totalEvents: 4, purchaseCount: 1 });
    expect(await recovering.flushOnce()).toBe(1);
    await p.expectStoreMatchesLive(store, ['u1', 'u2']);
    expect(await store.get('u1')).toMatchObject({ totalEvents: 5, purchaseCount: 2, lastActivity: s(100) });
    expect(await p.keysLeft('ud*')).toEqual([]);
  });
});

describe('UserFlusher loop', () => {
  it('flushes on its own until closed; close() waits and can be called twice', async () => {
    const store = new MemoryUserStore();
    const applied: UserDelta[] = [];
    const spying: UserStore = { ...store, kind: 'spy', get: (u) => store.get(u), close: () => store.close(), apply: (d, t) => (applied.push(d), store.apply(d, t)) };
    const flusher = new UserFlusher(p.redis, spying, { prefix: p.prefix, intervalMs: 20 });
    flusher.start();
    flusher.start();
    await p.process(firstRound());
    await until(async () => (await store.get('u3')) !== null && (await store.get('u1')) !== null && (await store.get('u2')) !== null, 'the loop did not flush');
    await p.expectStoreMatchesLive(store);
    await Promise.all([flusher.close(), flusher.close()]);

    const before = applied.length;
    await p.process([ev({ ts: s(200), userId: 'u1', type: 'page_view' })]);
    await new Promise((r) => setTimeout(r, 100));
    expect(applied.length).toBe(before);
    expect(await p.keysLeft('ud*')).toEqual(['ud:dirty', 'ud:u1']);
  });

  it('reports pending work for health', async () => {
    await p.process(firstRound());
    const flusher = new UserFlusher(p.redis, unreachable(), { prefix: p.prefix, batchSize: 2 });
    expect(await flusher.pending()).toEqual({ dirtyUsers: 3, inFlight: 0 });
    await flusher.flushOnce();
    expect(await flusher.pending()).toEqual({ dirtyUsers: 1, inFlight: 2 });
  });
});

describe('deltaFromHash', () => {
  it('refuses a malformed delta rather than writing a wrong one', () => {
    expect(() => deltaFromHash('u1', { ev: '2', last: 'soon' })).toThrow(/last/);
    expect(deltaFromHash('u1', { ev: '2', 't:page_view': '2', last: '5', loc_at: '4', lc: '', lat: '', lon: '7.5' })).toEqual({
      userId: 'u1',
      events: 2,
      byType: { page_view: 2 },
      purchases: 0,
      revenueCents: 0,
      lastActivity: 5,
      location: { country: null, lat: null, lon: 7.5, at: 4 },
    });
  });
});
