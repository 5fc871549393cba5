import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, INGEST_KEY, pageView, postEvents, startHttpFixture, type Fixture } from './httpFixture';

let fx: Fixture;
beforeAll(async () => {
  fx = await startHttpFixture();
});
afterAll(() => fx.close());

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const PUBLISHABLE_REFUSAL = (permission: string) =>
  `a publishable key ships in shop pages and may only send events; ${permission} needs a secret key or a signed-in admin`;

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

  // under the old model an admin key could not send events; a secret key now may do everything a publishable one may
  it('takes events from a secret key too', async () => {
    const before = fx.appended.length;
    const r = await postEvents(fx.url, pageView('adm'), bearer(ADMIN_KEY));
    expect(r.status).toBe(202);
    expect(fx.appended.length).toBe(before + 1);
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
  it('needs a secret key: the publishable ingest key is refused with 403', async () => {
    const withIngest = await setStock(fx.url, bearer(INGEST_KEY));
    expect(withIngest.status).toBe(403);
    expect(withIngest.body.error).toEqual({ code: 'forbidden', message: PUBLISHABLE_REFUSAL('inventory:write') });
    expect(fx.stock.size).toBe(0);
    expect(await setStock(fx.url, {})).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    expect(await setStock(fx.url, bearer('wrong-admin-key-0123456789'))).toMatchObject({ status: 401, body: { error: { code: 'unknown_key' } } });
    // the beacon's ?key= is for events only
    const query = await call(fx.url, `/api/inventory?key=${ADMIN_KEY}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"items":[]}' });
    expect(query).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    expect(fx.stock.size).toBe(0);
  });

  it('sets stock with the secret key, and names the field of a bad item', async () => {
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

  // the old model answered admin_disabled when ADMIN_API_KEYS was empty; admin actions no longer
  // depend on it (a signed-in admin or a database key may do them), and the publishable key stays refused
  it('refuses the publishable key the same way when no secret key is configured', async () => {
    const open = await startHttpFixture({ admin: [] });
    try {
      const r = await setStock(open.url, bearer(INGEST_KEY));
      expect(r).toEqual({ status: 403, body: { error: { code: 'forbidden', message: PUBLISHABLE_REFUSAL('inventory:write') } } });
      expect(await setStock(open.url, bearer(ADMIN_KEY))).toMatchObject({ status: 401, body: { error: { code: 'unknown_key' } } });
      expect(open.stock.size).toBe(0);
    } finally {
      await open.close();
    }
  });
});

describe('dead-letters:manage', () => {
  const event = { eventId: 'e-1', clientId: true, userId: 'u', ts: 1, type: 'purchase' };

  it('lists, replays and discards with the secret key; the publishable key cannot', async () => {
    await fx.deps.deadLetters.add([
      { payload: JSON.stringify(event), eventId: 'e-1', error: 'boom', attempts: 3, failedAt: 1 },
      { payload: 'not json', eventId: null, error: 'undecodable', attempts: 1, failedAt: 2 },
    ]);
    const path = '/api/pipeline/dead-letters';
    expect((await call(fx.url, path, { headers: bearer(INGEST_KEY) })).status).toBe(403);
    expect((await call(fx.url, path)).body.error?.code).toBe('unauthenticated');
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

describe('reading endpoints', () => {
  // each read names its permission; all of them are the secret key's and none the publishable key's
  const reads: [string, string][] = [
    ['/api/metrics/live', 'metrics:read'],
    ['/metrics', 'metrics:read'],
    ['/api/users/reader', 'analytics:read'],
    ['/api/sessions/reader-s', 'analytics:read'],
    ['/api/pipeline/dead-letters', 'dead-letters:manage'],
    ['/api/pipeline/history', 'pipeline:read'],
    ['/api/rules', 'rules:manage'],
  ];
  const status = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${fx.url}${path}`, { headers });
    const text = await res.text();
    let error: { code: string; message: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code: string; message: string } }).error;
    } catch {
      /* Prometheus text */
    }
    return { path, status: res.status, code: error?.code ?? null, message: error?.message ?? null };
  };

  it('answers 401 unauthenticated without a credential', async () => {
    for (const [path] of reads) {
      expect(await status(path)).toEqual({ path, status: 401, code: 'unauthenticated', message: 'sign in (POST /api/auth/login), or send a secret key as "Authorization: Bearer <key>"' });
    }
  });

  it('answers 401 unknown_key to a wrong key', async () => {
    for (const [path] of reads) expect(await status(path, bearer('not-a-key-0123456789'))).toMatchObject({ path, status: 401, code: 'unknown_key' });
  });

  it('refuses the publishable key with 403 and says why', async () => {
    for (const [path, permission] of reads) {
      expect(await status(path, bearer(INGEST_KEY))).toEqual({ path, status: 403, code: 'forbidden', message: PUBLISHABLE_REFUSAL(permission) });
    }
  });

  it('serves the secret key', async () => {
    expect((await postEvents(fx.url, pageView('reader', { session_id: 'reader-s' }))).status).toBe(202);
    for (const [path] of reads) {
      // the fixture samples no pipeline history: past the permission, that route is a 404
      const expected = path === '/api/pipeline/history' ? 404 : 200;
      expect(await status(path, bearer(ADMIN_KEY))).toMatchObject({ path, status: expected });
    }
  });

  it('never reads a key from the query string', async () => {
    for (const [path] of reads) {
      const withKey = `${path}?key=${ADMIN_KEY}`;
      expect(await status(withKey, { 'content-type': 'text/plain' })).toMatchObject({ path: withKey, status: 401, code: 'unauthenticated' });
    }
  });

  it('refuses pages of other origins even with the secret key; requests without Origin pass', async () => {
    for (const [path] of reads) {
      expect(await status(path, { ...bearer(ADMIN_KEY), origin: 'https://evil.example' })).toMatchObject({ path, status: 403, code: 'origin_not_allowed' });
      // the shop's origin may send events, not read
      expect(await status(path, { ...bearer(ADMIN_KEY), origin: 'https://shop.example' })).toMatchObject({ path, status: 403, code: 'origin_not_allowed' });
    }
  });
});
