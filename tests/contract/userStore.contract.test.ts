import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDynalite, type RunningDynalite } from '@/server/users/dynalite';
import { DynamoUserStore } from '@/server/users/dynamoUserStore';
import { MemoryUserStore } from '@/server/users/memoryUserStore';
import { RedisUserStore } from '@/server/users/redisUserStore';
import type { UserDelta, UserStore } from '@/server/users/userStore';
import { REDIS_URL } from '../helpers/stores';

/**
 * The per-user store contract: the same hand-computed deltas against every UserStore adapter
 * (in-process, Redis, DynamoDB through dynalite).
 */
const T = Date.parse('2026-11-25T12:00:00Z');
const s = (seconds: number) => T + seconds * 1000;

function delta(userId: string, d: Partial<UserDelta> & { lastActivity: number }): UserDelta {
  return { userId, events: 1, byType: { page_view: 1 }, purchases: 0, revenueCents: 0, location: null, ...d };
}

interface Subject {
  store: UserStore;
  dispose(): Promise<void>;
}

let dynamo: RunningDynalite | null = null;
let redis: Redis | null = null;

const subjects: Record<string, () => Promise<Subject>> = {
  memory: async () => {
    const store = new MemoryUserStore();
    return { store, dispose: () => store.close() };
  },
  redis: async () => {
    redis ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    const r = redis;
    const prefix = `test:${randomBytes(5).toString('hex')}:`;
    const store = new RedisUserStore(r, prefix);
    return {
      store,
      async dispose() {
        await store.close();
        const left = await r.keys(`${prefix}*`);
        if (left.length) await r.del(...left);
      },
    };
  },
  dynamodb: async () => {
    dynamo ??= await startDynalite();
    // a table per test, so no test sees another's users
    const store = new DynamoUserStore({ tableName: `users-${randomBytes(5).toString('hex')}`, region: 'us-east-1', endpoint: dynamo.endpoint });
    await store.ensureTable();
    return { store, dispose: () => store.close() };
  },
};

afterAll(async () => {
  redis?.disconnect();
  await dynamo?.close();
});

