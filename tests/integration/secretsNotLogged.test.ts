import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/server/config';
import { openDatabase } from '@/server/db/database';
import { setLogLevel, setLogTap } from '@/server/log';
import { ADMIN_EMAIL, dropCreatedDatabases, freshDatabaseUrl, PUBLISHABLE_KEY, query, SECRET_KEY, sessionCookieOf, startAuthPulse, type AuthPulse } from '../helpers/auth';

/**
 * Every log line Pulse writes while it starts with secrets in its environment, signs people in,
 * makes keys and display links and takes events with them — and every error message of a bad
 * configuration — holds none of the secrets. The database holds only their hashes.
 */

const DB_PASSWORD = 's3cr3t-db-pass';
const ADMIN_PASSWORD = 'adm1n-Sup3r-S3cret-pw';
const WRONG_PASSWORD = 'wr0ng-but-St1ll-s3cret';
const USER_PASSWORD = 'us3r-Pa55word-secret';

const lines: string[] = [];
const errors: string[] = [];
const secrets = new Set<string>([DB_PASSWORD, ADMIN_PASSWORD, WRONG_PASSWORD, USER_PASSWORD, PUBLISHABLE_KEY, SECRET_KEY]);
let p: AuthPulse;
let dbUrl = '';

beforeAll(async () => {
  setLogLevel('debug');
  setLogTap((line) => lines.push(line));
  dbUrl = await freshDatabaseUrl({ password: DB_PASSWORD });
  expect(dbUrl).toContain(DB_PASSWORD);
  p = await startAuthPulse({ PULSE_ADMIN_PASSWORD: ADMIN_PASSWORD }, { databaseUrl: dbUrl });
});
afterAll(async () => {
  await p?.close();
  setLogTap(null);
  setLogLevel('info');
  await dropCreatedDatabases();
});

function expectNoSecrets(text: string, where: string) {
  for (const s of secrets) expect(text.includes(s), `${where} contains the secret ${s.slice(0, 6)}…:\n${text.slice(0, 2000)}`).toBe(false);
}

