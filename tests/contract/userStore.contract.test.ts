import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord, UserStore } from '@/server/ports';
import { startDynalite, type RunningDynalite } from '@/server/users/dynalite';
import { DynamoUserStore } from '@/server/users/dynamoUserStore';
import { MemoryUserStore } from '@/server/users/memoryUserStore';

/**
 * The per-user store contract, against every UserStore adapter (in-process, DynamoDB through
 * dynalite): a put is a copy of the live store's record, kept only when its version is newer.
 */
const T = Date.parse('2026-11-25T12:00:00Z');
const s = (seconds: number) => T + seconds * 1000;

function record(userId: string, version: number, r: Partial<UserRecord> = {}): UserRecord {
  return {
    userId,
    version,
    lastActivity: s(version),
    totalEvents: version,
    eventsByType: [['page_view', version]],
    purchaseCount: 0,
    lifetimeValueMinor: 0,
    lastLocation: null,
    recentPurchaseTimes: [],
    ...r,
  };
}

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '💥', 'a\u0000b', 'x'.repeat(2000), 'u:1', '*?[]%'];

let dynamo: RunningDynalite | null = null;
afterAll(() => dynamo?.close());

const subjects: Record<string, () => Promise<UserStore>> = {
  memory: async () => new MemoryUserStore(),
  dynamodb: async () => {
    dynamo ??= await startDynalite();
    // a table per test, so no test sees another's users
    const store = new DynamoUserStore({ tableName: `users-${randomBytes(5).toString('hex')}`, region: 'us-east-1', endpoint: dynamo.endpoint });
    await store.ensureTable();
    return store;
  },
};

