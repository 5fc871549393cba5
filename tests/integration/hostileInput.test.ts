import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSnapshotSchema, type LiveSnapshot } from '@/lib/live';
import { authedFetch, TEST_KEY } from '../helpers/keys';
import { startPulseProcess, type PulseProcess } from '../helpers/processes';
import { iso } from '../helpers/pulse';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { until } from '../helpers/wait';

/**
 * Hostile identifiers sent over HTTP, as a visitor holding the public ingest key could, against
 * a real server in each mode: every one is stored and counted exactly or refused with a reason,
 * the snapshot stays well-formed, and the pipeline keeps flowing afterwards.
 */
const ACCEPTED_IDS = ['last', 'dirty', 'inflight', 'f:stock', 'c:u:bGFzdA', '__proto__', 'constructor', 'toString', '*', '?', '[a-z]', '%', '%s', '.*', '\\', '"', 'nul\u0000byte', '💥', 'x'.repeat(256)];
const REFUSED: { id: string; reason: RegExp }[] = [
  { id: '\ud800', reason: /^user_id: must be well-formed Unicode/ },
  { id: 'y'.repeat(2000), reason: /^user_id: must be at most 256 characters/ },
];

const modes = [
  { name: 'embedded', env: (): Record<string, string> => ({}) },
  { name: 'single node (REDIS_URL, default process split)', env: (): Record<string, string> => ({ REDIS_URL, REDIS_PREFIX: prefix }) },
];
let prefix = '';

describe.each(modes)('hostile input over HTTP: $name', ({ env }) => {
  let server: PulseProcess;
  beforeAll(async () => {
    prefix = randomPrefix();
    server = await startPulseProcess(env());
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await cleanupPrefix(prefix);
  });

  const post = async (events: unknown[]) => {
    const res = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    return { status: res.status, body: await res.json() };
  };
  const snapshot = async () => (await (await authedFetch(`${server.url}/api/metrics/live`)).json()) as LiveSnapshot;

  it('stores and counts each identifier exactly, or refuses it naming the field', async () => {
    const events = [...ACCEPTED_IDS, ...REFUSED.map((r) => r.id)].map((id) => ({ timestamp: iso(Date.now()), user_id: id, session_id: id, event_type: 'purchase', properties: { amount: 1.5, items: [{ product_id: id.slice(0, 128), quantity: 1, price: 1.5 }] } }));
    const typeEvents = ['__proto__', 'constructor', 'toString'].map((t) => ({ timestamp: iso(Date.now()), user_id: 'typer', event_type: t }));
    const res = await post([...events, ...typeEvents]);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(ACCEPTED_IDS.length + 3);
    expect(res.body.rejected.map((r: { index: number; error: string }) => [r.index, r.error])).toEqual(
      REFUSED.map((r, i) => [ACCEPTED_IDS.length + i, expect.stringMatching(r.reason)]),
    );
    const snap = await until(async () => {
      const s = await snapshot();
      return s.pipeline.processedTotal >= ACCEPTED_IDS.length + 3 ? s : null;
    }, { timeoutMs: 15_000 });
    expect(liveSnapshotSchema.safeParse(snap).success).toBe(true);
    expect(snap.orders.lastHour).toBe(ACCEPTED_IDS.length);
    expect(snap.revenue.lastHourMinor).toBe(150 * ACCEPTED_IDS.length);
    // built with fromEntries: in an object literal `__proto__: 1` would not be a key at all
    expect(Object.entries(snap.eventsByType).sort()).toEqual(Object.entries(Object.fromEntries([['purchase', ACCEPTED_IDS.length], ['__proto__', 1], ['constructor', 1], ['toString', 1]])).sort());
    expect(snap.pipeline).toMatchObject({ deadLetters: 0, backlog: 0 });
    for (const id of ACCEPTED_IDS) {
      const user = await authedFetch(`${server.url}/api/users/${encodeURIComponent(id)}`);
      expect(user.status).toBe(200);
      expect(await user.json()).toMatchObject({ userId: id, totalEvents: 1, purchaseCount: 1, lifetimeValueMinor: 150 });
      const session = await authedFetch(`${server.url}/api/sessions/${encodeURIComponent(id)}`);
      expect(await session.json()).toMatchObject({ sessionId: id, userId: id, purchased: true });
    }
  }, 30_000);

  it('keeps flowing after them', async () => {
    const before = (await snapshot()).pipeline.processedTotal;
    expect((await post([{ timestamp: iso(Date.now()), user_id: 'after', event_type: 'page_view' }])).status).toBe(202);
    await until(async () => (await snapshot()).pipeline.processedTotal === before + 1, { timeoutMs: 10_000 });
  });

  it('answers 400, never 500, for malformed ids in paths', async () => {
    for (const path of ['/api/users/%E0%A4%A', '/api/sessions/%ZZ', `/api/users/${'z'.repeat(300)}`]) {
      expect((await authedFetch(`${server.url}${path}`)).status).toBe(400);
    }
    expect((await authedFetch(`${server.url}/api/users/last-seen-never`)).status).toBe(404);
  });

  it('answers 100 parallel snapshot readers from shared computations, and ingest still answers', async () => {
    const reads = await Promise.all(Array.from({ length: 100 }, () => authedFetch(`${server.url}/api/metrics/live`).then((r) => r.json() as Promise<LiveSnapshot>)));
    // readers share computations: far fewer distinct snapshots than readers
    expect(new Set(reads.map((r) => r.computedAt)).size).toBeLessThan(20);
    // (how long this takes is measured by the benchmarks, not asserted here)
    expect((await post([{ timestamp: iso(Date.now()), user_id: 'during', event_type: 'page_view' }])).status).toBe(202);
  });
});
