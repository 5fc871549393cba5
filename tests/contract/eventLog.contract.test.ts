import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import { MemoryEventLog } from '@/server/adapters/memory/memoryEventLog';
import { encodeEvent } from '@/server/adapters/redis/entryCodec';
import { redisKeys, type RedisKeys } from '@/server/adapters/redis/keys';
import { RedisEventLog } from '@/server/adapters/redis/redisEventLog';
import { LeaseBalancer } from '@/server/log/leaseBalancer';
import { partitionOf } from '@/server/log/partition';
import type { EventLog, Lease, LogEntry, PartitionLeases } from '@/server/ports';
import { ev } from '../helpers/events';
import { REDIS_URL, cleanupPrefix, randomPrefix } from '../helpers/redis';
import { until } from '../helpers/wait';

/** The event-log and partition-lease contract, against the in-process and the Redis adapters. */
const KINDS = ['memory', 'redis'] as const;
type Kind = (typeof KINDS)[number];
const T = Date.parse('2026-11-25T12:00:00Z');
const LEASE_MS = 300;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Made {
  log: EventLog;
  /** accepted / duplicates as the log counts them */
  stats(): Promise<{ accepted: number; duplicates: number }>;
  redis?: Redis;
  keys?: RedisKeys;
}

async function makeLog(kind: Kind, opts: { partitions?: number; retainProcessedMs?: number } = {}): Promise<Made> {
  const partitions = opts.partitions ?? 4;
  if (kind === 'memory') {
    const log = new MemoryEventLog({ partitions, dedupWindowMs: 60_000, dedupMaxIds: 10_000, leaseMs: LEASE_MS });
    cleanups.push(() => log.close());
    return { log, stats: async () => ({ ...log.counters }) };
  }
  const prefix = randomPrefix();
  const keys = redisKeys(prefix);
  const redis = new Redis(REDIS_URL);
  const blocking = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const log = new RedisEventLog(redis, blocking, keys, { partitions, dedupWindowSeconds: 60, retainProcessedMs: opts.retainProcessedMs ?? 0, leaseMs: LEASE_MS });
  cleanups.push(async () => {
    await log.close();
    await cleanupPrefix(prefix, redis);
    redis.disconnect();
  });
  const stats = async () => {
    const s = await redis.hgetall(keys.stats);
    return { accepted: Number(s.accepted ?? 0), duplicates: Number(s.duplicates ?? 0) };
  };
  return { log, stats, redis, keys };
}

const view = (userId: string, extra: Partial<PulseEvent> = {}) => ev({ ts: T, userId, type: 'page_view', ...extra });
const all = (partitions: number, offset = 0) => new Map(Array.from({ length: partitions }, (_, p) => [p, offset]));
const eventIds = (entries: LogEntry[]) => entries.flatMap((e) => e.records.map((r) => r.event.eventId));