describe.each(Object.keys(subjects))('UserStore contract: %s', (kind) => {
  let store: UserStore;
  beforeEach(async () => {
    store = await subjects[kind]();
  });
  afterEach(() => store.close());

  it('stores a new user as the user-analytics record', async () => {
    const r = record('u1', 7, {
      lastActivity: s(120),
      totalEvents: 7,
      eventsByType: [['page_view', 3], ['add_to_cart', 1], ['purchase', 3]],
      purchaseCount: 3,
      lifetimeValueMinor: 22_999,
      lastLocation: { country: 'DE', lat: 52.52, lon: 13.4, at: s(100) },
      recentPurchaseTimes: [s(60), s(120)],
    });
    expect(await store.put(r)).toBe('written');
    expect(await store.get('u1')).toEqual({
      userId: 'u1',
      lastActivity: s(120),
      totalEvents: 7,
      eventsByType: { page_view: 3, add_to_cart: 1, purchase: 3 },
      purchaseCount: 3,
      lifetimeValueMinor: 22_999,
      averagePurchaseMinor: 7666, // 22 999 / 3 = 7666.33
      lastLocation: { country: 'DE', lat: 52.52, lon: 13.4, at: s(100) },
      recentEvents: [],
    });
  });

  it('averages over the purchases valued in the shop currency only', async () => {
    await store.put(record('u1', 1, { purchaseCount: 3, valuedPurchaseCount: 2, lifetimeValueMinor: 3000 }));
    expect(await store.get('u1')).toMatchObject({ purchaseCount: 3, lifetimeValueMinor: 3000, averagePurchaseMinor: 1500 });
  });

  it('has no average purchase before the first purchase, and keeps null location parts', async () => {
    await store.put(record('u1', 1, { lastLocation: { country: null, lat: 1.5, lon: null, at: s(1) } }));
    expect(await store.get('u1')).toMatchObject({ averagePurchaseMinor: null, purchaseCount: 0, lastLocation: { country: null, lat: 1.5, lon: null, at: s(1) } });
  });

  it('refuses the same version and lower ones as stale, changing nothing', async () => {
    expect(await store.put(record('u1', 5))).toBe('written');
    const stored = await store.get('u1');
    // a different record under the same version is still the copy it claims to be
    expect(await store.put(record('u1', 5, { totalEvents: 999, eventsByType: [['refund', 1]] }))).toBe('stale');
    expect(await store.put(record('u1', 4))).toBe('stale');
    expect(await store.put(record('u1', 1))).toBe('stale');
    expect(await store.get('u1')).toEqual(stored);
    expect(stored).toMatchObject({ totalEvents: 5, eventsByType: { page_view: 5 } });
  });

  it('replaces the whole record with a higher version', async () => {
    await store.put(record('u1', 2, { eventsByType: [['page_view', 1], ['wishlist', 1]], lastLocation: { country: 'FR', lat: 48.85, lon: 2.35, at: s(1) } }));
    expect(await store.put(record('u1', 3, { purchaseCount: 1, lifetimeValueMinor: 1001, eventsByType: [['purchase', 3]] }))).toBe('written');
    // nothing of version 2 survives: the record is a state, not a change to add
    expect(await store.get('u1')).toEqual({
      userId: 'u1',
      lastActivity: s(3),
      totalEvents: 3,
      eventsByType: { purchase: 3 },
      purchaseCount: 1,
      lifetimeValueMinor: 1001,
      averagePurchaseMinor: 1001,
      lastLocation: null,
      recentEvents: [],
    });
  });

  it('keeps the highest version whatever order concurrent puts land in', async () => {
    const versions = [4, 9, 1, 7, 10, 2, 8, 3, 6, 5];
    const results = await Promise.all(versions.map((v) => store.put(record('u1', v))));
    expect(results.filter((r) => r === 'written').length).toBeGreaterThanOrEqual(1);
    expect(results[versions.indexOf(10)]).toBe('written');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 10, lastActivity: s(10) });
    expect(await store.put(record('u1', 10))).toBe('stale');
  });

  it('keeps users apart and answers null for a user it never saw', async () => {
    await store.put(record('u1', 3));
    await store.put(record('u2', 1));
    expect(await store.put(record('u2', 2))).toBe('written');
    expect(await store.get('u1')).toMatchObject({ totalEvents: 3 });
    expect(await store.get('u2')).toMatchObject({ totalEvents: 2 });
    expect(await store.get('nobody')).toBeNull();
  });

  it('round-trips hostile user ids exactly', async () => {
    for (const [i, id] of HOSTILE.entries()) expect(await store.put(record(id, i + 1)), id.slice(0, 20)).toBe('written');
    for (const [i, id] of HOSTILE.entries()) {
      const got = await store.get(id);
      expect(got?.userId, id.slice(0, 20)).toBe(id);
      expect(got?.totalEvents, id.slice(0, 20)).toBe(i + 1);
    }
    expect(await store.get('x'.repeat(1999))).toBeNull();
    expect(await store.get('a')).toBeNull();
  });

  it('round-trips hostile event types exactly, as own keys, with nothing inherited', async () => {
    const pairs: [string, number][] = HOSTILE.map((type, i) => [type, i + 1]);
    await store.put(record('u1', 1, { eventsByType: pairs, totalEvents: 45 }));
    const got = await store.get('u1');
    const byType = got!.eventsByType;
    expect(Object.entries(byType).sort()).toEqual([...pairs].sort());
    expect(Object.hasOwn(byType, '__proto__')).toBe(true);
    expect(byType['__proto__']).toBe(1);
    expect(byType.constructor).toBe(2);
    expect(byType.toString).toBe(3);
    // the map did not become something else by being keyed "__proto__"
    expect(Object.getPrototypeOf(byType)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips many event types', async () => {
    const pairs = Array.from({ length: 300 }, (_, i): [string, number] => [`type_${i}`, i + 1]);
    await store.put(record('u1', 1, { eventsByType: pairs, totalEvents: 45_150 }));
    expect(Object.entries((await store.get('u1'))!.eventsByType).sort()).toEqual([...pairs].sort());
  });

  it('is not changed by a caller mutating the record it put or the analytics it got', async () => {
    const r = record('u1', 1, { lastLocation: { country: 'DE', lat: 1, lon: 2, at: s(1) } });
    await store.put(r);
    r.eventsByType[0][1] = 99;
    r.lastLocation!.country = 'FR';
    const got = await store.get('u1');
    got!.eventsByType.page_view = 42;
    expect(await store.get('u1')).toMatchObject({ eventsByType: { page_view: 1 }, lastLocation: { country: 'DE' } });
  });
});

describe('DynamoUserStore', () => {
  beforeAll(async () => {
    dynamo ??= await startDynalite();
  });

  it('creates a missing table once and accepts it when it exists', async () => {
    const opts = { tableName: `users-${randomBytes(5).toString('hex')}`, region: 'us-east-1', endpoint: dynamo!.endpoint };
    const a = new DynamoUserStore(opts);
    const b = new DynamoUserStore(opts);
    await Promise.all([a.ensureTable(), b.ensureTable()]);
    await a.ensureTable();
    await a.put(record('u1', 1));
    expect(await b.get('u1')).toMatchObject({ totalEvents: 1 });
    await Promise.all([a.close(), b.close()]);
  });
});
