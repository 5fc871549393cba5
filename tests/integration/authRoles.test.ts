import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropCreatedDatabases, PUBLISHABLE_KEY, SECRET_KEY, sessionCookieOf, startAuthPulse, type AuthPulse, type Caller } from '../helpers/auth';

/**
 * What each kind of caller can reach: every API route, every page, the socket. The expectations
 * are written out by hand from the issue (viewer: live overview and wall; analyst: plus history
 * and per-user/per-session; admin: plus rules, pipeline, dead letters, users, keys, tokens,
 * audit; a publishable key may only send events; a secret key is for scripts; a display sees
 * the wall and nothing else) — not derived from GRANTS, so a wrong grant fails here.
 */

type Who = 'anonymous' | 'viewer' | 'analyst' | 'admin' | 'display' | 'publishable' | 'secret';
const EVERYONE: Who[] = ['anonymous', 'viewer', 'analyst', 'admin', 'display', 'publishable', 'secret'];

let p: AuthPulse;
const callers = {} as Record<Who, Caller>;
let displayCookie = '';

beforeAll(async () => {
  p = await startAuthPulse();
  callers.anonymous = p.call;
  callers.admin = p.as(await p.adminCookie());
  callers.viewer = p.as((await p.createUser('viewer')).cookie);
  callers.analyst = p.as((await p.createUser('analyst')).cookie);
  callers.publishable = p.withKey(PUBLISHABLE_KEY);
  callers.secret = p.withKey(SECRET_KEY);
  const made = await callers.admin('/api/admin/display-tokens', { method: 'POST', json: { name: 'Office TV' } });
  expect(made.status).toBe(201);
  const opened = await p.call(made.body.link);
  expect([opened.status, opened.headers.get('location')]).toEqual([303, '/wall']);
  displayCookie = sessionCookieOf(opened.headers, 'pulse_display')!;
  expect(displayCookie).toBeTruthy();
  callers.display = p.as(displayCookie);
  // something for the per-user and per-session lookups to find
  const sent = await callers.publishable('/api/events', { method: 'POST', json: { events: [{ timestamp: new Date().toISOString(), user_id: 'u1', session_id: 's1', event_type: 'page_view', page: '/' }] } });
  expect(sent.status).toBe(202);
  const deadline = Date.now() + 5000;
  while ((await callers.secret('/api/users/u1')).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await p?.close();
  await dropCreatedDatabases();
});

interface RouteCase {
  method: string;
  path: string;
  json?: unknown;
  /** who gets the success status; everyone else signed in (or with a key) gets 403, anonymous 401 */
  allowed: Who[];
  ok: number;
}

const ADMINS: Who[] = ['admin', 'secret'];
const ANALYSTS: Who[] = ['analyst', 'admin', 'secret'];
const READERS: Who[] = ['viewer', 'analyst', 'admin', 'display', 'secret'];

const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/api/metrics/live', allowed: READERS, ok: 200 },
  { method: 'GET', path: '/metrics', allowed: READERS, ok: 200 },
  { method: 'GET', path: '/api/users/u1', allowed: ANALYSTS, ok: 200 },
  { method: 'GET', path: '/api/sessions/s1', allowed: ANALYSTS, ok: 200 },
  { method: 'GET', path: '/api/history', allowed: ANALYSTS, ok: 200 },
  { method: 'GET', path: '/api/pipeline/history', allowed: ADMINS, ok: 200 },
  { method: 'GET', path: '/api/pipeline/dead-letters', allowed: ADMINS, ok: 200 },
  { method: 'GET', path: '/api/rules', allowed: ADMINS, ok: 200 },
  { method: 'PATCH', path: '/api/rules', json: { fraudWeights: { amount: 0.3, velocity: 0.4, location: 0.3 } }, allowed: ADMINS, ok: 200 },
  { method: 'POST', path: '/api/inventory', json: { items: [{ product_id: 'sku-1', stock: 7 }] }, allowed: ADMINS, ok: 200 },
  { method: 'POST', path: '/api/events', json: { events: [{ timestamp: new Date().toISOString(), user_id: 'u2', event_type: 'page_view' }] }, allowed: ['publishable', 'secret'], ok: 202 },
  { method: 'GET', path: '/api/admin/users', allowed: ADMINS, ok: 200 },
  { method: 'GET', path: '/api/admin/keys', allowed: ADMINS, ok: 200 },
  { method: 'GET', path: '/api/admin/display-tokens', allowed: ADMINS, ok: 200 },
  { method: 'GET', path: '/api/admin/audit', allowed: ADMINS, ok: 200 },
];