describe.each(KINDS)('EventLog contract: %s', (kind) => {
  it('accepts a client id once, within a request and across requests, counts duplicates, never dedups server ids', async () => {
    const { log, stats } = await makeLog(kind);
    const a = view('u');
    const server = view('u', { clientId: false });
    expect((await log.append([a, { ...a }, server])).accepted).toEqual([true, false, true]);
    expect((await log.append([{ ...server }, { ...a }])).accepted).toEqual([true, false]);
    expect(await stats()).toEqual({ accepted: 3, duplicates: 2 });
    expect((await log.heads()).reduce((x, y) => x + y, 0)).toBe(3);
  });

  it('numbers events per partition, contiguously, and keeps each user in one partition, in order', async () => {
    const { log } = await makeLog(kind, { partitions: 4 });
    const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const sent: PulseEvent[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = users.map((u) => view(u));
      sent.push(...batch);
      await log.append(batch);
    }
    const heads = await log.heads();
    expect(heads.reduce((x, y) => x + y, 0)).toBe(30);
    const entries = await log.read(all(4), { maxEntries: 100, waitMs: 0 });
    for (let p = 0; p < 4; p++) {
      const mine = entries.filter((e) => e.partition === p);
      let prev = 0;
      for (const e of mine) {
        expect(e).toMatchObject({ prevOffset: prev, id: `p${p}:${e.offset}` });
        expect(e.records.map((r) => r.offset)).toEqual(Array.from({ length: e.offset - prev }, (_, i) => prev + i + 1));
        prev = e.offset;
      }
      expect(prev).toBe(heads[p]);
    }
    for (const u of users) {
      const where = entries.filter((e) => e.records.some((r) => r.event.userId === u));
      expect(new Set(where.map((e) => e.partition))).toEqual(new Set([partitionOf(u, 4)]));
      const got = where.flatMap((e) => e.records.filter((r) => r.event.userId === u).map((r) => r.event.eventId));
      expect(got).toEqual(sent.filter((e) => e.userId === u).map((e) => e.eventId));
    }
  });

  it('reads after the given offsets, at most maxEntries per partition', async () => {
    const { log } = await makeLog(kind);
    const p = partitionOf('solo', 4);
    const sent = Array.from({ length: 5 }, () => view('solo'));
    for (const e of sent) await log.append([e]);
    const first = await log.read(new Map([[p, 0]]), { maxEntries: 2, waitMs: 0 });
    expect(first.map((e) => e.offset)).toEqual([1, 2]);
    const rest = await log.read(new Map([[p, 2]]), { maxEntries: 10, waitMs: 0 });
    expect(rest.map((e) => e.offset)).toEqual([3, 4, 5]);
    expect(eventIds([...first, ...rest])).toEqual(sent.map((e) => e.eventId));
    expect(await log.read(new Map([[p, 5]]), { maxEntries: 10, waitMs: 0 })).toEqual([]);
  });

  it('a read waits for an append and resolves soon after it; an idle one returns [] after waitMs', async () => {
    const { log } = await makeLog(kind);
    let started = Date.now();
    expect(await log.read(all(4), { maxEntries: 10, waitMs: 200 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    const pending = log.read(all(4), { maxEntries: 10, waitMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    const e = view('waiter');
    started = Date.now();
    await log.append([e]);
    const got = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(eventIds(got)).toEqual([e.eventId]);
  });

  it('applies backpressure against the slowest required consumer only, storing nothing it refuses', async () => {
    const { log } = await makeLog(kind);
    await log.registerConsumer('live', { required: true });
    await log.registerConsumer('lake', { required: false });
    const batch = (n: number) => Array.from({ length: n }, (_, i) => view(`b${i}`));
    expect((await log.append(batch(3), { maxBacklog: 5 })).accepted).toEqual([true, true, true]);
    const heads = await log.heads();
    for (let p = 0; p < 4; p++) await log.commit('live', p, heads[p]);
    // the optional lake consumer is 3 behind and stays behind: it does not hold ingest back
    const second = batch(4);
    expect((await log.append(second, { maxBacklog: 5 })).accepted).toEqual([true, true, true, true]);
    expect(await log.backlog()).toEqual({ live: 4, lake: 7 });
    const refused = batch(2);
    expect(await log.append(refused, { maxBacklog: 5 })).toEqual({ accepted: [], backpressure: true });
    expect(await log.backlog()).toEqual({ live: 4, lake: 7 });
    // a retry of events already stored is no new work, so it is answered even at the bound
    expect((await log.append(second.map((e) => ({ ...e })), { maxBacklog: 5 })).accepted).toEqual([false, false, false, false]);
    const now = await log.heads();
    for (let p = 0; p < 4; p++) await log.commit('live', p, now[p]);
    // the refused events left no dedup marker behind
    expect((await log.append(refused, { maxBacklog: 5 })).accepted).toEqual([true, true]);
  });

  it('moves checkpoints forward only, per consumer and partition', async () => {
    const { log } = await makeLog(kind);
    expect(await log.checkpoints('nobody')).toEqual([0, 0, 0, 0]);
    await log.commit('lake', 1, 5);
    await log.commit('lake', 1, 3);
    await log.commit('lake', 3, 2);
    expect(await log.checkpoints('lake')).toEqual([0, 5, 0, 2]);
    expect(await log.checkpoints('live')).toEqual([0, 0, 0, 0]);
  });

  it('trims only what every required consumer has checkpointed', async () => {
    const { log } = await makeLog(kind);
    const p = partitionOf('t', 4);
    for (let i = 0; i < 6; i++) await log.append([view('t')]);
    await log.trim();
    expect((await log.describe()).storedEntries).toBe(6); // nobody has declared what it needs yet
    await log.registerConsumer('a', { required: true });
    await log.registerConsumer('b', { required: true });
    await log.registerConsumer('slow', { required: false });
    await log.commit('a', p, 4);
    await log.commit('b', p, 2);
    await log.trim();
    expect((await log.describe()).storedEntries).toBe(4);
    expect((await log.read(new Map([[p, 2]]), { maxEntries: 10, waitMs: 0 })).map((e) => e.offset)).toEqual([3, 4, 5, 6]);
    await log.commit('b', p, 6);
    await log.commit('a', p, 6);
    await log.trim();
    const d = await log.describe();
    expect(d).toMatchObject({ partitions: 4, storedEntries: 0, backlog: { a: 0, b: 0, slow: 6 } });
    expect(d.heads[p]).toBe(6);
  });

  it('deduplicates and round-trips hostile ids exactly', async () => {
    const { log } = await makeLog(kind);
    const hostile = ['__proto__', 'constructor', 'last', 'f:stock', '*', '%', '💥', 'x'.repeat(2000), 'a\u0000b', 'toString'];
    const events = hostile.map((id) => view(id, { eventId: id, sessionId: id, productId: id }));
    expect((await log.append(events)).accepted).toEqual(hostile.map(() => true));
    expect((await log.append(events.map((e) => ({ ...e })))).accepted).toEqual(hostile.map(() => false));
    const entries = await log.read(all(4), { maxEntries: 100, waitMs: 0 });
    const back = entries.flatMap((e) => e.records.map((r) => r.event));
    expect(back.map((e) => e.eventId).sort()).toEqual([...hostile].sort());
    for (const e of back) expect(e).toEqual(events.find((x) => x.eventId === e.eventId));
  });
});

describe('Redis event log specifics', () => {
  it('reads an unknown format version and an undecodable entry as malformed, with offsets, and reads on', async () => {
    const { log, redis, keys } = await makeLog('redis', { partitions: 1 });
    const first = view('m');
    await log.append([first]);
    await redis!.incr(keys!.logHead(0));
    await redis!.xadd(keys!.log(0), '2-0', 'v', '2', 't', String(Date.now()), 'e', '[]');
    await redis!.incr(keys!.logHead(0));
    await redis!.xadd(keys!.log(0), '3-0', 'v', '1', 't', String(Date.now()), 'e', '[not json');
    const last = view('m');
    await log.append([last]);
    const entries = await log.read(new Map([[0, 0]]), { maxEntries: 10, waitMs: 0 });
    expect(entries.map((e) => [e.offset, e.prevOffset, e.malformed ? 'bad' : 'ok'])).toEqual([[1, 0, 'ok'], [2, 1, 'bad'], [3, 2, 'bad'], [4, 3, 'ok']]);
    expect(entries[1].malformed!.error).toMatch(/format version "2"/);
    expect(entries[2].malformed!.error).toMatch(/not JSON/);
    expect(entries[2].malformed!.raw).toContain('[not json');
    expect(eventIds(entries)).toEqual([first.eventId, last.eventId]);
    // set aside and checkpointed past, malformed entries leave no backlog behind
    await log.registerConsumer('live', { required: true });
    await log.commit('live', 0, entries.at(-1)!.offset);
    expect(await log.backlog()).toEqual({ live: 0 });
  });

  it('keeps checkpointed entries younger than the retention', async () => {
    const { log, redis, keys } = await makeLog('redis', { partitions: 1, retainProcessedMs: 60_000 });
    await log.registerConsumer('live', { required: true });
    // three entries of one event each; the first as if appended two minutes ago
    const times = [Date.now() - 120_000, Date.now(), Date.now()];
    for (const [i, t] of times.entries()) await redis!.xadd(keys!.log(0), `${i + 1}-0`, 'v', '1', 't', String(t), 'e', `[${encodeEvent(view('r'))}]`);
    await redis!.set(keys!.logHead(0), 3);
    await log.commit('live', 0, 2);
    await log.trim();
    expect(await redis!.xlen(keys!.log(0))).toBe(2);
    await log.commit('live', 0, 3);
    await log.trim();
    expect((await redis!.xrange(keys!.log(0), '-', '+')).map((e) => e[0])).toEqual(['2-0', '3-0']);
  });
});

describe.each(KINDS)('PartitionLeases contract: %s', (kind) => {
  const P = 8;
  async function owners(n: number) {
    const { log } = await makeLog(kind, { partitions: P });
    const changes: Lease[][][] = [];
    // the adapters' leases are balancers, which can also be frozen (halt) and woken (tick)
    const group = Array.from({ length: n }, (_, i) => {
      const leases = log.leases('live', `owner-${i}`);
      if (!(leases instanceof LeaseBalancer)) throw new Error('expected a LeaseBalancer');
      return leases;
    });
    const start = (i: number) => group[i].start((owned) => (changes[i] ??= []).push(owned));
    return { log, group, changes, start };
  }
  const count = (l: PartitionLeases) => l.owned().length;
  const opts = (what: string) => ({ timeoutMs: LEASE_MS * 15, intervalMs: 20, what });

  it('gives one owner every partition', async () => {
    const { group, start, log } = await owners(1);
    await start(0);
    await until(() => count(group[0]) === P, opts('one owner holds all'));
    expect(group[0].owned().every((l) => l.token >= 1)).toBe(true);
    expect((await log.describe()).owners.live).toEqual(Array(P).fill('owner-0'));
  });

  it('splits partitions fairly between two owners, and hands all to the survivor when one stops', async () => {
    const { group, start, changes } = await owners(2);
    await start(0);
    await until(() => count(group[0]) === P, opts('first owner holds all'));
    await start(1);
    await until(() => count(group[0]) === 4 && count(group[1]) === 4, opts('a 4/4 split'));
    const held = [...group[0].owned(), ...group[1].owned()].map((l) => l.partition).sort();
    expect(held).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(changes[1].at(-1)).toHaveLength(4);
    await group[0].stop();
    await group[0].stop(); // idempotent
    expect(changes[0].at(-1)).toEqual([]);
    await until(() => count(group[1]) === P, opts('the survivor takes all'));
  });

  it('takes over the leases of an owner that died, after expiry, with higher tokens', async () => {
    const { group, start } = await owners(2);
    await start(0);
    await start(1);
    await until(() => count(group[0]) === 4 && count(group[1]) === 4, opts('a 4/4 split'));
    const before = new Map(group[0].owned().map((l) => [l.partition, l.token]));
    const died = Date.now();
    group[0].halt();
    await until(() => count(group[1]) === P, opts('takeover'));
    // the dead owner last renewed up to one heartbeat (a third of the lease) before it halted, so
    // its leases expire at the earliest two thirds of a lease after the halt — never sooner
    expect(Date.now() - died).toBeGreaterThanOrEqual(LEASE_MS - LEASE_MS / 3);
    for (const l of group[1].owned()) if (before.has(l.partition)) expect(l.token).toBeGreaterThan(before.get(l.partition)!);
  });

  it('a fenced owner finds out at its next renewal and reports the loss', async () => {
    const { group, start, changes } = await owners(2);
    await start(0);
    await until(() => count(group[0]) === P, opts('first owner holds all'));
    group[0].halt(); // frozen: a long pause, the process still thinks it owns everything
    await start(1);
    await until(() => count(group[1]) === P, opts('takeover from the frozen owner'));
    await group[0].tick(); // wakes up
    expect(group[0].owned()).toEqual([]);
    expect(changes[0].at(-1)).toEqual([]);
  });
});
