import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drained, iso, startPulse, TEST_KEY, type RunningPulse } from '../helpers/pulse';

let p: RunningPulse;
beforeAll(async () => {
  p = await startPulse({ INGEST_MAX_BATCH: '50', INGEST_MAX_BODY_BYTES: '20000', CORS_ALLOWED_ORIGINS: 'https://shop.example', ADMIN_API_KEYS: ADMIN_KEY });
});
afterAll(() => p.close());

const ADMIN_KEY = 'ingest-test-admin-key-0123456789';
const now = () => iso(Date.now());
const pageView = (user: string, extra: Record<string, unknown> = {}) => ({ timestamp: now(), user_id: user, event_type: 'page_view', ...extra });

describe('POST /api/events', () => {
  it('accepts a single event with 202', async () => {
    const r = await p.post(pageView('single'));
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('accepts the good events of a batch and names the field and reason of each bad one', async () => {
    const r = await p.post({
      events: [
        pageView('b1'),
        { timestamp: now(), event_type: 'page_view' },
        { ...pageView('b3'), event_type: 'purchase', properties: { amount: -5 } },
        pageView('b4'),
      ],
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, error: 'user_id: is required' },
        { index: 2, error: 'properties.amount: must not be negative' },
      ],
    });
  });

  it('applies a retried event_id once and reports it as a duplicate', async () => {
    const before = p.pulse.stats.acceptedTotal;
    const event = { ...pageView('retry'), event_id: `retry-${Date.now()}`, event_type: 'purchase', properties: { amount: 10 } };
    expect((await p.post(event)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await p.post({ events: [event, event] })).body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    await drained(p.pulse);
    expect(p.pulse.stats.acceptedTotal - before).toBe(1);
    const user = await (await p.get('/api/users/retry', { authorization: `Bearer ${ADMIN_KEY}` })).json();
    expect(user).toMatchObject({ purchaseCount: 1, lifetimeValueMinor: 1000 });
  });

  it('answers 400 when every event of the request was rejected', async () => {
    const r = await p.post({ timestamp: 'yesterday', user_id: 'x', event_type: 'page_view' });
    expect(r.status).toBe(400);
    expect(r.body.accepted).toBe(0);
    expect(r.body.rejected[0].error).toMatch(/^timestamp: must be an ISO 8601/);
  });

  it('answers 400 for malformed JSON and for bodies that are not events', async () => {
    expect((await p.post('{"events": [')).status).toBe(400);
    expect((await p.post('{"events": [')).body.error.code).toBe('malformed_json');
    expect((await p.post('[1,2]')).body.error.code).toBe('invalid_body');
    expect((await p.post({ events: {} })).body.error.code).toBe('invalid_batch');
    expect((await p.post({ events: [] })).body.error.code).toBe('empty_batch');
  });

  it('answers 401 without a key or with an unknown key', async () => {
    const none = await fetch(`${p.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('missing_key');
    const unknown = await p.post(pageView('k'), { authorization: 'Bearer wrong-key-0123456789' });
    expect([unknown.status, unknown.body.error.code]).toEqual([401, 'unknown_key']);
  });

  it('answers 415 for a content type other than JSON', async () => {
    const r = await p.post('user_id=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
  });

  it('answers 413 for a body over the byte limit and a batch over the event limit', async () => {
    const big = await p.post({ events: [pageView('big', { properties: { page: 'x'.repeat(2000) } })], pad: 'y'.repeat(30_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body_too_large');
    const many = await p.post({ events: Array.from({ length: 51 }, (_, i) => pageView(`m${i}`)) });
    expect(many.status).toBe(413);
    expect(many.body.error.message).toBe('the batch has 51 events; the limit is 50 per request');
  });

  it('takes the key from the query string only for text/plain beacons', async () => {
    const beacon = await fetch(`${p.url}/api/events?key=${TEST_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ events: [pageView('beacon')] }),
    });
    expect(beacon.status).toBe(202);
    const jsonWithQueryKey = await fetch(`${p.url}/api/events?key=${TEST_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pageView('q')),
    });
    expect(jsonWithQueryKey.status).toBe(401);
  });

  it('answers CORS preflights for allowed origins and refuses others', async () => {
    const ok = await fetch(`${p.url}/api/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const post = await p.post(pageView('cors'), { origin: 'https://shop.example' });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const bad = await fetch(`${p.url}/api/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 405 for other methods', async () => {
    const r = await fetch(`${p.url}/api/events`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('backpressure', () => {
  it('answers 429 with Retry-After and accepts nothing when the backlog is over its bound', async () => {
    const small = await startPulse({ PIPELINE_MAX_BACKLOG: '100' });
    try {
      const r = await small.post({ events: Array.from({ length: 101 }, (_, i) => pageView(`bp${i}`)) });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(small.pulse.stats.acceptedTotal).toBe(0);
      expect((await small.post({ events: Array.from({ length: 100 }, (_, i) => pageView(`bp${i}`)) })).status).toBe(202);
    } finally {
      await small.close();
    }
  });
});

describe('other endpoints', () => {
  it('reports health', async () => {
    const h = await (await fetch(`${p.url}/api/health`)).json();
    expect(h).toMatchObject({ status: 'ok', mode: 'embedded', durable: false, dependencies: { eventLog: { kind: 'in-process' } } });
  });

  it('sets stock through the inventory API with a secret key, never the publishable ingest key', async () => {
    const withIngestKey = await fetch(`${p.url}/api/inventory`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ product_id: 'sku-1', stock: 0 }] }),
    });
    expect(withIngestKey.status).toBe(403);
    expect((await withIngestKey.json()).error.code).toBe('forbidden');
    const res = await fetch(`${p.url}/api/inventory`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ product_id: 'sku-1', stock: 3 }] }),
    });
    expect(res.status).toBe(200);
    const bad = await fetch(`${p.url}/api/inventory`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ product_id: 'sku-1', stock: -3 }] }),
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/^items\.0\.stock: /);
    const live = await (await p.get('/api/metrics/live', { authorization: `Bearer ${ADMIN_KEY}` })).json();
    expect(live.inventory.lowStock).toContainEqual({ productId: 'sku-1', stock: 3 });
  });

  it('answers 404 in JSON for unknown API paths', async () => {
    const r = await fetch(`${p.url}/api/nope`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.code).toBe('not_found');
  });
});
