import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropCreatedDatabases, startAuthPulse, type AuthPulse, type Caller } from '../helpers/auth';

/**
 * A corpus of bad input against every sign-in and admin endpoint: each gets a 4xx with
 * {error:{code,message}} (never a 500, never a hang), the server keeps answering, and no user,
 * key, display token or audit entry changes.
 */

let p: AuthPulse;
let admin: Caller;
let targetId = '';
let clientSeq = 0;

beforeAll(async () => {
  p = await startAuthPulse({ TRUST_PROXY: 'true' });
  admin = p.as(await p.adminCookie());
  targetId = (await p.createUser('viewer', 'target@pulse.test')).id;
});
afterAll(async () => {
  await p?.close();
  await dropCreatedDatabases();
});

const INJECTIONS = ["' OR 1=1 --", '"; DROP TABLE users; --', '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '__proto__', 'constructor', '../../etc/passwd', '%00', 'null'];
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

type Body = string | Buffer | undefined;
interface Case {
  label: string;
  body: Body;
  contentType?: string | null;
  /** the expected error code; omitted: any 4xx with a code */
  code?: string;
  /** the field the message must name */
  field?: string;
}

/** bad bodies that fit any JSON endpoint, given a good body to vary */
function bodyCorpus(good: Record<string, unknown>, valid: Record<string, unknown>, stringFields: string[], limit: number, contentChecked = true): Case[] {
  const json = (v: unknown) => JSON.stringify(v);
  const cases: Case[] = [
    { label: 'just over the limit', body: json({ ...good, pad: 'x'.repeat(limit) }), code: 'body_too_large' },
    { label: '2 MB', body: json({ ...good, pad: 'x'.repeat(2 * 1024 * 1024) }), code: 'body_too_large' },
    { label: 'empty body', body: '', code: 'malformed_json' },
    { label: 'not JSON', body: '{email:', code: 'malformed_json' },
    { label: 'JSON null', body: 'null', code: 'invalid_body' },
    { label: 'JSON array', body: '[]', code: 'invalid_body' },
    { label: 'JSON number', body: '42', code: 'invalid_body' },
    { label: 'JSON string', body: '"hello"', code: 'invalid_body' },
    { label: 'empty object', body: '{}', code: 'invalid_body' },
    { label: 'unknown field', body: json({ ...good, isAdmin: true }), code: 'invalid_body' },
    { label: '__proto__ with a role', body: `{"__proto__":{"role":"admin"},${json(good).slice(1)}`, code: 'invalid_body' },
    { label: 'only __proto__', body: '{"__proto__":{"role":"admin"}}', code: 'invalid_body' },
    { label: 'constructor key', body: json({ ...good, constructor: { prototype: { role: 'admin' } } }), code: 'invalid_body' },
    { label: '10,000 nested arrays', body: deepArray(10_000) },
    { label: '10,000 nested objects', body: deepObject(10_000) },
    { label: '1,000 nested arrays (under the size limit)', body: deepArray(1000) },
    { label: '1,000 nested objects (under the size limit)', body: deepObject(1000) },
    { label: 'invalid UTF-8 bytes', body: Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('@b.c","password":"x"}')]) },
    { label: 'UTF-16 body', body: Buffer.from(json(good), 'utf16le') },
    { label: 'text/plain', body: json(good), contentType: 'text/plain', code: 'unsupported_media_type' },
    { label: 'form-encoded', body: 'email=a%40b.c&password=x', contentType: 'application/x-www-form-urlencoded', code: 'unsupported_media_type' },
    { label: 'multipart', body: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x', code: 'unsupported_media_type' },
    { label: 'no content type', body: json(good), contentType: null, code: 'unsupported_media_type' },
    { label: 'latin1 charset', body: json(good), contentType: 'application/json; charset=iso-8859-1', code: 'unsupported_media_type' },
  ];
  for (const field of stringFields) {
    // passwords and tokens are any text of the right size (hashed, never stored as given)
    const checksContent = contentChecked && field !== 'password' && field !== 'token';
    // a body valid but for this field, so the refusal must be about this field; for text the
    // server does not check, the (invalid) good body, so nothing is created either way
    const base = checksContent ? valid : good;
    for (const [what, v] of [
      ['a number', 12345678901234],
      ['an array', ['a@b.c']],
      ['null', null],
      ['an object', { $ne: '' }],
      ['true', true],
    ] as const) {
      cases.push({ label: `${field} as ${what}`, field, body: json({ ...valid, [field]: v }), code: 'invalid_body' });
    }
    cases.push(
      { label: `${field} with a lone surrogate`, field: checksContent ? field : undefined, body: json({ ...base, [field]: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', '"ab\\ud800cd@x.y"'), code: checksContent ? 'invalid_body' : undefined },
      { label: `${field} with NUL`, field: checksContent ? field : undefined, body: json({ ...base, [field]: 'a\u0000b@x.y' }), code: checksContent ? 'invalid_body' : undefined },
      { label: `${field} deeply nested`, body: json({ ...valid, [field]: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', deepArray(3000)) },
    );
  }
  return cases;
}

interface Endpoint {
  method: string;
  path: string;
  caller: () => Caller;
  good: Record<string, unknown>;
  /** a body that would succeed (only ever sent with one field made wrong) */
  valid: Record<string, unknown>;
  stringFields: string[];
  limit: number;
  /** false: the endpoint checks only types and sizes (sign-in never reveals the rules), so odd text is just a wrong email or password */
  contentChecked?: boolean;
  /** extra cases: values that would be valid for other fields but not these */
  extra?: Case[];
}

const inj = (field: string, good: Record<string, unknown>): Case[] =>
  INJECTIONS.flatMap((s) => [
    { label: `${field} = ${s}`, body: JSON.stringify({ ...good, [field]: s }) },
    { label: `key ${s}`, body: JSON.stringify({ ...good, [s]: s }), code: 'invalid_body' },
  ]);

const ENDPOINTS: Endpoint[] = [
  {
    method: 'POST',
    path: '/api/auth/login',
    caller: () => p.call,
    good: { email: 'nobody@pulse.test', password: 'wrong-password-123' },
    valid: { email: 'nobody@pulse.test', password: 'wrong-password-123' },
    stringFields: ['email', 'password'],
    limit: 8 * 1024,
    contentChecked: false,
    extra: [...inj('email', { email: '', password: 'wrong-password-123' }), ...inj('password', { email: 'nobody@pulse.test', password: '' })],
  },
  {
    method: 'POST',
    path: '/api/auth/setup',
    caller: () => p.call,
    good: { token: 'ln_notarealtokennotarealtoken', email: 'second-admin@pulse.test', password: 'second-admin-password' },
    valid: { token: 'ln_notarealtokennotarealtoken', email: 'second-admin@pulse.test', password: 'second-admin-password' },
    stringFields: ['token', 'email', 'password'],
    limit: 8 * 1024,
    extra: inj('email', { token: 'ln_notarealtokennotarealtoken', email: '', password: 'second-admin-password' }),
  },
  {
    method: 'POST',
    path: '/api/admin/users',
    caller: () => admin,
    // the role is what makes this one invalid, so a case that slips through still creates nothing
    good: { email: 'new-user@pulse.test', password: 'new-user-password', role: 'superuser' },
    valid: { email: 'new-user@pulse.test', password: 'new-user-password', role: 'viewer' },
    stringFields: ['email', 'password', 'role'],
    limit: 16 * 1024,
    extra: [
      ...inj('role', { email: 'new-user@pulse.test', password: 'new-user-password', role: 'viewer' }),
      ...inj('email', { email: 'x', password: 'new-user-password', role: 'viewer' }),
      { label: 'short password', body: JSON.stringify({ email: 'new-user@pulse.test', password: 'short', role: 'viewer' }), code: 'invalid_body' },
      { label: 'role Admin (case)', body: JSON.stringify({ email: 'new-user@pulse.test', password: 'new-user-password', role: 'Admin' }), code: 'invalid_body' },
      { label: '300-character email', body: JSON.stringify({ email: `${'a'.repeat(290)}@pulse.test`, password: 'new-user-password', role: 'viewer' }), code: 'invalid_body' },
      { label: 'existing email', body: JSON.stringify({ email: 'TARGET@pulse.test', password: 'new-user-password', role: 'admin' }), code: 'conflict' },
    ],
  },
  {
    method: 'PATCH',
    path: '/api/admin/users/:target',
    caller: () => admin,
    good: { role: 'root' },
    valid: { role: 'analyst' },
    stringFields: ['role', 'password'],
    limit: 16 * 1024,
    extra: [
      ...inj('role', { role: 'viewer' }),
      { label: 'disabled as "true"', body: JSON.stringify({ disabled: 'true' }), code: 'invalid_body' },
      { label: 'disabled as 1', body: JSON.stringify({ disabled: 1 }), code: 'invalid_body' },
      { label: 'disabled as null', body: JSON.stringify({ disabled: null }), code: 'invalid_body' },
      { label: 'short password', body: JSON.stringify({ password: 'short' }), code: 'invalid_body' },
      { label: 'valid role but unknown field', body: JSON.stringify({ role: 'admin', email: 'x@y.z' }), code: 'invalid_body' },
    ],
  },
  {
    method: 'POST',
    path: '/api/admin/keys',
    caller: () => admin,
    good: { name: 'a key', kind: 'master' },
    valid: { name: 'a key', kind: 'secret' },
    stringFields: ['name', 'kind'],
    limit: 16 * 1024,
    extra: [
      ...inj('kind', { name: 'k', kind: 'secret' }),
      { label: 'rate limit as string', body: JSON.stringify({ name: 'k', kind: 'secret', rateLimitPerMinute: '100' }), code: 'invalid_body' },
      { label: 'rate limit -1', body: JSON.stringify({ name: 'k', kind: 'secret', rateLimitPerMinute: -1 }), code: 'invalid_body' },
      { label: 'rate limit 1.5', body: JSON.stringify({ name: 'k', kind: 'secret', rateLimitPerMinute: 1.5 }), code: 'invalid_body' },
      { label: 'rate limit 1e308', body: '{"name":"k","kind":"secret","rateLimitPerMinute":1e308}', code: 'invalid_body' },
      { label: 'empty name', body: JSON.stringify({ name: '   ', kind: 'secret' }), code: 'invalid_body' },
      { label: '81-character name', body: JSON.stringify({ name: 'n'.repeat(81), kind: 'secret' }), code: 'invalid_body' },
    ],
  },
  {
    method: 'POST',
    path: '/api/admin/display-tokens',
    caller: () => admin,
    good: { name: 'n'.repeat(81) },
    valid: { name: 'TV' },
    stringFields: ['name'],
    limit: 16 * 1024,
    extra: [
      { label: 'empty name', body: JSON.stringify({ name: '' }), code: 'invalid_body' },
      { label: 'name with a newline', body: JSON.stringify({ name: 'TV\nroom' }), code: 'invalid_body' },
      ...INJECTIONS.map((s) => ({ label: `key ${s}`, body: JSON.stringify({ name: 'TV', [s]: s }), code: 'invalid_body' })),
    ],
  },
];

const BAD_IDS = ['x'.repeat(2000), '%00', '..%2F..%2Fadmin%2Fusers', '..%2F', '01ARZ3NDEKTSV4RRFFQ69G5FA', '01arz3ndektsv4rrffq69g5fav', "'%20OR%201%3D1%20--", '%3Cscript%3E', '__proto__', 'constructor', '%F0%9F%98%80', '%FF%FE'];

async function snapshot() {
  const [users, keys, tokens, audit] = await Promise.all([admin('/api/admin/users'), admin('/api/admin/keys'), admin('/api/admin/display-tokens'), admin('/api/admin/audit?limit=200')]);
  for (const r of [users, keys, tokens, audit]) expect(r.status).toBe(200);
  return { users: users.body, keys: keys.body, tokens: tokens.body, audit: audit.body };
}

async function healthy() {
  const h = await p.call('/api/health');
  expect(h.status).toBe(200);
}

function expectRefusal(r: { status: number; body: any; text: string }, label: string, code?: string) {
  expect(r.status, `${label}: ${r.status} ${r.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${label}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
  expect(typeof r.body?.error?.code, `${label}: ${r.text.slice(0, 200)}`).toBe('string');
  expect(r.body.error.message.length, label).toBeGreaterThan(5);
  if (code) expect(r.body.error.code, `${label}: ${r.body.error.message}`).toBe(code);
  // the answer never echoes a large chunk of the input
  expect(r.text.length, label).toBeLessThan(2000);
}

async function sendRaw(caller: Caller, method: string, path: string, c: Case) {
  const headers: Record<string, string> = { 'x-forwarded-for': `192.0.2.${(++clientSeq % 250) + 1}` };
  if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
  try {
    return await caller(path, { method, headers, body: c.body as BodyInit | undefined });
  } catch (err) {
    throw new Error(`${method} ${path} ${c.label}: no answer (${String(err)})`);
  }
}

describe('the hostile corpus', () => {
  it('every bad input gets a 4xx naming the problem, the server keeps answering, nothing changes', async () => {
    const before = await snapshot();
    let sent = 0;
    for (const e of ENDPOINTS) {
      const path = e.path.replace(':target', targetId);
      for (const c of [...bodyCorpus(e.good, e.valid, e.stringFields, e.limit, e.contentChecked), ...(e.extra ?? [])]) {
        const r = await sendRaw(e.caller(), e.method, path, c);
        expectRefusal(r, `${e.method} ${e.path} ${c.label}`, c.code);
        // field errors name the field
        if (c.field && r.body.error.code === 'invalid_body') expect(r.body.error.message, c.label).toMatch(new RegExp(`^${c.field}: `));
        sent++;
        if (sent % 10 === 0) await healthy();
      }
      await healthy();
    }
    // ids in paths that are not ULIDs
    for (const id of BAD_IDS) {
      for (const [method, path, body] of [
        ['PATCH', `/api/admin/users/${id}`, { role: 'viewer' }],
        ['DELETE', `/api/admin/users/${id}/sessions`, undefined],
        ['DELETE', `/api/admin/keys/${id}`, undefined],
        ['DELETE', `/api/admin/display-tokens/${id}`, undefined],
      ] as const) {
        const r = await admin(path, { method, json: body });
        expectRefusal(r, `${method} ${path.slice(0, 80)}`);
        expect([404, 400], `${method} ${path.slice(0, 80)}`).toContain(r.status);
      }
    }
    // a well-formed id of nothing
    for (const path of ['/api/admin/keys/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/api/admin/display-tokens/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/api/admin/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/sessions']) {
      expectRefusal(await admin(path, { method: 'DELETE' }), path, 'not_found');
    }
    expectRefusal(await admin('/api/admin/users/01ARZ3NDEKTSV4RRFFQ69G5FAV', { method: 'PATCH', json: { role: 'viewer' } }), 'PATCH unknown user', 'not_found');
    await healthy();
    // audit filters
    for (const q of [
      'from=notadate',
      'to=yesterday',
      `from=${'2'.repeat(100)}`,
      'limit=-1',
      'limit=0',
      'limit=abc',
      'limit=100000',
      'limit=201',
      'before=abc',
      'before=-1',
      'before=0',
      `before=${'9'.repeat(30)}`,
      'action=%00',
      `actor=${'x'.repeat(200)}`,
      'actor=%ED%A0%80',
      "action=' OR 1=1 --".replace(/ /g, '%20'),
    ]) {
      const r = await admin(`/api/admin/audit?${q}`);
      // an injection string (or broken UTF-8, decoded as U+FFFD) is simply a filter that matches nothing
      if (q.startsWith("action='") || q.startsWith('actor=%ED')) {
        expect([r.status, r.body.entries]).toEqual([200, []]);
        continue;
      }
      expectRefusal(r, `audit ?${q.slice(0, 60)}`, 'bad_request');
      expect(r.body.error.message, q).toMatch(new RegExp(`^${q.split('=')[0]}:`));
    }
    await healthy();
    expect(await snapshot()).toEqual(before);
  }, 120_000);
});

describe('awkward names are stored exactly', () => {
  it('__proto__, constructor, injection strings and 40 emoji (80 UTF-16 units) as key and display names', async () => {
    const emoji = '😀🎉'.repeat(20);
    for (const name of ['__proto__', 'constructor', "' OR 1=1 --", '<script>alert(1)</script>', '${7*7}', emoji, 'ünïcödé 名前']) {
      const key = await admin('/api/admin/keys', { method: 'POST', json: { name, kind: 'publishable' } });
      expect(key.status, key.text).toBe(201);
      expect(key.body.key.name).toBe(name);
      const token = await admin('/api/admin/display-tokens', { method: 'POST', json: { name } });
      expect(token.status, token.text).toBe(201);
      expect(token.body.token.name).toBe(name);
      const keys = (await admin('/api/admin/keys')).body.keys as { id: string; name: string }[];
      expect(keys.find((k) => k.id === key.body.key.id)?.name).toBe(name);
      const tokens = (await admin('/api/admin/display-tokens')).body.tokens as { id: string; name: string }[];
      expect(tokens.find((t) => t.id === token.body.token.id)?.name).toBe(name);
      // and the key works: its prototype-ish name did not confuse anything
      const sent = await p.withKey(key.body.secret)('/api/events', { method: 'POST', json: { events: [{ timestamp: new Date().toISOString(), user_id: 'n', event_type: 'page_view' }] } });
      expect(sent.status).toBe(202);
    }
  });

  it('a name of 80 emoji (80 characters as people count them) is taken and returned exactly', async () => {
    const name = '😀'.repeat(80);
    const key = await admin('/api/admin/keys', { method: 'POST', json: { name, kind: 'secret' } });
    expect(key.status, key.text).toBe(201);
    expect(key.body.key.name).toBe(name);
  });
});
