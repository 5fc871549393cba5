import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, LiveSnapshot } from '@/lib/live';
import { LedgerClient } from '../helpers/load';
import { startPulseProcess, type PulseProcess } from '../helpers/processes';
import { iso, TEST_KEY } from '../helpers/pulse';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { sleep } from '../helpers/wait';
import { authedFetch, TEST_SECRET_KEY } from '../helpers/keys';

/** Single-node mode with several real processes sharing one Redis. */
const running: PulseProcess[] = [];
const prefixes: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const p of prefixes.splice(0)) await cleanupPrefix(p);
});

async function start(prefix: string, extra: Record<string, string>): Promise<PulseProcess> {
  const p = await startPulseProcess({ REDIS_URL, REDIS_PREFIX: prefix, LEASE_MS: '2000', ...extra });
  running.push(p);
  return p;
}

function post(url: string, body: unknown) {
  return fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('single-node mode', () => {
  it('answers 429 with Retry-After once the unprocessed backlog passes its bound, and accepts again when it drains', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const web = await start(prefix, { PULSE_ROLE: 'web', PIPELINE_MAX_BACKLOG: '100' });
    const events = (n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ timestamp: iso(Date.now()), user_id: `bp${i}`, event_type: 'page_view' })) });
    expect((await post(web.url, events(60))).status).toBe(202);
    const refused = await post(web.url, events(60));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    const health = await (await fetch(`${web.url}/api/health`)).json();
    expect(health).toMatchObject({ mode: 'single-node', role: 'web', backlog: 60, backlogByConsumer: { live: 60 } });
    // screens see the same figure (the shared counters come from Redis, the backlog from the log)
    expect(((await (await authedFetch(`${web.url}/api/metrics/live`)).json()) as LiveSnapshot).pipeline.backlog).toBe(60);
    await start(prefix, { PULSE_ROLE: 'worker' });
    for (let i = 0; i < 50 && (await (await fetch(`${web.url}/api/health`)).json()).backlog > 0; i++) await sleep(100);
    expect((await post(web.url, events(60))).status).toBe(202);
  }, 30_000);

  it('shares live delivery across web processes: an event posted to one reaches sockets on the other', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const webA = await start(prefix, { PULSE_ROLE: 'web' });
    const webB = await start(prefix, { PULSE_ROLE: 'web' });
    await start(prefix, { PULSE_ROLE: 'worker' });
    const socket = connect(webB.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: TEST_SECRET_KEY } });
    try {
      const eventId = `shared-${Date.now()}`;
      const alert = new Promise<Alert>((resolve) => socket.on('alert', (a: Alert) => a.eventId === eventId && resolve(a)));
      const snap = new Promise<LiveSnapshot>((resolve) => socket.on('metrics', (s: LiveSnapshot) => s.revenue.todayMinor >= 500_000 && resolve(s)));
      await new Promise((r) => socket.once('metrics', r));
      expect((await post(webA.url, { event_id: eventId, timestamp: iso(Date.now()), user_id: 'whale', event_type: 'purchase', properties: { amount: 5000 } })).status).toBe(202);
      expect(await alert).toMatchObject({ kind: 'high_value', eventId });
      expect((await snap).pipeline.processedTotal).toBe(1);
    } finally {
      socket.close();
    }
  }, 30_000);

  it('drains in-flight work on SIGTERM and hands its partitions over at once', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const web = await start(prefix, { PULSE_ROLE: 'web' });
    // a long lease: a successor could only start at once if the stopping worker released it
    const worker = await start(prefix, { PULSE_ROLE: 'worker', LEASE_MS: '60000' });
    const client = new LedgerClient(() => web.url, { batch: 50, intervalMs: 10, users: 100 });
    client.start();
    await sleep(1500);
    await worker.stop();
    expect(worker.proc.exitCode).toBe(0);
    const health = await (await fetch(`${web.url}/api/health`)).json();
    expect(health.dependencies.eventLog.detail.owners.live.every((o: string | null) => o === null)).toBe(true);
    await start(prefix, { PULSE_ROLE: 'worker', LEASE_MS: '60000' });
    await client.stop();
    const want = client.expected();
    let snap: LiveSnapshot | null = null;
    for (let i = 0; i < 100; i++) {
      snap = (await (await authedFetch(`${web.url}/api/metrics/live`)).json()) as LiveSnapshot;
      if (snap.pipeline.backlog === 0 && snap.pipeline.processedTotal >= want.events) break;
      await sleep(100);
    }
    expect(snap!.pipeline).toMatchObject({ backlog: 0, acceptedTotal: want.events, processedTotal: want.events });
    expect(snap!.orders.lastHour).toBe(want.orders);
  }, 30_000);

  it('refuses to start with another partition count than the log under the same prefix has', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    await start(prefix, { PULSE_ROLE: 'web', LOG_PARTITIONS: '4' });
    await expect(start(prefix, { PULSE_ROLE: 'worker', LOG_PARTITIONS: '8' })).rejects.toThrow(/LOG_PARTITIONS=8, but the log under REDIS_PREFIX=\S+ has 4 partitions: use LOG_PARTITIONS=4/);
  }, 30_000);

  it('exposes pipeline counters in Prometheus text format', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const web = await start(prefix, { PULSE_ROLE: 'all' });
    await post(web.url, { events: [{ timestamp: iso(Date.now()), user_id: 'm', event_type: 'page_view' }, { user_id: 'bad' }] });
    await sleep(300);
    const res = await authedFetch(`${web.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toMatch(/^pulse_events_accepted_total 1$/m);
    expect(text).toMatch(/^pulse_events_rejected_total 1$/m);
    expect(text).toMatch(/^pulse_events_processed_total 1$/m);
    expect(text).toMatch(/^pulse_info\{mode="single-node",role="all"\} 1$/m);
  }, 30_000);
});
