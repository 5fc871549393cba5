import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineHistorySchema, type PipelineHistory } from '@/lib/pipelineHistory';
import { createPulse, type Pulse } from '@/server/app';
import { loadConfig } from '@/server/config';
import { setLogSilent } from '@/server/log';
import { drained } from '../helpers/pulse';
import { TEST_KEY } from '../helpers/keys';
import { sleep, until } from '../helpers/wait';

/**
 * `GET /api/pipeline/history` on a real embedded Pulse (no pages), sampling every 100 ms so a
 * test sees several samples in a second.
 */

const INTERVAL_MS = 100;
const ADMIN_KEY = 'history-admin-key-0123456789';

interface Running {
  pulse: Pulse;
  url: string;
  startedAt: number;
}

async function start(env: Record<string, string> = {}): Promise<Running> {
  setLogSilent(true);
  const startedAt = Date.now();
  const pulse = await createPulse(
    loadConfig({ PULSE_UI: 'off', INGEST_API_KEYS: TEST_KEY, ADMIN_API_KEYS: ADMIN_KEY, DATABASE_URL: process.env.DATABASE_URL, PULSE_DATA_DIR: process.env.PULSE_DATA_DIR!, ...env }),
    { historyIntervalMs: INTERVAL_MS },
  );
  return { pulse, url: await pulse.listen(0, '127.0.0.1'), startedAt };
}

async function history(url: string): Promise<PipelineHistory> {
  const res = await fetch(`${url}/api/pipeline/history`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const parsed = pipelineHistorySchema.safeParse(await res.json());
  if (!parsed.success) throw new Error(`the body does not match the schema: ${parsed.error.message}`);
  return parsed.data;
}

async function post(url: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

/** events a run of samples says arrived: each rate times its interval, summed */
function counted(h: PipelineHistory, field: 'acceptedPerSecond' | 'processedPerSecond', fromAt: number): number {
  let total = 0;
  for (let i = 1; i < h.samples.length; i++) {
    const s = h.samples[i];
    if (s.at <= fromAt || s[field] === null) continue;
    total += (s[field]! * (s.at - h.samples[i - 1].at)) / 1000;
  }
  return Math.round(total * 1000) / 1000;
}

let p: Running;
beforeAll(async () => {
  p = await start();
});
afterAll(() => p.pulse.close());

describe('GET /api/pipeline/history', () => {
  // it answered without a key and said admin actions were off without ADMIN_API_KEYS before; the
  // pipeline page is now for admins (pipeline:read), whose session authorises the actions
  it('needs pipeline:read, says since when this process samples, and that admin actions are on', async () => {
    const anonymous = await fetch(`${p.url}/api/pipeline/history`);
    expect([anonymous.status, ((await anonymous.json()) as { error: { code: string } }).error.code]).toEqual([401, 'unauthenticated']);
    expect((await fetch(`${p.url}/api/pipeline/history`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).status).toBe(403);
    const h = await until(async () => {
      const body = await history(p.url);
      return body.samples.length >= 2 ? body : null;
    }, { what: 'two samples' });
    expect(h.intervalMs).toBe(INTERVAL_MS);
    expect(h.since).toBeGreaterThanOrEqual(p.startedAt);
    expect(h.since).toBeLessThanOrEqual(h.samples[0].at);
    // the first sample has nothing to compute a rate from
    expect(h.samples[0]).toMatchObject({ acceptedPerSecond: null, processedPerSecond: null, rejected: null });
    // every consumer the log knows gets its own backlog
    expect(Object.keys(h.samples[1].backlog)).toEqual(['live', 'lake']);
    const ats = h.samples.map((s) => s.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
  });

  it('counts posted events as accepted and processed per second, and a rejected one as rejected', async () => {
    const before = await history(p.url);
    const from = before.samples.at(-1)!.at;
    const now = Date.now();
    const events = Array.from({ length: 25 }, (_, i) => ({ timestamp: new Date(now - 1_000 + i).toISOString(), user_id: `hist-user-${i % 5}`, event_type: 'page_view', properties: { page: '/' } }));
    await post(p.url, [...events, { timestamp: new Date(now).toISOString(), event_type: 'page_view' }]);
    await drained(p.pulse);
    // a sample taken after the pipeline drained holds every event
    await sleep(INTERVAL_MS * 3);
    const after = await history(p.url);
    expect(counted(after, 'acceptedPerSecond', from)).toBe(25);
    expect(counted(after, 'processedPerSecond', from)).toBe(25);
    expect(after.samples.filter((s) => s.at > from).reduce((n, s) => n + (s.rejected ?? 0), 0)).toBe(1);
    const busy = after.samples.find((s) => s.at > from && (s.processedPerSecond ?? 0) > 0)!;
    expect(busy.lagMsP50).not.toBeNull();
    expect(busy.lagMsP99!).toBeGreaterThanOrEqual(busy.lagMsP50!);
    // the live consumer is done; the lake writer holds the events until its flush interval (30 s)
    expect(after.samples.at(-1)!.backlog).toEqual({ live: 0, lake: 25 });
    expect(after.samples.at(-1)!.deadLetters).toBe(0);
  });

  it('is read-only', async () => {
    const res = await fetch(`${p.url}/api/pipeline/history`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('keeps at most an hour of samples', async () => {
    const h = await history(p.url);
    expect(h.samples.length).toBeLessThanOrEqual((60 * 60_000) / INTERVAL_MS);
  });
});

describe('a restarted process', () => {
  it('starts its history again, since its own start', async () => {
    const first = await history(p.url);
    const second = await start();
    try {
      const h = await until(async () => {
        const body = await history(second.url);
        return body.samples.length >= 1 ? body : null;
      }, { what: 'a first sample' });
      expect(h.since).toBeGreaterThan(first.since);
      expect(h.since).toBeGreaterThanOrEqual(second.startedAt);
      expect(h.samples.every((s) => s.at >= h.since)).toBe(true);
    } finally {
      await second.pulse.close();
    }
  });

  it('stops sampling when closed', async () => {
    const other = await start();
    // the sampler reads the log's backlog on every tick: count those reads
    const log = other.pulse.log;
    const backlog = log.backlog.bind(log);
    let reads = 0;
    log.backlog = () => {
      reads++;
      return backlog();
    };
    await until(() => reads >= 2, { what: 'two samples' });
    await other.pulse.close();
    reads = 0;
    await sleep(INTERVAL_MS * 5);
    expect(reads).toBe(0);
  });
});