describe('every API route, for every kind of caller', () => {
  for (const route of ROUTES) {
    for (const who of EVERYONE) {
      const expected = route.allowed.includes(who) ? route.ok : who === 'anonymous' ? 401 : 403;
      it(`${route.method} ${route.path} as ${who} → ${expected}`, async () => {
        const r = await callers[who](route.path, { method: route.method, json: route.json });
        expect(r.status, r.text.slice(0, 300)).toBe(expected);
        if (expected >= 400) {
          expect(r.body.error.code).toBe(expected === 401 ? (route.path === '/api/events' ? 'missing_key' : 'unauthenticated') : 'forbidden');
          // a refusal carries nothing of the data
          expect(r.text).not.toMatch(/revenue|u1|acceptedTotal/);
        }
      });
    }
  }

  it('the snapshot a reader gets is real data, not an empty shell', async () => {
    const r = await callers.viewer('/api/metrics/live');
    expect(r.body).toHaveProperty('pipeline');
  });

  it('a wrong bearer key is refused, not treated as anonymous', async () => {
    const r = await p.withKey('not-a-real-key-0123456789')('/api/metrics/live');
    expect([r.status, r.body.error.code]).toEqual([401, 'unknown_key']);
  });
});

describe('changes with a cookie and their origin', () => {
  it('accepts Pulse own origin, refuses another origin and a cross-site fetch', async () => {
    const body = { items: [{ product_id: 'sku-2', stock: 3 }] };
    const own = await callers.admin('/api/inventory', { method: 'POST', json: body, headers: { origin: p.url } });
    expect(own.status).toBe(200);
    const evil = await callers.admin('/api/inventory', { method: 'POST', json: body, headers: { origin: 'https://evil.example' } });
    expect([evil.status, evil.body.error.code]).toEqual([403, 'origin_not_allowed']);
    const cross = await callers.admin('/api/inventory', { method: 'POST', json: body, headers: { 'sec-fetch-site': 'cross-site' } });
    expect([cross.status, cross.body.error.code]).toEqual([403, 'cross_site_request']);
    const crossUser = await callers.admin('/api/admin/users', { method: 'POST', json: { email: 'csrf@pulse.test', password: 'csrf-password-123', role: 'admin' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect([crossUser.status, crossUser.body.error.code]).toEqual([403, 'cross_site_request']);
    const users = await callers.admin('/api/admin/users');
    expect(users.body.users.map((u: { email: string }) => u.email)).not.toContain('csrf@pulse.test');
  });

  it('a read from another origin with the cookie is refused', async () => {
    const r = await callers.viewer('/api/metrics/live', { headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('pages, through the gate', () => {
  type Outcome = 'page' | 'login' | 'denied';
  const PAGES: { path: string; page: string; who: Partial<Record<Who, Outcome>> }[] = [
    { path: '/', page: 'overview', who: { viewer: 'page', analyst: 'page', admin: 'page', display: 'denied' } },
    { path: '/wall', page: 'wall', who: { viewer: 'page', analyst: 'page', admin: 'page', display: 'page' } },
    { path: '/history', page: 'history', who: { viewer: 'denied', analyst: 'page', admin: 'page', display: 'denied' } },
    { path: '/users/u1', page: 'entities', who: { viewer: 'denied', analyst: 'page', admin: 'page', display: 'denied' } },
    { path: '/sessions/s1', page: 'entities', who: { viewer: 'denied', analyst: 'page', admin: 'page', display: 'denied' } },
    { path: '/pipeline', page: 'pipeline', who: { viewer: 'denied', analyst: 'denied', admin: 'page', display: 'denied' } },
    { path: '/admin', page: 'admin', who: { viewer: 'denied', analyst: 'denied', admin: 'page', display: 'denied' } },
  ];
  for (const page of PAGES) {
    for (const who of EVERYONE) {
      // anonymous and keys (a key is for scripts, not a browser) go to the sign-in page
      const outcome: Outcome = page.who[who] ?? 'login';
      it(`${page.path} as ${who} → ${outcome}`, async () => {
        const r = await callers[who](page.path);
        if (outcome === 'page') {
          expect(r.status).toBe(200);
          expect(r.text).toBe(`page ${page.path}`);
        } else if (outcome === 'login') {
          expect(r.status).toBe(303);
          expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent(page.path)}`);
          expect(r.text).toBe('');
        } else {
          expect(r.status).toBe(403);
          expect(r.text).toBe(`page /denied?page=${page.page}`);
        }
      });
    }
  }

  it('the sign-in page is open to anyone; a login next= cannot lead to another site', async () => {
    expect((await p.call('/login')).status).toBe(200);
    const r = await p.call('/admin?x=1');
    expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/admin?x=1')}`);
    const signedIn = await callers.admin('/login?next=//evil.example');
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, '/']);
    // browsers read a backslash as a slash and drop tabs: both would lead to //evil.example
    for (const next of ['/\\evil.example', '/%5Cevil.example', '/\t/evil.example']) {
      const r2 = await callers.admin(`/login?next=${encodeURIComponent(decodeURIComponent(next))}`);
      expect([next, r2.status, r2.headers.get('location')]).toEqual([next, 303, '/']);
    }
    const ours = await callers.admin(`/login?next=${encodeURIComponent('/history?range=7d')}`);
    expect(ours.headers.get('location')).toBe('/history?range=7d');
  });

  it('a display link that is not valid sets no cookie', async () => {
    const r = await p.call('/wall?display=dt_notARealTokenButPlausible0123456789');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).not.toBe('/wall');
    expect(sessionCookieOf(r.headers, 'pulse_display')).toBeNull();
  });
});

describe('the live socket', () => {
  const open: Socket[] = [];
  afterAll(() => open.forEach((s) => s.close()));

  function socket(opts: { cookie?: string; token?: string; origin?: string }): Socket {
    const extraHeaders: Record<string, string> = {};
    if (opts.cookie) extraHeaders.cookie = opts.cookie;
    if (opts.origin) extraHeaders.origin = opts.origin;
    const s = connect(p.url, { transports: ['websocket'], reconnection: false, extraHeaders, auth: opts.token ? { token: opts.token } : {}, forceNew: true });
    open.push(s);
    return s;
  }

  /** 'metrics' when data arrived, else the connect_error message */
  function outcome(s: Socket): Promise<string> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve('timeout'), 5000);
      s.on('metrics', () => (clearTimeout(t), resolve('metrics')));
      s.on('connect_error', (err) => (clearTimeout(t), resolve(err.message)));
    });
  }

  it('anonymous gets no data: refused as unauthenticated', async () => {
    expect(await outcome(socket({}))).toBe('unauthenticated');
  });

  it('viewer, display and secret key get metrics', async () => {
    const viewer = (await p.createUser('viewer')).cookie;
    expect(await outcome(socket({ cookie: viewer }))).toBe('metrics');
    expect(await outcome(socket({ cookie: displayCookie }))).toBe('metrics');
    expect(await outcome(socket({ token: SECRET_KEY }))).toBe('metrics');
  });

  it('the publishable key is refused as forbidden; a wrong key as unauthenticated', async () => {
    expect(await outcome(socket({ token: PUBLISHABLE_KEY }))).toBe('forbidden');
    expect(await outcome(socket({ token: 'sk_wrongwrongwrongwrongwrong' }))).toBe('unauthenticated');
  });

  it('a socket from another origin is refused even with a good cookie', async () => {
    const cookie = await p.adminCookie();
    expect(await outcome(socket({ cookie, origin: 'https://evil.example' }))).not.toBe('metrics');
    expect(await outcome(socket({ cookie, origin: p.url }))).toBe('metrics');
  });
});

describe('READ_ALLOWED_ORIGINS', () => {
  let q: AuthPulse;
  beforeAll(async () => {
    q = await startAuthPulse({ READ_ALLOWED_ORIGINS: 'https://ok.example' });
  });
  afterAll(() => q?.close());

  it('lets the configured origin read with credentials, never with *', async () => {
    const viewer = await q.createUser('viewer');
    const ok = await q.as(viewer.cookie)('/api/metrics/live', { headers: { origin: 'https://ok.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ok.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await q.as(viewer.cookie)('/api/metrics/live', { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    for (const r of [ok, evil, await q.call('/api/metrics/live'), await q.as(viewer.cookie)('/api/metrics/live')]) {
      expect(r.headers.get('access-control-allow-origin')).not.toBe('*');
    }
    const pre = await q.call('/api/metrics/live', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(pre.headers.get('access-control-allow-origin')).not.toBe('*');
    expect(pre.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });

  it('the configured origin may open the socket', async () => {
    const viewer = await q.createUser('viewer');
    const s = connect(q.url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: viewer.cookie, origin: 'https://ok.example' }, forceNew: true });
    try {
      const got = await new Promise<string>((resolve) => {
        s.on('metrics', () => resolve('metrics'));
        s.on('connect_error', (e) => resolve(e.message));
        setTimeout(() => resolve('timeout'), 5000);
      });
      expect(got).toBe('metrics');
    } finally {
      s.close();
    }
  });
});