describe('secrets stay out of the logs', () => {
  it('through start, sign-ins, keys, display links and ingest', async () => {
    const login = (email: string, password: string) => p.call('/api/auth/login', { method: 'POST', json: { email, password } });
    const cookieValue = (c: string) => c.split('=')[1];

    for (let i = 0; i < 3; i++) expect((await login(ADMIN_EMAIL, WRONG_PASSWORD)).status).toBe(401);
    expect((await login('nobody@pulse.test', WRONG_PASSWORD)).status).toBe(401);
    const good = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(good.status).toBe(200);
    const adminCookie = sessionCookieOf(good.headers)!;
    secrets.add(cookieValue(adminCookie));
    const admin = p.as(adminCookie);

    const user = await admin('/api/admin/users', { method: 'POST', json: { email: 'someone@pulse.test', password: USER_PASSWORD, role: 'viewer' } });
    expect(user.status).toBe(201);
    const userLogin = await login('someone@pulse.test', USER_PASSWORD);
    secrets.add(cookieValue(sessionCookieOf(userLogin.headers)!));
    expect((await admin(`/api/admin/users/${user.body.user.id}`, { method: 'PATCH', json: { password: `${USER_PASSWORD}-2` } })).status).toBe(200);
    secrets.add(`${USER_PASSWORD}-2`);

    const pk = await admin('/api/admin/keys', { method: 'POST', json: { name: 'shop pages', kind: 'publishable' } });
    const sk = await admin('/api/admin/keys', { method: 'POST', json: { name: 'back end', kind: 'secret' } });
    expect([pk.status, sk.status]).toEqual([201, 201]);
    secrets.add(pk.body.secret).add(sk.body.secret);
    const display = await admin('/api/admin/display-tokens', { method: 'POST', json: { name: 'TV' } });
    expect(display.status).toBe(201);
    const displayToken = new URLSearchParams(display.body.link.split('?')[1]).get('display')!;
    secrets.add(displayToken);
    const opened = await p.call(display.body.link);
    expect(sessionCookieOf(opened.headers, 'pulse_display')).toBe(`pulse_display=${displayToken}`);

    const event = { events: [{ timestamp: new Date().toISOString(), user_id: 'u1', event_type: 'page_view' }] };
    for (const key of [PUBLISHABLE_KEY, SECRET_KEY, pk.body.secret, sk.body.secret]) {
      expect((await p.withKey(key)('/api/events', { method: 'POST', json: event })).status).toBe(202);
      // the beacon form carries the key in the URL
      const beacon = await p.call(`/api/events?key=${encodeURIComponent(key)}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(event) });
      expect(beacon.status).toBe(202);
      const broken = await p.call(`/api/events?key=${encodeURIComponent(key)}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{not json' });
      expect(broken.status).toBe(400);
      expectNoSecrets(broken.text, 'an ingest refusal');
    }
    expect((await p.withKey(sk.body.secret)('/api/inventory', { method: 'POST', json: { items: [{ product_id: 'p', stock: 1 }] } })).status).toBe(200);
    // revoked keys and wrong keys are refused without echoing them
    const revoked = await admin(`/api/admin/keys/${pk.body.key.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const refused = await p.withKey(pk.body.secret)('/api/events', { method: 'POST', json: event });
    expect(refused.status).toBe(401);
    expectNoSecrets(refused.text, 'a refusal');
    // the audit log holds none either
    const audit = await admin('/api/admin/audit?limit=200');
    expect(audit.body.entries.length).toBeGreaterThan(3);
    expectNoSecrets(audit.text, 'the audit log');
    for (const r of [user, pk, sk, display]) expect(r.text.includes(DB_PASSWORD)).toBe(false);

    await p.pulse.close();
    expect(lines.length, 'the log tap saw the start-up lines').toBeGreaterThan(0);
    expect(lines.join('')).toContain('created the first admin');
    expectNoSecrets(lines.join(''), 'the log');
  });

  it('the database holds hashes, never the passwords, keys, tokens or cookies', async () => {
    const rows = [
      ...(await query(dbUrl, 'SELECT password_hash AS v FROM users')),
      ...(await query(dbUrl, 'SELECT secret_hash AS v, prefix AS v2, name AS v3 FROM api_keys')),
      ...(await query(dbUrl, 'SELECT token_hash AS v, prefix AS v2 FROM display_tokens')),
      ...(await query(dbUrl, 'SELECT id AS v, user_agent AS v2 FROM sessions')),
      ...(await query(dbUrl, 'SELECT token_hash AS v FROM one_time_links')),
      ...(await query(dbUrl, 'SELECT before::text AS v, after::text AS v2, actor_label AS v3 FROM audit_log')),
    ];
    expect(rows.length).toBeGreaterThan(5);
    expectNoSecrets(JSON.stringify(rows), 'the database');
    // the whole database, as text, to be sure no other column has them
    const tables = await query<{ t: string }>(dbUrl, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'");
    for (const { t } of tables) {
      const all = await query(dbUrl, `SELECT * FROM "${t}"`);
      expectNoSecrets(JSON.stringify(all), `table ${t}`);
    }
  });
});

describe('configuration errors hide secret values', () => {
  it('a bad configuration names the variables but not the values of KEY / PASSWORD / URL variables', () => {
    const bad = {
      DATABASE_URL: `mysql://root:${DB_PASSWORD}@db.example/pulse`,
      REDIS_URL: `http://:${DB_PASSWORD}-redis@redis.example`,
      PULSE_ADMIN_EMAIL: 'a@b.c',
      PULSE_ADMIN_PASSWORD: 'short-pw-1',
      INGEST_API_KEYS: 'tiny-ingest-k',
      ADMIN_API_KEYS: 'tiny-admin-k',
      PULSE_PUBLIC_URL: `not a url ${DB_PASSWORD}`,
    };
    let message = '';
    try {
      loadConfig(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    errors.push(message);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'PULSE_ADMIN_PASSWORD', 'INGEST_API_KEYS', 'ADMIN_API_KEYS', 'PULSE_PUBLIC_URL']) expect(message).toContain(name);
    for (const value of [DB_PASSWORD, 'short-pw-1', 'tiny-ingest-k', 'tiny-admin-k']) expect(message.includes(value), `message shows ${value}:\n${message}`).toBe(false);
  });

  it('each secret variable alone, too', () => {
    const cases: Record<string, string>[] = [
      { PULSE_ADMIN_EMAIL: 'a@b.c', PULSE_ADMIN_PASSWORD: 'only-eleven' },
      { INGEST_API_KEYS: 'good-ingest-key-0123456789,tiny-k' },
      { ADMIN_API_KEYS: 'tiny-k' },
      { DATABASE_URL: `mysql://u:${DB_PASSWORD}@h/d` },
      { PULSE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    ];
    for (const env of cases) {
      let message = '';
      try {
        loadConfig(env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, JSON.stringify(Object.keys(env))).toMatch(/^Invalid configuration/);
      for (const v of Object.values(env).flatMap((v) => v.split(','))) {
        if (v === 'a@b.c') continue;
        expect(message.includes(v), `message shows ${v}:\n${message}`).toBe(false);
      }
    }
  });

  it('a database that cannot be reached is reported without its password', async () => {
    let message = '';
    try {
      const db = await openDatabase({ url: `postgresql://postgres:${DB_PASSWORD}@127.0.0.1:1/nowhere`, dataDir: process.env.PULSE_DATA_DIR! });
      await db.close();
    } catch (err) {
      message = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    }
    expect(message).not.toBe('');
    expect(message.includes(DB_PASSWORD), message).toBe(false);
    expect(lines.join('').includes(DB_PASSWORD)).toBe(false);
  });
});
