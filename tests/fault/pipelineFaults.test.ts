import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@/lib/live';
import { LedgerClient } from '../helpers/load';
import { startPulseProcess, type PulseProcess } from '../helpers/processes';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { sleep } from '../helpers/wait';
import { startDynalite, type RunningDynalite } from '@/server/users/dynalite';

/**
 * Fault tests of the single-node pipeline: real processes, real Redis, a steady load from a
 * client that keeps a ledger. After each fault every live counter must equal what the accepted
 * events imply: nothing lost, nothing doubled. Each test is bounded in time.
 */
const running: PulseProcess[] = [];
const prefixes: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const p of prefixes.splice(0)) await cleanupPrefix(p);
});

async function start(env: Record<string, string>): Promise<PulseProcess> {
  const p = await startPulseProcess(env);
  running.push(p);
  return p;
}

async function snapshot(url: string): Promise<LiveSnapshot> {
  return (await (await fetch(`${url}/api/metrics/live`)).json()) as LiveSnapshot;
}

/** waits until everything accepted has been applied and nothing is pending in the stream */
async function drained(url: string, timeoutMs = 30_000): Promise<LiveSnapshot> {
  const asked = Date.now();
  const deadline = asked + timeoutMs;
  for (;;) {
    await sleep(150);
    const snap = await snapshot(url);
    // a snapshot computed before we asked may predate the last accepted batch
    if (snap.computedAt <= asked) continue;
    const health = await (await fetch(`${url}/api/health`)).json();
    const pending = health.dependencies?.eventLog?.detail?.pending ?? 0;
    if (snap.pipeline.backlog === 0 && pending === 0 && snap.pipeline.processedTotal >= snap.pipeline.acceptedTotal) return snap;
    if (Date.now() > deadline) throw new Error(`pipeline did not drain: ${JSON.stringify(snap.pipeline)} pending ${pending}`);
  }
}

async function expectExact(url: string, client: LedgerClient, snap: LiveSnapshot): Promise<void> {
  const want = client.expected();
  expect(want.events).toBeGreaterThan(500);
  expect({ ...snap.pipeline, retries: client.retries, sent: want.events, dupsReported: client.duplicatesReported }).toMatchObject({ acceptedTotal: want.events });
  expect(snap.pipeline.acceptedTotal).toBe(want.events);
  expect(snap.pipeline.processedTotal).toBe(want.events);
  expect(snap.orders.lastHour).toBe(want.orders);
  expect(snap.revenue.lastHourCents).toBe(want.revenueCents);
  expect(snap.eventsByType).toEqual(want.byType);
  for (const userId of ['user_0', 'user_1', 'user_77', 'user_199']) {
    const u = await (await fetch(`${url}/api/users/${userId}`)).json();
    expect({ userId, events: u.totalEvents, ltv: u.lifetimeValueCents }).toEqual({ userId, events: want.perUser.get(userId)!.events, ltv: want.perUser.get(userId)!.ltv });
  }
}

function env(prefix: string, extra: Record<string, string> = {}) {
  return { REDIS_URL, REDIS_PREFIX: prefix, CLAIM_IDLE_MS: '1000', LOG_READ_COUNT: '16', ...extra };
}

describe('single-node pipeline under faults', () => {
  it('loses and doubles nothing when one of two workers is killed with SIGKILL mid-load and another joins (live counters and DynamoDB)', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const dynalite: RunningDynalite = await startDynalite();
    const dynamo = { USER_STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynalite.endpoint, DYNAMODB_USERS_TABLE: `users-${prefix.slice(5, 15)}`, USER_FLUSH_INTERVAL_MS: '200', USER_FLUSH_ORPHAN_MS: '2000' };
    const web = await start(env(prefix, { PULSE_ROLE: 'web', ...dynamo }));
    const worker1 = await start(env(prefix, { PULSE_ROLE: 'worker', ...dynamo }));
    // a second worker shares the consumer group all along
    await start(env(prefix, { PULSE_ROLE: 'worker', ...dynamo }));
    const client = new LedgerClient(() => web.url, { batch: 20, intervalMs: 20, users: 200 });
    client.start();
    await sleep(2000);
    const before = await snapshot(web.url);
    expect(before.pipeline.processedTotal).toBeGreaterThan(0); // the first worker was working
    await worker1.crash();
    await sleep(500);
    await start(env(prefix, { PULSE_ROLE: 'worker', ...dynamo }));
    await sleep(2500);
    await client.stop();
    try {
      const snap = await drained(web.url);
      // the per-user store (DynamoDB, read by /api/users) catches up once every delta is flushed
      const worker2Health = async () => (await (await fetch(`${running[3].url}/api/health`)).json()).dependencies.userStore.detail;
      for (let i = 0; i < 100; i++) {
        const d = await worker2Health();
        if (d.dirtyUsers === 0 && d.inFlight === 0) break;
        await sleep(100);
      }
      await expectExact(web.url, client, snap);
    } finally {
      await Promise.all(running.splice(0).map((p) => p.stop()));
      await dynalite.close();
    }
  }, 60_000);

  it('recovers when every Redis connection is dropped mid-load', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const web = await start(env(prefix, { PULSE_ROLE: 'web' }));
    await start(env(prefix, { PULSE_ROLE: 'worker' }));
    const client = new LedgerClient(() => web.url, { batch: 20, intervalMs: 20, users: 200 });
    const admin = new Redis(REDIS_URL);
    try {
      client.start();
      await sleep(1500);
      for (let i = 0; i < 3; i++) {
        // every client connection but this one: ingest, workers, pub/sub
        await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        await admin.client('KILL', 'TYPE', 'pubsub', 'SKIPME', 'yes');
        await sleep(700);
      }
      await sleep(1000);
      await client.stop();
      const snap = await drained(web.url);
      await expectExact(web.url, client, snap);
      // live delivery came back too: snapshots are being computed again
      expect(Date.now() - snap.computedAt).toBeLessThan(2000);
    } finally {
      admin.disconnect();
    }
  }, 60_000);

  it('moves a poison record to the dead letters after 3 tries while the rest flows', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const web = await start(env(prefix, { PULSE_ROLE: 'all', CLAIM_IDLE_MS: '300' }));
    const client = new LedgerClient(() => web.url, { batch: 20, intervalMs: 20, users: 200 });
    const redis = new Redis(REDIS_URL);
    try {
      client.start();
      await sleep(500);
      // a record no processor can decode, written by a broken producer
      await redis.xadd(`${prefix}log`, '*', 't', String(Date.now()), 'e', '{"not":"a list of events"');
      // three deliveries, CLAIM_IDLE_MS apart, while the load keeps flowing
      let during = await snapshot(web.url);
      for (let i = 0; i < 100 && during.pipeline.deadLetters === 0; i++) {
        await sleep(100);
        during = await snapshot(web.url);
      }
      expect(during.pipeline.deadLetters).toBe(1);
      expect(during.pipeline.processedTotal).toBeGreaterThan(0);
      await client.stop();
      const snap = await drained(web.url);
      await expectExact(web.url, client, snap);
      const letters = (await redis.xrange(`${prefix}dead`, '-', '+')) as [string, string[]][];
      expect(letters).toHaveLength(1);
      const fields = Object.fromEntries(letters[0][1].map((v, i, a) => (i % 2 ? [] : [v, a[i + 1]])).filter((x) => x.length));
      expect(fields.attempts).toBe('3');
      expect(fields.error).toMatch(/^undecodable log entry/);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
