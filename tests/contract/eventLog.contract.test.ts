import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '@/server/adapters/memory/memoryEventLog';
import { redisKeys } from '@/server/adapters/redis/redisClient';
import { RedisEventLog } from '@/server/adapters/redis/redisEventLog';
import type { EventLog, LogBatch, LogEntry } from '@/server/ports';
import { ev } from '../helpers/events';
import { REDIS_URL, STORE_KINDS, type StoreKind } from '../helpers/stores';

/** The event-log contract, against the in-process and the Redis-stream adapters. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function makeLog(kind: StoreKind): Promise<EventLog> {
  if (kind === 'memory') {
    const log = new MemoryEventLog({ dedupWindowMs: 60_000, dedupMaxIds: 1000 });
    cleanups.push(() => log.close());
    return log;
  }
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  const redis = new Redis(REDIS_URL);
  const blocking = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const log = new RedisEventLog(redis, blocking, redisKeys(prefix), { dedupWindowSeconds: 60, claimIdleMs: 300, readCount: 10, retainProcessedMs: 0 });
  await log.ensureGroup();
  cleanups.push(async () => {
    await log.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return log;
}

function collect(log: EventLog, handler?: (entry: LogEntry, batch: LogBatch) => Promise<void>) {
  const seen: LogEntry[] = [];
  log.consume(async (batch) => {
    for (const entry of batch.entries) {
      if (handler) await handler(entry, batch);
      seen.push(entry);
    }
    await log.ack(batch.entries.map((e) => e.id));
  });
  return seen;
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const T = Date.parse('2026-11-25T12:00:00Z');

describe.each(STORE_KINDS)('EventLog contract: %s', (kind) => {
  it('accepts new events, refuses repeated client ids, and never deduplicates server ids', async () => {
    const log = await makeLog(kind);
    const a = ev({ ts: T, userId: 'u', type: 'page_view' });
    const server = ev({ ts: T, userId: 'u', type: 'page_view', clientId: false });
    expect((await log.append([a, server])).accepted).toEqual([true, true]);
    expect((await log.append([a, { ...server }, { ...a }])).accepted).toEqual([false, true, false]);
  });

  it('refuses a whole append that would take the backlog past its bound, and stores none of it', async () => {
    const log = await makeLog(kind);
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ev({ ts: T, userId: `b${i}`, type: 'page_view' }));
    expect((await log.append(batch(3), { maxBacklog: 5 })).accepted).toEqual([true, true, true]);
    expect(await log.append(batch(3), { maxBacklog: 5 })).toEqual({ accepted: [], backpressure: true });
    expect(await log.backlog()).toBe(3);
    expect((await log.append(batch(2), { maxBacklog: 5 })).accepted).toEqual([true, true]);
  });

  it('delivers every accepted event once, in order, and the backlog drains to zero', async () => {
    const log = await makeLog(kind);
    const events = Array.from({ length: 50 }, (_, i) => ev({ ts: T + i, userId: `u${i}`, type: 'page_view' }));
    for (let i = 0; i < 50; i += 10) await log.append(events.slice(i, i + 10));
    expect(await log.backlog()).toBeGreaterThan(0);
    const seen = collect(log);
    await until(() => seen.flatMap((e) => e.records).length === 50);
    expect(seen.flatMap((e) => e.records.map((r) => r.event.eventId))).toEqual(events.map((e) => e.eventId));
    expect(seen.every((e) => e.deliveries === 1)).toBe(true);
    // the memory log counts delivered-and-acknowledged; Redis counts what the live store applied
    if (kind === 'memory') expect(await log.backlog()).toBe(0);
  });

  it('delivers a batch again, with a higher delivery count, when its consumer fails', async () => {
    const log = await makeLog(kind);
    await log.append([ev({ ts: T, userId: 'x', type: 'page_view' })]);
    let failures = 0;
    const seen = collect(log, async (entry) => {
      if (entry.deliveries < 3) {
        failures++;
        throw new Error('simulated failure');
      }
    });
    await until(() => seen.length === 1, 8000);
    expect(failures).toBe(2);
    expect(seen[0].deliveries).toBe(3);
  });
});

describe('Redis event log specifics', () => {
  it('lets another consumer take over the entries of one that died, within seconds', async () => {
    const prefix = `test:${randomBytes(5).toString('hex')}:`;
    const keys = redisKeys(prefix);
    const redis = new Redis(REDIS_URL);
    const mk = () => new RedisEventLog(redis, new Redis(REDIS_URL, { maxRetriesPerRequest: null }), keys, { dedupWindowSeconds: 60, claimIdleMs: 500, readCount: 10, retainProcessedMs: 0 });
    const dead = mk();
    const alive = mk();
    try {
      await dead.ensureGroup();
      await dead.append([ev({ ts: T, userId: 'a', type: 'page_view' }), ev({ ts: T, userId: 'b', type: 'page_view' })]);
      // the first consumer reads the entry and dies without acknowledging it
      await redis.xreadgroup('GROUP', keys.group, dead.consumerName, 'COUNT', 10, 'STREAMS', keys.log, '>');
      const started = Date.now();
      const seen = collect(alive);
      await until(() => seen.length === 1, 5000);
      expect(Date.now() - started).toBeLessThan(5000); // claim time 0.5 s: within seconds
      expect(seen[0]).toMatchObject({ deliveries: 2 });
      expect(seen[0].records.map((r) => r.event.userId)).toEqual(['a', 'b']);
      const pending = (await redis.xpending(keys.log, keys.group)) as [number];
      expect(pending[0]).toBe(0);
    } finally {
      await alive.close();
      await dead.close();
      const left = await redis.keys(`${prefix}*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
    }
  });

  it('trims processed entries but never one that a group has not acknowledged or received', async () => {
    const prefix = `test:${randomBytes(5).toString('hex')}:`;
    const keys = redisKeys(prefix);
    const redis = new Redis(REDIS_URL);
    const log = new RedisEventLog(redis, new Redis(REDIS_URL, { maxRetriesPerRequest: null }), keys, { dedupWindowSeconds: 60, claimIdleMs: 60_000, readCount: 2, retainProcessedMs: 0 });
    try {
      await log.ensureGroup();
      await redis.xgroup('CREATE', keys.log, 'lagging-group', '0');
      for (let i = 0; i < 6; i++) await log.append([ev({ ts: T, userId: `u${i}`, type: 'page_view' })]);
      // workers: read 4, acknowledge 2, leave 2 pending; the second group has read nothing
      const read = (await redis.xreadgroup('GROUP', keys.group, 'c1', 'COUNT', 4, 'STREAMS', keys.log, '>')) as [string, [string, string[]][]][];
      const ids = read[0][1].map((e) => e[0]);
      await redis.xack(keys.log, keys.group, ids[0], ids[1]);
      await log.trim();
      expect(await redis.xlen(keys.log)).toBe(6); // the lagging group holds everything
      await redis.xgroup('DESTROY', keys.log, 'lagging-group');
      await log.trim();
      expect(await redis.xlen(keys.log)).toBe(4); // from the oldest pending entry on
      const left = (await redis.xrange(keys.log, '-', '+')) as [string, string[]][];
      expect(left[0][0]).toBe(ids[2]);
    } finally {
      await log.close();
      const left = await redis.keys(`${prefix}*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
    }
  });
});
