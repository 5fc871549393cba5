import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateEvent, type WireEvent } from '@/lib/events';
import { CATALOGUE } from './catalogue';
import { startFakeIngest, type FakeIngest } from './fake-ingest';
import { startSimulator } from './simulator';

let server: FakeIngest;
beforeEach(async () => {
  server = await startFakeIngest();
});
afterEach(() => server.close());

const received = (): WireEvent[] =>
  server.requests.flatMap((r) => (r.body as { events?: WireEvent[] }).events ?? [r.body as WireEvent]);

describe('startSimulator', () => {
  it('sends valid events at the requested rate and stops with a summary', async () => {
    const lines: string[] = [];
    const sim = startSimulator({ url: server.url, key: 'k', rate: 100, duration: 2, batch: 25, seed: 1, log: (l) => lines.push(l), statusIntervalMs: 500 });
    const summary = await sim.done;
    const events = received();
    expect(events.length).toBe(summary.generated);
    expect(events.length).toBeGreaterThanOrEqual(170);
    expect(events.length).toBeLessThanOrEqual(210);
    expect(Math.max(...server.requests.map((r) => r.eventIds.length))).toBeLessThanOrEqual(25);
    for (const e of events) expect(validateEvent(e, Date.now(), () => 'x')).toMatchObject({ ok: true });
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
    expect(summary).toMatchObject({ seed: 1, accepted: events.length, unsent: 0, fatal: null });
    expect(summary.sessions).toBeGreaterThan(10);
    expect(lines[0]).toMatch(/sending ~100 events\/s/);
    expect(lines.some((l) => /sent \d+ {2}accepted \d+ {2}dup 0/.test(l))).toBe(true);
    expect(await sim.stop()).toBe(summary);
  });

  it('delivers what is queued when stopped', async () => {
    const sim = startSimulator({ url: server.url, key: 'k', rate: 50, batch: 500, quiet: true });
    await new Promise((r) => setTimeout(r, 600));
    const summary = await sim.stop();
    expect(summary.generated).toBeGreaterThan(20);
    expect(server.accepted.size).toBe(summary.generated);
    expect(summary.unsent).toBe(0);
  });

  it('sets opening stock for the whole catalogue before sending events, with --seed-inventory', async () => {
    const sim = startSimulator({ url: server.url, key: 'k', adminKey: 'admin-k', rate: 20, seedInventory: true, quiet: true });
    await new Promise((r) => setTimeout(r, 700));
    await sim.stop();
    const [first, ...rest] = server.requests;
    expect(first.url).toBe('/api/inventory');
    expect(first.headers.authorization).toBe('Bearer admin-k');
    const items = (first.body as { items: { product_id: string; stock: number }[] }).items;
    expect(items).toHaveLength(CATALOGUE.length);
    expect(items.filter((i) => i.stock <= 20).length).toBeGreaterThanOrEqual(3);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((r) => r.url === '/api/events')).toBe(true);
  });

  it('ends with the reason when the key is refused', async () => {
    server.respond = () => ({ status: 401, body: { error: { code: 'unknown_key', message: 'the ingest key is not valid' } } });
    const sim = startSimulator({ url: server.url, key: 'bad', rate: 50, batch: 1, quiet: true, warn: () => {} });
    const summary = await sim.done;
    expect(summary.fatal).toMatch(/ingest key was refused/);
  });
});
