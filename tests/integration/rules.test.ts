import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@/lib/live';
import { MemoryRuleStore, StoredRuleSource } from '@/server/rules/storedRules';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import { eventRulesFrom } from '@/server/rules/eventRules';
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
  it('fraud weights changed on a web process apply in the worker process within seconds; thresholds point to the alert rules', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const env = { REDIS_URL, REDIS_PREFIX: prefix, ADMIN_API_KEYS: ADMIN };
    const web = await startPulseProcess({ ...env, PULSE_ROLE: 'web' });
    running.push(web, await startPulseProcess({ ...env, PULSE_ROLE: 'worker' }));
    const live = () => fetch(`${web.url}/api/metrics/live`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const alertIds = async () => ((await (await live()).json()) as LiveSnapshot).alerts.map((a) => a.id);
    const at = (ms: number) => iso(Date.now() - ms);
    // four small purchases, then a large one: amount and velocity make a high score only with heavy weights
    for (let i = 0; i < 4; i++) expect((await post(web.url, { ...purchase(`w-${i}`, 10), user_id: 'weights', timestamp: at(60_000 - i) })).status).toBe(202);
    await until(async () => ((await (await live()).json()) as LiveSnapshot).pipeline.processedTotal === 4, { timeoutMs: 10_000 });

    // the ingest key may neither change nor read rules; a bad value is refused with the field named
    expect((await fetch(`${web.url}/api/rules`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).status).toBe(403);
    expect((await post(web.url, { fraudWeights: { amount: 1, velocity: 1, location: 1 } }, TEST_KEY, 'PATCH', '/api/rules')).status).toBe(403);
    const moved = await post(web.url, { highValueAboveMinor: 50_000 }, ADMIN, 'PATCH', '/api/rules');
    expect(moved.status).toBe(422);
    expect((await moved.json()).error.message).toBe("highValueAboveMinor: now a condition of the alert rule 'high_value': PATCH /api/alert-rules/high_value");
    const bad = await post(web.url, { fraudWeights: { amount: 2, velocity: 0, location: 0 } }, ADMIN, 'PATCH', '/api/rules');
    expect(bad.status).toBe(422);

    const changed = await post(web.url, { fraudWeights: { amount: 1, velocity: 1, location: 1 } }, ADMIN, 'PATCH', '/api/rules');
    expect(changed.status).toBe(200);
    expect((await changed.json()).inForce.fraudWeights).toEqual({ amount: 1, velocity: 1, location: 1 });
    const started = Date.now();
    // the worker re-reads within seconds: keep sending until a purchase scores as fraud
    let n = 0;
    await until(
      async () => {
        await post(web.url, { ...purchase(`after-${++n}`, 5000), user_id: 'weights' });
        return (await alertIds()).some((id) => id.startsWith('fraud:after-'));
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const read = await (await fetch(`${web.url}/api/rules`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    expect(read).toMatchObject({ stored: { fraudWeights: { amount: 1, velocity: 1, location: 1 } }, inForce: { fraudWeights: { amount: 1 } } });
    expect(read.inForce.alertRules.map((r: { id: string }) => r.id)).toEqual(['fraud', 'high_value', 'low_stock']);
  }, 40_000);
});

describe('StoredRuleSource', () => {
  it('merges stored weights over the defaults, applies published alert rules, and keeps the rules in force when the store fails', async () => {
    const store = new MemoryRuleStore();
    const defaults = eventRulesFrom({ fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: DEFAULT_FRAUD_WEIGHTS });
    const source = new StoredRuleSource(defaults, store, { refreshMs: 60_000 });
    await source.start();
    expect(source.current()).toEqual(defaults);
    await source.change({ fraudWeights: { amount: 0.5, velocity: 0.4, location: 0.1 } });
    const lowStock = defaults.alertRules.find((r) => r.id === 'low_stock')!;
    const edited = { ...lowStock, version: 2, spec: { ...lowStock.spec, conditions: [{ field: 'stock_after' as const, op: 'lte' as const, value: 2 }] } };
    await source.publishAlertRules([edited]);
    expect(source.current()).toEqual({ alertRules: [edited], lowStockAtOrBelow: 2, fraudWeights: { amount: 0.5, velocity: 0.4, location: 0.1 } });
    // another process sharing the store sees the same after its refresh
    const other = new StoredRuleSource(defaults, store, { refreshMs: 60_000 });
    await other.start();
    expect(other.current()).toEqual(source.current());
    await other.close();
    store.load = async () => {
      throw new Error('store down');
    };
    await (source as unknown as { refresh(): Promise<void> }).refresh();
    expect(source.current().lowStockAtOrBelow).toBe(2);
    await source.close();
  });
});
