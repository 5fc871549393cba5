import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, INGEST_KEY, pageView, postEvents, startHttpFixture, type Fixture } from './httpFixture';

let fx: Fixture;
beforeAll(async () => {
  fx = await startHttpFixture();
});
afterAll(() => fx.close());

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function call(url: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${url}${path}`, init);
  const body = (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } };
  return { status: res.status, body };
}

function setStock(url: string, headers: Record<string, string>, items: unknown = [{ product_id: 'sku-1', stock: 3 }]) {
  return call(url, '/api/inventory', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ items }) });
}

describe('events:write', () => {
  it('takes the ingest key from the Bearer header', async () => {
    expect((await postEvents(fx.url, pageView('a'))).status).toBe(202);
    const none = await call(fx.url, '/api/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none).toEqual({ status: 401, body: { error: { code: 'missing_key', message: 'send your ingest key as "Authorization: Bearer <key>"' } } });
    const wrong = await postEvents(fx.url, pageView('a'), bearer('not-a-key-0123456789'));
    expect([wrong.status, JSON.parse(wrong.text).error.code]).toEqual([401, 'unknown_key']);
  });

  it('takes ?key= only from a text/plain beacon', async () => {
    const body = JSON.stringify({ events: [pageView('beacon')] });
    const beacon = await fetch(`${fx.url}/api/events?key=${INGEST_KEY}`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body });
    expect(beacon.status).toBe(202);
    const json = await fetch(`${fx.url}/api/events?key=${INGEST_KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(json.status).toBe(401);
    // text/plain without a query key is not an ingest request at all
    const plain = await postEvents(fx.url, body, { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
  });

  it('refuses an admin key for sending events: keys do one job', async () => {
    const r = await postEvents(fx.url, pageView('adm'), bearer(ADMIN_KEY));
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).error).toEqual({ code: 'forbidden', message: 'this key may not send events; use an ingest key (INGEST_API_KEYS)' });
  });

  it('answers CORS preflights for allowed origins, so the browser can read a 401 too', async () => {
    const r = await postEvents(fx.url, pageView('c'), { origin: 'https://shop.example', authorization: '' });
    expect(r.status).toBe(401);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const bad = await postEvents(fx.url, pageView('c'), { origin: 'https://evil.example' });
    expect([bad.status, JSON.parse(bad.text).error.code]).toEqual([403, 'origin_not_allowed']);
  });
});

describe('inventory:write', () => {
  it('needs the admin key: the publishable ingest key is refused with 403', async () => {
    const withIngest = await setStock(fx.url, bearer(INGEST_KEY));
    expect(withIngest.status).toBe(403);
    expect(withIngest.body.error).toEqual({
      code: 'forbidden',
      message: 'an ingest key is publishable and may only send events; inventory:write needs an admin key (ADMIN_API_KEYS)',
    });
    expect(fx.stock.size).toBe(0);
    expect(await setStock(fx.url, {})).toMatchObject({ status: 401, body: { error: { code: 'admin_key_required' } } });
    expect(await setStock(fx.url, bearer('wrong-admin-key-0123456789'))).toMatchObject({ status: 401, body: { error: { code: 'admin_key_invalid' } } });
  });

  it('sets stock with the admin key, and names the field of a bad item', async () => {
    const changes = fx.stateChanges;
    expect(await setStock(fx.url, bearer(ADMIN_KEY))).toEqual({ status: 200, body: { updated: 1 } });
    expect(fx.stock.get('sku-1')).toBe(3);
    expect(fx.stateChanges).toBe(changes + 1);
    const bad = await setStock(fx.url, bearer(ADMIN_KEY), [{ product_id: 'sku-1', stock: -3 }]);
    expect(bad.status).toBe(422);
    expect(bad.body.error?.code).toBe('invalid_inventory');
    expect(bad.body.error?.message).toMatch(/^items\.0\.stock: /);
  });

  it('applies the same body rules as ingest: media type, charset, JSON', async () => {
    const headers = { ...bearer(ADMIN_KEY), 'content-type': 'text/plain' };
    expect((await call(fx.url, '/api/inventory', { method: 'POST', headers, body: '{}' })).status).toBe(415);
    const latin = await call(fx.url, '/api/inventory', { method: 'POST', headers: { ...headers, 'content-type': 'application/json; charset=latin1' }, body: '{}' });
    expect(latin.status).toBe(415);
    const broken = await call(fx.url, '/api/inventory', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"items": [' });
    expect(broken.body.error?.code).toBe('malformed_json');
  });

  it('is refused outright when no admin key is configured', async () => {
    const open = await startHttpFixture({ admin: [] });
    try {
      const r = await setStock(open.url, bearer(INGEST_KEY));
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'admin_disabled' } } });
    } finally {
      await open.close();
    }
  });
});

describe('dead-letters:manage', () => {
  const event = { eventId: 'e-1', clientId: true, userId: 'u', ts: 1, type: 'purchase' };

  it('lists, replays and discards with the admin key; the ingest key cannot', async () => {
    await fx.deps.deadLetters.add([
      { payload: JSON.stringify(event), eventId: 'e-1', error: 'boom', attempts: 3, failedAt: 1 },
      { payload: 'not json', eventId: null, error: 'undecodable', attempts: 1, failedAt: 2 },
    ]);
    const path = '/api/pipeline/dead-letters';
    expect((await call(fx.url, path, { headers: bearer(INGEST_KEY) })).status).toBe(403);
    expect((await call(fx.url, path)).body.error?.code).toBe('admin_key_required');
    const list = await call(fx.url, `${path}?limit=10`, { headers: bearer(ADMIN_KEY) });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    const [undecodable, replayable] = list.body.letters as { id: string }[];

    expect((await call(fx.url, `${path}/${undecodable.id}/replay`, { method: 'POST', headers: bearer(ADMIN_KEY) })).body.error?.code).toBe('not_replayable');
    const replay = await call(fx.url, `${path}/${replayable.id}/replay`, { method: 'POST', headers: bearer(ADMIN_KEY) });
    expect(replay).toEqual({ status: 200, body: { replayed: replayable.id, eventId: 'e-1' } });
    expect(fx.reappended.map((e) => e.eventId)).toEqual(['e-1']);
    expect((await call(fx.url, `${path}/${replayable.id}/replay`, { method: 'POST', headers: bearer(ADMIN_KEY) })).status).toBe(404);

    expect((await call(fx.url, `${path}/${undecodable.id}`, { method: 'DELETE', headers: bearer(INGEST_KEY) })).status).toBe(403);
    expect(await call(fx.url, `${path}/${undecodable.id}`, { method: 'DELETE', headers: bearer(ADMIN_KEY) })).toEqual({ status: 200, body: { discarded: undecodable.id } });
    expect(await fx.deps.deadLetters.count()).toBe(0);
  });
});
