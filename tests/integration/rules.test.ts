import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@/lib/live';
import { MemoryRuleStore, StoredRuleSource } from '@/server/rules/storedRules';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import { TEST_KEY } from '../helpers/keys';
import { startPulseProcess, type PulseProcess } from '../helpers/processes';
import { iso } from '../helpers/pulse';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { until } from '../helpers/wait';

/** Event rules are data: an admin's change reaches the processing of every process, no restart. */
const ADMIN = 'test-admin-key-0123456789';
const running: PulseProcess[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const p of prefixes.splice(0)) await cleanupPrefix(p);
});

const purchase = (id: string, amount: number) => ({ event_id: id, timestamp: iso(Date.now()), user_id: `buyer-${id}`, event_type: 'purchase', properties: { amount } });
const post = (url: string, body: unknown, key = TEST_KEY, method = 'POST', path = '/api/events') =>
  fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('event rules at run time', () => {
  it('a threshold changed on a web process applies in the worker process within seconds', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const env = { REDIS_URL, REDIS_PREFIX: prefix, ADMIN_API_KEYS: ADMIN };
    const web = await startPulseProcess({ ...env, PULSE_ROLE: 'web' });
    running.push(web, await startPulseProcess({ ...env, PULSE_ROLE: 'worker' }));
    const live = () => fetch(`${web.url}/api/metrics/live`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const alertIds = async () => ((await (await live()).json()) as LiveSnapshot).alerts.map((a) => a.id);

    expect((await post(web.url, purchase('before', 600))).status).toBe(202);
    await until(async () => ((await (await live()).json()) as LiveSnapshot).pipeline.processedTotal === 1, { timeoutMs: 10_000 });
    expect(await alertIds()).toEqual([]);

    // the ingest key may neither change nor read rules; a bad value is refused with the field named
    expect((await fetch(`${web.url}/api/rules`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).status).toBe(403);
    expect((await post(web.url, { highValueAboveMinor: 50_000 }, TEST_KEY, 'PATCH', '/api/rules')).status).toBe(403);
    const bad = await post(web.url, { fraudScoreAbove: 2 }, ADMIN, 'PATCH', '/api/rules');
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toBe('fraudScoreAbove: must be between 0 and 1');

    const changed = await post(web.url, { highValueAboveMinor: 50_000 }, ADMIN, 'PATCH', '/api/rules');
    expect(changed.status).toBe(200);
    expect((await changed.json()).inForce).toMatchObject({ highValueAboveMinor: 50_000, fraudScoreAbove: 0.8 });
    const started = Date.now();
    // the worker re-reads within seconds: keep sending until a 600 purchase alerts
    let n = 0;
    await until(
      async () => {
        await post(web.url, purchase(`after-${++n}`, 600));
        return (await alertIds()).some((id) => id.startsWith('high_value:after-'));
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const read = await (await fetch(`${web.url}/api/rules`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    expect(read).toMatchObject({ stored: { highValueAboveMinor: 50_000 }, inForce: { highValueAboveMinor: 50_000 }, defaults: { highValueAboveMinor: 100_000 } });
  }, 40_000);
});

describe('StoredRuleSource', () => {
  it('merges stored overrides over the defaults, weights field by field, and keeps the rules in force when the store fails', async () => {
    const store = new MemoryRuleStore();
    const defaults = { fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: DEFAULT_FRAUD_WEIGHTS };
    const source = new StoredRuleSource(defaults, store, { refreshMs: 60_000 });
    await source.start();
    expect(source.current()).toEqual(defaults);
    await source.change({ fraudWeights: { amount: 0.5, velocity: 0.4, location: 0.1 } });
    await source.change({ lowStockAtOrBelow: 2 });
    expect(source.current()).toEqual({ ...defaults, lowStockAtOrBelow: 2, fraudWeights: { amount: 0.5, velocity: 0.4, location: 0.1 } });
    store.load = async () => {
      throw new Error('store down');
    };
    await (source as unknown as { refresh(): Promise<void> }).refresh();
    expect(source.current().lowStockAtOrBelow).toBe(2);
    await source.close();
  });
});
