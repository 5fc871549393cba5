import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '@/lib/events';
import { startFakeIngest, type FakeIngest } from './fake-ingest';
import { retryAfterMs, Sender, type SenderOptions } from './sender';

let server: FakeIngest;
let warnings: string[];
beforeEach(async () => {
  server = await startFakeIngest();
  warnings = [];
});
afterEach(() => server.close());

const events = (n: number, prefix = 'evt'): WireEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `${prefix}_${i}`,
    timestamp: new Date().toISOString(),
    user_id: 'user_1',
    event_type: 'page_view',
    properties: { page: '/' },
  }));

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sender = (o: Partial<SenderOptions> = {}) =>
  new Sender({ url: server.url, key: 'k-123', batchSize: 50, retryBaseMs: 20, warn: (l) => warnings.push(l), ...o });

describe('Sender', () => {
  it('posts batches with the bearer key and a JSON body, at most batchSize per request', async () => {
    const s = sender();
    s.enqueue(events(120));
    expect(await s.flush()).toBe(true);
    expect(server.requests.map((r) => r.eventIds.length)).toEqual([50, 50, 20]);
    expect(server.requests[0].url).toBe('/api/events');
    expect(server.requests[0].headers.authorization).toBe('Bearer k-123');
    expect(server.requests[0].headers['content-type']).toBe('application/json');
    expect(s.stats).toMatchObject({ sent: 120, accepted: 120, duplicates: 0, retries: 0, requests: 3 });
  });

  it('sends each event on its own, unwrapped, with batch size 1', async () => {
    const s = sender({ batchSize: 1 });
    s.enqueue(events(3));
    await s.flush();
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0].body).toMatchObject({ event_id: 'evt_0', event_type: 'page_view' });
  });

  it('waits for a partial batch to fill for lingerMs, then sends it', async () => {
    const s = sender({ lingerMs: 150 });
    s.enqueue(events(5));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(server.requests.map((r) => r.eventIds.length)).toEqual([5]);
    s.close();
  });

  it('on 429 waits Retry-After and resends the same event_ids', async () => {
    server.respond = (_req, i) => (i === 0 ? { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'backpressure', message: 'slow down' } } } : null);
    const s = sender();
    s.enqueue(events(10));
    const started = Date.now();
    expect(await s.flush()).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].eventIds).toEqual(server.requests[0].eventIds);
    const retriedAt = Date.now() - started;
    expect(retriedAt).toBeGreaterThanOrEqual(950);
    expect(s.stats).toMatchObject({ accepted: 10, retries: 1, sent: 10 });
    expect(warnings.join('\n')).toMatch(/429: slow down.*retrying 10 event/);
  });

  it('counts a retried batch the server had already stored as duplicates', async () => {
    // the first answer is lost after the server stored the events (a timeout, a dropped connection)
    server.respond = (req, i) => {
      if (i > 0) return null;
      req.eventIds.forEach((id) => server.accepted.add(id));
      return { status: 0 };
    };
    const s = sender({ lingerMs: 0 });
    s.enqueue(events(4));
    await until(() => s.stats.sent === 4);
    expect(server.requests[1].eventIds).toEqual(server.requests[0].eventIds);
    expect(s.stats).toMatchObject({ accepted: 0, duplicates: 4, retries: 1 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[pulse-sim\] warning: POST .* failed .*retrying 4 event/);
  });

  it('retries 5xx and unreachable servers with backoff instead of crashing', async () => {
    server.respond = (_req, i) => (i < 3 ? { status: 503, body: { error: { code: 'log_unavailable', message: 'retry later' } } } : null);
    const s = sender();
    s.enqueue(events(2));
    expect(await s.flush()).toBe(true);
    expect(server.requests).toHaveLength(4);
    expect(s.stats).toMatchObject({ accepted: 2, retries: 3 });

    const unreachable = new Sender({ url: 'http://127.0.0.1:9', key: 'k', batchSize: 10, retryBaseMs: 10, retryMaxMs: 50, warn: (l) => warnings.push(l) });
    unreachable.enqueue(events(3));
    await until(() => unreachable.stats.retries > 2);
    expect(unreachable.backlog).toBe(3);
    // when stopping, one more try and then the events are reported as undelivered
    const started = Date.now();
    expect(await unreachable.flush(5_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(unreachable.backlog).toBe(3);
    unreachable.close();
  });

  it('stops on 401 with a message naming the key options', async () => {
    server.respond = () => ({ status: 401, body: { error: { code: 'unknown_key', message: 'the ingest key is not valid' } } });
    let fatal = '';
    const s = sender({ onFatal: (m) => (fatal = m) });
    s.enqueue(events(60));
    expect(await s.flush(2000)).toBe(false);
    expect(fatal).toMatch(/ingest key was refused \(401: the ingest key is not valid\).*--key.*PULSE_INGEST_KEY/);
    expect(s.fatal).toBe(fatal);
    s.enqueue(events(5, 'later'));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it('counts individually rejected events and never resends them', async () => {
    server.respond = (req) => ({ status: 202, body: { accepted: req.eventIds.length - 1, duplicates: 0, rejected: [{ index: 1, error: 'properties.amount: is required for purchase events' }] } });
    const s = sender();
    s.enqueue(events(3));
    await s.flush();
    expect(server.requests).toHaveLength(1);
    expect(s.stats).toMatchObject({ sent: 3, accepted: 2, rejected: 1, retries: 0 });
    expect(warnings[0]).toMatch(/1 event\(s\) rejected.*properties\.amount/);
  });

  it('gives up on a malformed-request answer instead of retrying forever', async () => {
    server.respond = () => ({ status: 415, body: { error: { code: 'unsupported_media_type', message: 'send JSON' } } });
    const s = sender();
    s.enqueue(events(3));
    expect(await s.flush()).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(s.stats).toMatchObject({ failed: 3, retries: 0 });
  });

  it('splits a batch the server finds too large', async () => {
    server.respond = (req) => (req.eventIds.length > 10 ? { status: 413, body: { error: { code: 'body_too_large', message: 'too big' } } } : null);
    const s = sender({ batchSize: 40 });
    s.enqueue(events(40));
    expect(await s.flush()).toBe(true);
    expect(s.stats.accepted).toBe(40);
    expect(new Set(server.requests.slice(1).flatMap((r) => r.eventIds)).size).toBe(40);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