describe.each(Object.keys(subjects))('UserStore contract: %s', (kind) => {
  let subject: Subject;
  let store: UserStore;
  beforeEach(async () => {
    subject = await subjects[kind]();
    store = subject.store;
  });
  afterEach(() => subject.dispose());

  it('sums deltas into the user-analytics record', async () => {
    expect(await store.apply(delta('u1', { events: 3, byType: { page_view: 2, add_to_cart: 1 }, lastActivity: s(10), location: { country: 'DE', lat: 52.52, lon: 13.4, at: s(5) } }), 'a')).toBe('applied');
    expect(await store.apply(delta('u1', { events: 2, byType: { page_view: 1, purchase: 1 }, purchases: 1, revenueCents: 12_999, lastActivity: s(60) }), 'b')).toBe('applied');
    expect(await store.apply(delta('u1', { events: 2, byType: { purchase: 2 }, purchases: 2, revenueCents: 10_000, lastActivity: s(120), location: { country: null, lat: null, lon: null, at: s(100) } }), 'c')).toBe('applied');
    await store.apply(delta('u2', { lastActivity: s(1) }), 'a');

    expect(await store.get('u1')).toEqual({
      userId: 'u1',
      lastActivity: s(120),
      totalEvents: 7,
      eventsByType: { page_view: 3, add_to_cart: 1, purchase: 3 },
      purchaseCount: 3,
      lifetimeValueCents: 22_999,
      averagePurchaseCents: 7666, // 22 999 / 3 = 7666.33
      lastLocation: { country: null, lat: null, lon: null, at: s(100) },
    });
    expect(await store.get('u2')).toMatchObject({ totalEvents: 1, eventsByType: { page_view: 1 }, purchaseCount: 0 });
  });

  it('creates a new user with its events by type and no average purchase', async () => {
    // a type counted zero times was not seen and gets no entry
    await store.apply(delta('new', { events: 4, byType: { page_view: 3, 'custom.signup': 1, refund: 0 }, lastActivity: s(30), location: { country: 'FR', lat: 48.85, lon: 2.35, at: s(30) } }), 'only');
    expect(await store.get('new')).toEqual({
      userId: 'new',
      lastActivity: s(30),
      totalEvents: 4,
      eventsByType: { page_view: 3, 'custom.signup': 1 },
      purchaseCount: 0,
      lifetimeValueCents: 0,
      averagePurchaseCents: null,
      lastLocation: { country: 'FR', lat: 48.85, lon: 2.35, at: s(30) },
    });
  });

  it('applies a token a second time as a no-op', async () => {
    const d = delta('u1', { events: 2, byType: { purchase: 2 }, purchases: 2, revenueCents: 5000, lastActivity: s(10), location: { country: 'DE', lat: 1, lon: 2, at: s(10) } });
    expect(await store.apply(d, 'tok-1')).toBe('applied');
    const once = await store.get('u1');
    expect(await store.apply(d, 'tok-1')).toBe('already-applied');
    // even a different delta under the same token is recognised as the retry it claims to be
    expect(await store.apply({ ...d, events: 9, lastActivity: s(99) }, 'tok-1')).toBe('already-applied');
    expect(await store.get('u1')).toEqual(once);
    expect(once).toMatchObject({ totalEvents: 2, purchaseCount: 2, lifetimeValueCents: 5000 });

    // tokens are per user: another user's delta with the same token is applied
    expect(await store.apply({ ...d, userId: 'u2' }, 'tok-1')).toBe('applied');
    expect(await store.apply(d, 'tok-2')).toBe('applied');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 4, purchaseCount: 4, lifetimeValueCents: 10_000, averagePurchaseCents: 2500 });
  });

  it('keeps the latest activity and the newest location when deltas arrive out of order', async () => {
    await store.apply(delta('u1', { lastActivity: s(100), location: { country: 'FR', lat: 48.85, lon: 2.35, at: s(90) } }), 'a');
    await store.apply(delta('u1', { lastActivity: s(50), location: { country: 'DE', lat: 52.52, lon: 13.4, at: s(40) } }), 'b');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 2, lastActivity: s(100), lastLocation: { country: 'FR', at: s(90) } });

    // newer activity, older location: only the activity moves
    await store.apply(delta('u1', { lastActivity: s(200), location: { country: 'US', lat: 40.7, lon: -74, at: s(10) } }), 'c');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 3, lastActivity: s(200), lastLocation: { country: 'FR', lat: 48.85, lon: 2.35, at: s(90) } });

    // older activity, newer location: only the location moves
    await store.apply(delta('u1', { lastActivity: s(150), location: { country: 'ES', lat: 40.4, lon: -3.7, at: s(150) } }), 'd');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 4, lastActivity: s(200), lastLocation: { country: 'ES', lat: 40.4, lon: -3.7, at: s(150) } });

    // on a tie the later delta wins, as in the live store
    await store.apply(delta('u1', { lastActivity: s(150), location: { country: 'PT', lat: null, lon: null, at: s(150) } }), 'e');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 5, lastActivity: s(200), lastLocation: { country: 'PT', lat: null, lon: null, at: s(150) } });
  });

  it('answers null for a user it never saw', async () => {
    await store.apply(delta('u1', { lastActivity: s(1) }), 'a');
    expect(await store.get('nobody')).toBeNull();
  });

  it('counts a delta with very many event types, once', async () => {
    const byType = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`type_${i}`, i + 1]));
    const d = delta('u1', { events: 150 * 151 / 2, byType, lastActivity: s(5) });
    expect(await store.apply(d, 'many')).toBe('applied');
    expect(await store.apply(d, 'many')).toBe('already-applied');
    const got = await store.get('u1');
    expect(got?.eventsByType).toEqual(byType);
    expect(got?.totalEvents).toBe(11_325);
  });

  it('rejects a delta it cannot store faithfully, writing nothing', async () => {
    await expect(store.apply(delta('u1', { revenueCents: 10.5, lastActivity: s(1) }), 'x')).rejects.toThrow(/revenueCents/);
    await expect(store.apply(delta('u1', { byType: { page_view: -1 }, lastActivity: s(1) }), 'y')).rejects.toThrow(/byType.page_view/);
    expect(await store.get('u1')).toBeNull();
  });
});

describe('DynamoUserStore.ensureTable', () => {
  beforeAll(async () => {
    dynamo ??= await startDynalite();
  });

  it('creates a missing table once and accepts it when it exists', async () => {
    const opts = { tableName: `users-${randomBytes(5).toString('hex')}`, region: 'us-east-1', endpoint: dynamo!.endpoint };
    const a = new DynamoUserStore(opts);
    const b = new DynamoUserStore(opts);
    await Promise.all([a.ensureTable(), b.ensureTable()]);
    await a.ensureTable();
    await a.apply(delta('u1', { lastActivity: s(1) }), 't');
    expect(await b.get('u1')).toMatchObject({ totalEvents: 1 });
    await Promise.all([a.close(), b.close()]);
  });
});
