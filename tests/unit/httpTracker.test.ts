import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

/**
 * public/tracker.js in a fake window (node:vm), against a fake server deciding each answer, so
 * the tracker's reaction to what the HTTP layer refuses (413, 400/422 for one event, 5xx) can be
 * driven exactly and counted. The e2e spec covers the real browser and server.
 */

const SOURCE = readFileSync(fileURLToPath(new URL('../../public/tracker.js', import.meta.url)), 'utf8');

interface WireEvent {
  event_id: string;
  event_type: string;
  properties?: Record<string, unknown>;
}
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
interface PulseApi {
  track(type: string, properties?: Record<string, unknown>): string;
  flush(): Promise<void>;
}

function loadTracker(server: (events: WireEvent[], bytes: number) => Reply) {
  const storage = new Map<string, string>();
  const requests: WireEvent[][] = [];
  const warnings: string[] = [];
  const clock = { offset: 0 };
  const RealDate = Date;
  class FakeDate extends RealDate {
    static now() {
      return RealDate.now() + clock.offset;
    }
  }
  const script = {
    src: 'http://pulse.test/tracker.js',
    getAttribute: (name: string) => ({ 'data-pulse-key': 'k-0123456789abcdef', 'data-pulse-endpoint': 'http://pulse.test', 'data-pulse-batch-size': '1000' })[name] ?? null,
  };
  const sandbox: Record<string, unknown> = {
    Date: FakeDate,
    console: { warn: (...args: unknown[]) => warnings.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')) },
    // timers never fire on their own: the test flushes, so every request is one the test caused
    setTimeout: () => 0,
    clearTimeout: () => undefined,
    setInterval: () => 0,
    crypto: globalThis.crypto,
    Blob,
    URL,
    localStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
    },
    navigator: { onLine: true },
    location: { pathname: '/', href: 'http://shop.test/' },
    document: { currentScript: script, querySelector: () => script, addEventListener: () => undefined, visibilityState: 'visible', title: 'shop', referrer: '' },
    addEventListener: () => undefined,
    fetch: async (_url: string, init: { body: string }) => {
      const events = (JSON.parse(init.body) as { events: WireEvent[] }).events;
      requests.push(events);
      const reply = server(events, Buffer.byteLength(init.body));
      return new Response(JSON.stringify(reply.body), { status: reply.status, headers: reply.headers });
    },
  };
  sandbox.window = sandbox;
  const context = createContext(sandbox);
  runInContext(SOURCE, context);
  const pulse = sandbox.pulse as PulseApi;
  const queued = () => (JSON.parse(storage.get('pulse:queue') ?? '[]') as { e: WireEvent }[]).map((x) => x.e.event_id);
  return { pulse, requests, warnings, queued, clock };
}

const accepted = (events: WireEvent[]): Reply => ({ status: 202, body: { accepted: events.length, duplicates: 0, rejected: [] } });
const refusal = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });

describe('tracker: what the server refuses is split or dropped, never retried forever', () => {
  it('splits a batch refused with 413 into halves until each part fits, and drops a single event that never fits', async () => {
    const LIMIT = 4000;
    const delivered: string[] = [];
    const t = loadTracker((events, bytes) => {
      if (bytes > LIMIT) return refusal(413, 'body_too_large', `the request body is larger than ${LIMIT} bytes`);
      delivered.push(...events.map((e) => e.event_id));
      return accepted(events);
    });
    const small = Array.from({ length: 30 }, (_, i) => t.pulse.track('page_view', { page: `/p/${i}` }));
    const huge = t.pulse.track('page_view', { page: 'x'.repeat(LIMIT) });
    const after = Array.from({ length: 5 }, (_, i) => t.pulse.track('page_view', { page: `/q/${i}` }));
    await t.pulse.flush();

    expect(delivered.sort()).toEqual([...small, ...after].sort());
    expect(t.queued()).toEqual([]);
    expect(t.warnings.filter((w) => w.includes('dropping an event the server refuses'))).toHaveLength(1);
    expect(t.warnings.join('\n')).toContain(huge);
    // halving n events costs at most about 2n requests; a loop that retried would never end
    expect(t.requests.length).toBeLessThan(2 * 36);
    const requestsSoFar = t.requests.length;
    await t.pulse.flush();
    expect(t.requests.length).toBe(requestsSoFar);
  });

  it('sends smaller batches after a 413, so later flushes do not pay for it again', async () => {
    const t = loadTracker((events) => (events.length > 40 ? refusal(413, 'body_too_large', 'too large') : accepted(events)));
    for (let i = 0; i < 80; i++) t.pulse.track('page_view');
    await t.pulse.flush();
    expect(t.requests.map((r) => r.length)).toEqual([80, 40, 40]);
    for (let i = 0; i < 80; i++) t.pulse.track('page_view');
    await t.pulse.flush();
    expect(t.requests.slice(3).map((r) => r.length)).toEqual([40, 40]);
  });

  it.each([400, 422])('isolates and drops one event refused with %i as a whole; its neighbours are delivered', async (status) => {
    const delivered: string[] = [];
    const t = loadTracker((events) => {
      if (events.some((e) => e.properties?.bad)) return refusal(status, status === 400 ? 'bad_request' : 'invalid_inventory', 'this one is bad');
      delivered.push(...events.map((e) => e.event_id));
      return accepted(events);
    });
    const good = Array.from({ length: 9 }, () => t.pulse.track('add_to_cart', { product_id: 'p' }));
    const bad = t.pulse.track('add_to_cart', { bad: true });
    good.push(t.pulse.track('add_to_cart', { product_id: 'p' }));
    await t.pulse.flush();
    expect(delivered.sort()).toEqual([...good].sort());
    expect(t.queued()).toEqual([]);
    expect(t.warnings.some((w) => w.includes(`HTTP ${status}: dropping an event the server refuses. this one is bad`) && w.includes(bad))).toBe(true);
  });

  it('keeps events and retries after a backoff on 5xx and 429 (never splits or drops them)', async () => {
    let down = true;
    const delivered: string[] = [];
    const t = loadTracker((events) => {
      if (down) return events.length % 2 ? refusal(503, 'log_unavailable', 'later') : { ...refusal(429, 'backpressure', 'behind'), headers: { 'Retry-After': '1' } };
      delivered.push(...events.map((e) => e.event_id));
      return accepted(events);
    });
    const ids = Array.from({ length: 4 }, () => t.pulse.track('page_view'));
    await t.pulse.flush();
    expect(t.requests.map((r) => r.length)).toEqual([4]);
    expect(t.queued()).toEqual(ids);
    await t.pulse.flush(); // still backing off: no request
    expect(t.requests).toHaveLength(1);
    down = false;
    t.clock.offset += 5_000;
    await t.pulse.flush();
    expect(delivered).toEqual(ids);
    expect(t.queued()).toEqual([]);
    expect(t.warnings).toEqual([]);
  });
});
