import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFetch, adminHeaders, pageView, postEvents, startHttpFixture, type Fixture } from './httpFixture';

let fx: Fixture;
beforeAll(async () => {
  fx = await startHttpFixture({ env: { READ_ALLOWED_ORIGINS: 'https://ops.example' } });
});
afterAll(() => fx.close());

/** with the secret key: these tests are about routing, not credentials (httpAuth.test.ts is) */
async function get(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(`${fx.url}${path}`, { ...init, headers: { ...adminHeaders, ...init.headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { error: { code: string; message: string } } };
}

describe('the route table', () => {
  it('answers unknown paths with a JSON 404 when there is no Next', async () => {
    const r = await get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({ error: { code: 'not_found', message: 'no route for /api/nope' } });
    expect((await get('/api/events/extra')).status).toBe(404);
  });

  it('answers a known path with the wrong method 405 and the methods it has in Allow', async () => {
    const r = await get('/api/events');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST, OPTIONS');
    expect(r.json().error.code).toBe('method_not_allowed');
    const del = await get('/api/users/u1', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
    const dl = await get('/api/pipeline/dead-letters/dl-1', { method: 'GET' });
    expect(dl.headers.get('allow')).toBe('DELETE');
  });

  it('serves HEAD for GET routes without a body', async () => {
    const r = await get('/api/health', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
  });

  it('reads the path of an absolute-form request target and never takes //x for a host', async () => {
    expect((await rawGet('http://pulse.example/api/health')).status).toBe(200);
    const slashes = await rawGet('//api/health');
    expect(slashes.status).toBe(404);
  });
});

describe('paths with ids', () => {
  it('decodes percent-encoded ids and finds the user and session', async () => {
    expect((await postEvents(fx.url, pageView('ü ser/1', { session_id: 's 1' }))).status).toBe(202);
    const user = await get(`/api/users/${encodeURIComponent('ü ser/1')}`);
    expect(user.status).toBe(200);
    expect(JSON.parse(user.text)).toMatchObject({ userId: 'ü ser/1', totalEvents: 1 });
    const session = await get('/api/sessions/s%201');
    expect(JSON.parse(session.text)).toMatchObject({ sessionId: 's 1', pageViews: 1 });
  });

  it('answers 400, never 500, for malformed percent-encoding', async () => {
    for (const path of ['/api/users/%E0%A4%A', '/api/sessions/%ZZ', '/api/users/%', '/api/users/%C0%AF', '/api/pipeline/dead-letters/%FF']) {
      const r = await get(path, path.includes('dead-letters') ? { method: 'DELETE' } : {});
      expect({ path, status: r.status, code: r.json().error.code }).toEqual({ path, status: 400, code: 'bad_request' });
      expect(r.json().error.message).toMatch(/is not valid percent-encoded UTF-8/);
    }
  });

  it('limits ids to 256 characters', async () => {
    expect((await get(`/api/users/${'a'.repeat(256)}`)).status).toBe(404);
    const long = await get(`/api/users/${'a'.repeat(257)}`);
    expect(long.status).toBe(400);
    expect(long.json()).toEqual({ error: { code: 'bad_request', message: 'the id in the path is longer than 256 characters' } });
    // the limit is on the decoded id: 200 encoded ü are 200 characters
    expect((await get(`/api/users/${'%C3%BC'.repeat(200)}`)).status).toBe(404);
  });

  it('treats prototype names as plain ids', async () => {
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const r = await get(`/api/users/${id}`);
      expect({ id, status: r.status }).toEqual({ id, status: 404 });
    }
  });
});

describe('errors', () => {
  it('answers an unexpected failure with a generic 500 that tells nothing of the cause', async () => {
    fx.fail.snapshot = new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.1:6379');
    try {
      const r = await get('/api/metrics/live');
      expect(r.status).toBe(500);
      expect(r.json()).toEqual({ error: { code: 'internal', message: 'something went wrong on our side; it has been logged' } });
      expect(r.text).not.toMatch(/hunter2|ECONNREFUSED/);
    } finally {
      fx.fail.snapshot = undefined;
    }
  });

  it('answers a log outage 503 and backpressure 429, both with Retry-After and the error body', async () => {
    fx.fail.append = 'throw';
    const down = await postEvents(fx.url, pageView('down'));
    fx.fail.append = 'backpressure';
    const behind = await postEvents(fx.url, pageView('behind'));
    fx.fail.append = undefined;
    expect([down.status, down.headers.get('retry-after'), JSON.parse(down.text).error.code]).toEqual([503, '2', 'log_unavailable']);
    expect(down.text).not.toMatch(/secret/);
    expect([behind.status, behind.headers.get('retry-after'), JSON.parse(behind.text).error.code]).toEqual([429, '1', 'backpressure']);
  });
});

describe('health, metrics and the live snapshot', () => {
  it('health is 200 when ok and 503 with the same body shape when degraded', async () => {
    expect(JSON.parse((await get('/api/health')).text)).toEqual({ status: 'ok' });
    fx.fail.health = true;
    const degraded = await get('/api/health');
    fx.fail.health = false;
    expect(degraded.status).toBe(503);
    expect(JSON.parse(degraded.text)).toEqual({ status: 'degraded' });
  });

  it('serves Prometheus text', async () => {
    const r = await get('/metrics');
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.text).toMatch(/^pulse_events_accepted_total \d+\n$/);
  });

  // it answered CORS_ALLOWED_ORIGINS (the shops' origins) before; reading is now for Pulse's own
  // origin and READ_ALLOWED_ORIGINS only, with credentials, and never `*`
  it('serves the live snapshot with CORS for its own and READ_ALLOWED_ORIGINS and 403 for others', async () => {
    const own = await get('/api/metrics/live', { headers: { origin: fx.url } });
    expect(own.status).toBe(200);
    const ok = await get('/api/metrics/live', { headers: { origin: 'https://ops.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const pre = await get('/api/metrics/live', { method: 'OPTIONS', headers: { origin: 'https://ops.example' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS');
    for (const origin of ['https://evil.example', 'https://shop.example']) {
      const bad = await get('/api/metrics/live', { headers: { origin } });
      expect({ origin, status: bad.status, code: bad.json().error.code, cors: bad.headers.get('access-control-allow-origin') }).toEqual({ origin, status: 403, code: 'origin_not_allowed', cors: null });
      const badPre = await get('/api/metrics/live', { method: 'OPTIONS', headers: { origin } });
      expect(badPre.status).toBe(403);
    }
  });
});

describe('fallback and roles', () => {
  it('hands unknown paths to Next when given, and keeps its own routes', async () => {
    const withNext = await startHttpFixture({ next: (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>next</p>') });
    try {
      expect(await (await fetch(`${withNext.url}/overview`)).text()).toBe('<p>next</p>');
      expect((await fetch(`${withNext.url}/api/health`)).status).toBe(200);
    } finally {
      await withNext.close();
    }
  });

  it('a worker process serves health and metrics only', async () => {
    const worker = await startHttpFixture({ config: { PULSE_ROLE: 'worker' }, next: () => undefined });
    try {
      expect((await fetch(`${worker.url}/api/health`)).status).toBe(200);
      expect((await adminFetch(`${worker.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${worker.url}/metrics`)).status).toBe(401);
      const r = await postEvents(worker.url, pageView('w'));
      expect(r.status).toBe(404);
      expect(JSON.parse(r.text).error.message).toBe('this is a worker process: only /api/health and /metrics are served');
    } finally {
      await worker.close();
    }
  });
});

function rawGet(target: string): Promise<{ status: number }> {
  const { hostname, port } = new URL(fx.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: target, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}
