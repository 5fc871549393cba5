import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import { redisKeys, type RedisKeys } from '@/server/adapters/redis/keys';
import { log } from '@/server/log';
import type { UserRecord, UserStore } from '@/server/ports';
import { addEventToUser, cloneUserRecord, newUserRecord, toUserAnalytics } from '@/server/pipeline/userRecords';
import { startDynalite, type RunningDynalite } from '@/server/users/dynalite';
import { DynamoUserStore } from '@/server/users/dynamoUserStore';
import { MemoryUserStore } from '@/server/users/memoryUserStore';
import { UserFlusher } from '@/server/users/userFlusher';
import { ev } from '../helpers/events';
import { REDIS_URL } from '../helpers/stores';

/**
 * The flusher against real Redis and a real store: per-user records are written to Redis the
 * way the Redis live store writes them (record JSON and the dirty entry, atomically, on every
 * apply), and the store must end up with exactly the newest record of every user, whatever
 * failed or changed in between.
 */
const T = Date.parse('2026-11-25T12:00:00Z');
const s = (seconds: number) => T + seconds * 1000;

/** the live store's side: the one per-user merge, then SET record + ZADD dirty in one MULTI */
class LiveUsers {
  readonly records = new Map<string, UserRecord>();
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** one delivery: each user it touches gets one new version */
  async apply(events: PulseEvent[]): Promise<void> {
    const touched = new Map<string, UserRecord>();
    for (const e of events) {
      const r = touched.get(e.userId) ?? cloneUserRecord(this.records.get(e.userId) ?? newUserRecord(e.userId));
      addEventToUser(r, e, e.amountMinor);
      touched.set(e.userId, r);
    }
    const tx = this.redis.multi();
    for (const r of touched.values()) {
      r.version++;
      this.records.set(r.userId, r);
      tx.set(this.keys.user(r.userId), JSON.stringify(r)).zadd(this.keys.usersDirty, r.version, r.userId);
    }
    await tx.exec();
  }

  /** what a screen reading the live store would show for the user */
  analytics(userId: string) {
    const r = this.records.get(userId);
    return r ? toUserAnalytics(r) : null;
  }
}

const HOSTILE = ['__proto__', 'constructor', '💥', 'a\u0000b', 'x'.repeat(2000)];

const firstRound = (): PulseEvent[] => [
  ev({ ts: s(10), userId: 'u1', type: 'page_view', location: { country: 'DE', lat: 52.52, lon: 13.4 } }),
  ev({ ts: s(20), userId: 'u1', type: 'add_to_cart', productId: 'p1' }),
  ev({ ts: s(30), userId: 'u1', type: 'purchase', amountMinor: 12_999, location: { country: 'FR', lat: 48.85, lon: 2.35 } }),
  ev({ ts: s(5), userId: 'u1', type: 'page_view' }), // late
  ev({ ts: s(40), userId: 'u2', type: 'purchase', amountMinor: 5000 }),
  ev({ ts: s(41), userId: 'u2', type: 'wishlist' }),
  ...HOSTILE.map((userId, i) => ev({ ts: s(50 + i), userId, type: HOSTILE[(i + 1) % HOSTILE.length] })),
];
const USERS = ['u1', 'u2', ...HOSTILE];

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

/** a store that runs `before` ahead of each put (to fail it, or to change the user meanwhile) */
function wrapped(store: UserStore, before: (r: UserRecord) => Promise<void>): UserStore {
  return { kind: store.kind, put: async (r) => (await before(r), store.put(r)), get: (u) => store.get(u), close: () => store.close() };
}

