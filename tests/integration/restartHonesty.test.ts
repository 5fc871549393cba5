import { afterEach, describe, expect, it } from 'vitest';
import { liveSnapshotSchema, type LiveSnapshot } from '@/lib/live';
import { startServer, type PulseProcess } from '../helpers/processes';
import { iso, TEST_KEY } from '../helpers/pulse';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { until } from '../helpers/wait';
import { authedFetch } from '../helpers/keys';

/**
 * Honest restarts (issue 7): a snapshot says when its live store began counting, so screens can
 * mark windows that reach back before it. Embedded mode starts again from nothing at a restart
 * and says so; single-node mode keeps counting in Redis across restarts of Pulse.
 */
const running: PulseProcess[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const p of prefixes.splice(0)) await cleanupPrefix(p);
});

async function start(env: Record<string, string> = {}, port?: number): Promise<PulseProcess> {
  const p = await startServer({ env: { PULSE_UI: 'off', ...env }, port });
  running.push(p);
  return p;
}

async function snapshot(url: string): Promise<LiveSnapshot> {
  return liveSnapshotSchema.parse(await (await authedFetch(`${url}/api/metrics/live`)).json());
}

async function buy(url: string, amount: number): Promise<void> {
  const res = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ timestamp: iso(Date.now()), user_id: 'r', event_type: 'purchase', properties: { amount } }),
  });
  expect(res.status).toBe(202);
}

describe('counting since', () => {
  it('embedded: a restart starts counting again and the snapshot says from when', async () => {
    const first = await start();
    const before = await snapshot(first.url);
    expect(before.shop.countingSince).not.toBeNull();
    expect(before.shop.countingSince!).toBeLessThanOrEqual(before.computedAt);
    await buy(first.url, 40);
    await until(async () => (await snapshot(first.url)).revenue.todayMinor === 4000, { what: 'the purchase counted' });
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const restartedAt = Date.now();
    const second = await start({}, first.port);
    const after = await snapshot(second.url);
    // nothing survived, and the screens are told so: counting began at the restart
    expect(after.revenue.todayMinor).toBe(0);
    expect(after.shop.countingSince!).toBeGreaterThanOrEqual(restartedAt);
    expect(after.shop.countingSince!).toBeGreaterThan(before.shop.countingSince!);
    expect(after.revenue.previousHourMinor).toBeNull();
    expect(after.orders.previousHour).toBeNull();
  }, 60_000);

  it('single node: counting survives a restart of Pulse, so nothing is marked partial again', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const first = await start({ REDIS_URL, REDIS_PREFIX: prefix });
    const since = (await snapshot(first.url)).shop.countingSince;
    expect(since).not.toBeNull();
    await buy(first.url, 40);
    await until(async () => (await snapshot(first.url)).revenue.todayMinor === 4000, { what: 'the purchase counted' });
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const second = await start({ REDIS_URL, REDIS_PREFIX: prefix });
    const after = await snapshot(second.url);
    expect(after.shop.countingSince).toBe(since);
    expect(after.revenue.todayMinor).toBe(4000);
  }, 60_000);
});