describe.each(Object.keys(stores))('UserFlusher into %s', (kind) => {
  let redis: Redis;
  let keys: RedisKeys;
  let live: LiveUsers;
  let store: UserStore;
  let warn: ReturnType<typeof vi.spyOn>;
  const flusherFor = (s: UserStore, batchSize?: number) => new UserFlusher(redis, s, { keys, intervalMs: 20, batchSize });
  const dirty = async () => (await redis.zrange(keys.usersDirty, 0, -1, 'WITHSCORES'));
  const expectStoreMatchesLive = async (users = USERS) => {
    for (const u of users) expect(await store.get(u), u.slice(0, 20)).toEqual(live.analytics(u));
  };

  beforeEach(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    keys = redisKeys(`test:${randomBytes(5).toString('hex')}:`);
    live = new LiveUsers(redis, keys);
    store = await stores[kind]();
    warn = vi.spyOn(log, 'warn').mockImplementation(() => {});
  });
  afterEach(async () => {
    warn.mockRestore();
    await store.close();
    const left = await redis.keys(`${keys.prefix}*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });

  it('copies every dirty user’s newest record exactly and empties the dirty set', async () => {
    await live.apply(firstRound());
    await live.apply([ev({ ts: s(60), userId: 'u1', type: 'purchase', amountMinor: 1001 })]);
    const flusher = flusherFor(store);
    expect(await flusher.pending()).toEqual({ dirtyUsers: USERS.length });
    expect(await flusher.flushOnce()).toEqual({ taken: USERS.length, copied: USERS.length, stale: 0, failed: 0, dropped: 0, removed: USERS.length });

    const u1 = await store.get('u1');
    expect(u1).toEqual({
      userId: 'u1',
      lastActivity: s(60),
      totalEvents: 5,
      eventsByType: { page_view: 2, add_to_cart: 1, purchase: 2 },
      purchaseCount: 2,
      lifetimeValueMinor: 14_000,
      averagePurchaseMinor: 7000,
      lastLocation: { country: 'FR', lat: 48.85, lon: 2.35, at: s(30) },
      // recent events live beside the record in the live store, not in the per-user table
      recentEvents: [],
    });
    expect(Object.hasOwn((await store.get('x'.repeat(2000)))!.eventsByType, '__proto__')).toBe(true);
    await expectStoreMatchesLive();
    expect(await dirty()).toEqual([]);
    expect(await flusher.flushOnce()).toMatchObject({ taken: 0 });
    expect(flusher.counters).toEqual({ copied: USERS.length, stale: 0, failed: 0, dropped: 0 });
    await flusher.close();
  });

  it('copies a user again after it changes', async () => {
    const flusher = flusherFor(store);
    await live.apply(firstRound());
    await flusher.flushOnce();
    await live.apply([ev({ ts: s(90), userId: 'u2', type: 'page_view', location: { country: 'ES', lat: 40.4, lon: -3.7 } })]);
    expect(await flusher.flushOnce()).toMatchObject({ taken: 1, copied: 1 });
    expect(await store.get('u2')).toMatchObject({ totalEvents: 3, lastActivity: s(90), lastLocation: { country: 'ES' } });
    await expectStoreMatchesLive();
  });

  it('leaves a user that changed during the round dirty, and copies the newer record next round', async () => {
    await live.apply(firstRound());
    let changed = false;
    // between the read and the removal, u1 gets a new event (the live store raises its score)
    const racing = wrapped(store, async (r) => {
      if (r.userId !== 'u1' || changed) return;
      changed = true;
      await live.apply([ev({ ts: s(70), userId: 'u1', type: 'purchase', amountMinor: 1 })]);
    });
    const flusher = flusherFor(racing);
    expect(await flusher.flushOnce()).toMatchObject({ taken: USERS.length, copied: USERS.length, removed: USERS.length - 1 });
    expect(await dirty()).toEqual(['u1', '2']);
    expect(await store.get('u1')).toMatchObject({ totalEvents: 4, purchaseCount: 1 }); // the version it read

    expect(await flusher.flushOnce()).toMatchObject({ taken: 1, copied: 1, removed: 1 });
    expect(await store.get('u1')).toMatchObject({ totalEvents: 5, purchaseCount: 2, lifetimeValueMinor: 13_000 });
    await expectStoreMatchesLive();
    expect(await dirty()).toEqual([]);
  });

  it('retries a put that failed in the next round, and the others are not held back', async () => {
    await live.apply(firstRound());
    let failures = 1;
    const flaky = wrapped(store, async (r) => {
      if (r.userId === 'u2' && failures-- > 0) throw new Error('connect ECONNREFUSED');
    });
    const flusher = flusherFor(flaky);
    expect(await flusher.flushOnce()).toMatchObject({ copied: USERS.length - 1, failed: 1, removed: USERS.length - 1 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('stay dirty'), expect.objectContaining({ failed: 1, first: { user: 'u2', error: 'connect ECONNREFUSED' } }));
    expect(await store.get('u2')).toBeNull();
    expect(await dirty()).toEqual(['u2', '1']);

    expect(await flusher.flushOnce()).toMatchObject({ taken: 1, copied: 1, failed: 0 });
    await expectStoreMatchesLive();
    expect(flusher.counters).toEqual({ copied: USERS.length, stale: 0, failed: 1, dropped: 0 });
  });

  it('after a crash between the put and the removal, the next round finds the copy stale and removes it', async () => {
    await live.apply(firstRound().filter((e) => e.userId === 'u1'));
    // a flusher that dies after its put reached the store: the entry is still dirty
    await store.put(live.records.get('u1')!);
    const next = flusherFor(store);
    expect(await next.flushOnce()).toEqual({ taken: 1, copied: 0, stale: 1, failed: 0, dropped: 0, removed: 1 });
    await expectStoreMatchesLive(['u1']);
    expect(await dirty()).toEqual([]);
  });

  it('drops unreadable and missing records with a warning and copies the others', async () => {
    await live.apply(firstRound());
    await redis
      .multi()
      .set(keys.user('broken'), '{"userId":"broken","vers')
      .zadd(keys.usersDirty, 3, 'broken')
      .set(keys.user('fraction'), JSON.stringify({ ...newUserRecord('fraction'), version: 1, lastActivity: s(1), totalEvents: 1.5 }))
      .zadd(keys.usersDirty, 1, 'fraction')
      .zadd(keys.usersDirty, 2, 'gone')
      .exec();
    const flusher = flusherFor(store);
    expect(await flusher.flushOnce()).toMatchObject({ taken: USERS.length + 3, copied: USERS.length, dropped: 3, removed: USERS.length + 3 });
    await expectStoreMatchesLive();
    expect(await store.get('broken')).toBeNull();
    expect(await store.get('fraction')).toBeNull();
    expect(await dirty()).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('dropped'), expect.objectContaining({ dropped: 3 }));
    const reasons = JSON.stringify(warn.mock.calls);
    expect(reasons).toMatch(/fraction|broken|gone/);
    expect(flusher.counters.dropped).toBe(3);
  });

  it('two flushers on the same dirty set, with users changing meanwhile, end with the newest of everyone', async () => {
    await live.apply(firstRound());
    const a = flusherFor(store, 3);
    const b = flusherFor(store, 3);
    for (let i = 0; i < 5; i++) {
      await Promise.all([
        a.flushOnce(),
        b.flushOnce(),
        live.apply([ev({ ts: s(100 + i), userId: USERS[i % USERS.length], type: 'page_view' }), ev({ ts: s(100 + i), userId: 'u1', type: 'purchase', amountMinor: 100 })]),
      ]);
    }
    while ((await redis.zcard(keys.usersDirty)) > 0) await Promise.all([a.flushOnce(), b.flushOnce()]);
    await expectStoreMatchesLive();
    expect(await store.get('u1')).toMatchObject({ purchaseCount: 6, lifetimeValueMinor: 13_499 });
  });

  it('runs on its own until closed; close() finishes the round and can be called twice', async () => {
    const puts: string[] = [];
    const flusher = flusherFor(wrapped(store, async (r) => void puts.push(r.userId)), 4);
    flusher.start();
    flusher.start();
    await live.apply(firstRound());
    await until(async () => (await redis.zcard(keys.usersDirty)) === 0, 'the loop did not flush');
    await expectStoreMatchesLive();
    await Promise.all([flusher.close(), flusher.close()]);

    const before = puts.length;
    await live.apply([ev({ ts: s(200), userId: 'u1', type: 'page_view' })]);
    await new Promise((r) => setTimeout(r, 100));
    expect(puts.length).toBe(before);
    expect(await dirty()).toEqual(['u1', '2']);
  });

  it('close() waits for the round in flight to finish its puts and removals', async () => {
    await live.apply(firstRound().filter((e) => e.userId === 'u1'));
    let started!: () => void;
    const putStarted = new Promise<void>((r) => (started = r));
    const slow = wrapped(store, async () => {
      started();
      await new Promise((r) => setTimeout(r, 150));
    });
    const flusher = flusherFor(slow);
    flusher.start();
    await putStarted;
    await flusher.close();
    expect(await store.get('u1')).toEqual(live.analytics('u1'));
    expect(await dirty()).toEqual([]);
  });
});

async function until(check: () => Promise<boolean>, message: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 10));
  }
}
