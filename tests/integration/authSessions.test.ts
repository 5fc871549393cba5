import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '@/server/auth/accounts';
import { AuditLog } from '@/server/auth/audit';
import { openDatabase, type Database } from '@/server/db/database';
import { setLogTap } from '@/server/log';
import { ADMIN_EMAIL, ADMIN_PASSWORD, dropCreatedDatabases, freshDatabaseUrl, sessionCookieOf, startAuthPulse, type AuthPulse } from '../helpers/auth';

let p: AuthPulse;
let clientSeq = 0;
/** each test its own client address (TRUST_PROXY=true), so the per-client throttle is per test */
const fromClient = () => ({ 'x-forwarded-for': `203.0.113.${++clientSeq}` });

beforeAll(async () => {
  p = await startAuthPulse({ TRUST_PROXY: 'true', SESSION_MAX_HOURS: '0.01' });
});
afterAll(async () => {
  await p?.close();
  await dropCreatedDatabases();
});

const login = (email: string, password: string, headers: Record<string, string> = {}) => p.call('/api/auth/login', { method: 'POST', json: { email, password }, headers });
const me = async (cookie: string) => (await p.as(cookie)('/api/auth/me')).body.user;

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Lax, lasts SESSION_MAX_HOURS, and is Secure only over HTTPS', async () => {
    const r = await login(ADMIN_EMAIL, ADMIN_PASSWORD, fromClient());
    expect(r.status).toBe(200);
    const set = r.headers.getSetCookie().find((c) => c.startsWith('pulse_session='))!;
    expect(set).toMatch(/; HttpOnly(;|$)/);
    expect(set).toMatch(/; SameSite=Lax(;|$)/);
    expect(set).toMatch(/; Max-Age=36(;|$)/);
    expect(set).not.toMatch(/Secure/);
    const https = await login(ADMIN_EMAIL, ADMIN_PASSWORD, { ...fromClient(), 'x-forwarded-proto': 'https' });
    expect(https.headers.getSetCookie().find((c) => c.startsWith('pulse_session='))).toMatch(/; Secure(;|$)/);
    // the password is nowhere in the answer
    expect(r.text).not.toContain(ADMIN_PASSWORD);
  });

  it('X-Forwarded-Proto is ignored without TRUST_PROXY', async () => {
    const q = await startAuthPulse();
    try {
      const r = await q.call('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      expect(r.status).toBe(200);
      expect(r.headers.getSetCookie().find((c) => c.startsWith('pulse_session='))).not.toMatch(/Secure/);
    } finally {
      await q.close();
    }
  });
});

describe('sessions start, rotate and end', () => {
  it('a second sign-in gives a new token, and the first cookie stops working', async () => {
    const u = await p.createUser('viewer');
    const first = u.cookie;
    expect((await me(first)).email).toBe(u.email);
    const again = await p.call('/api/auth/login', { method: 'POST', json: { email: u.email, password: u.password }, headers: { cookie: first } });
    const second = sessionCookieOf(again.headers)!;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect((await p.as(first)('/api/metrics/live')).status).toBe(401);
    expect(await me(first)).toBeNull();
    expect((await p.as(second)('/api/metrics/live')).status).toBe(200);
  });

  it('sign-out ends the session', async () => {
    const u = await p.createUser('analyst');
    expect((await p.as(u.cookie)('/api/history')).status).toBe(200);
    const out = await p.as(u.cookie)('/api/auth/logout', { method: 'POST' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('pulse_session='))).toMatch(/Max-Age=0/);
    expect((await p.as(u.cookie)('/api/history')).status).toBe(401);
    expect((await p.as(u.cookie)('/history')).status).toBe(303);
  });

  it("an admin ends another user's sessions: their requests get 401 and their open socket is signed out", async () => {
    const u = await p.createUser('viewer');
    const s = connect(p.url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: u.cookie }, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('metrics', () => resolve());
        s.once('connect_error', reject);
      });
      const signedOut = new Promise<unknown>((resolve) => s.once('pulse:signed_out', resolve));
      const disconnected = new Promise<string>((resolve) => s.once('disconnect', resolve));
      const admin = p.as(await p.adminCookie());
      const r = await admin(`/api/admin/users/${u.id}/sessions`, { method: 'DELETE' });
      expect([r.status, r.body.revoked]).toEqual([200, 1]);
      expect(await signedOut).toBeTruthy();
      expect(await disconnected).toBeTruthy();
      expect((await p.as(u.cookie)('/api/metrics/live')).status).toBe(401);
      const audit = await admin('/api/admin/audit?action=user.sessions.revoke');
      expect(audit.body.entries[0]).toMatchObject({ action: 'user.sessions.revoke', targetId: u.id, actorLabel: ADMIN_EMAIL });
    } finally {
      s.close();
    }
  });

  it('a new password ends every session of that user; the new password works, the old does not', async () => {
    const u = await p.createUser('analyst');
    const admin = p.as(await p.adminCookie());
    const r = await admin(`/api/admin/users/${u.id}`, { method: 'PATCH', json: { password: 'a-brand-new-password-42' } });
    expect(r.status).toBe(200);
    expect((await p.as(u.cookie)('/api/metrics/live')).status).toBe(401);
    expect((await login(u.email, u.password, fromClient())).status).toBe(401);
    expect((await login(u.email, 'a-brand-new-password-42', fromClient())).status).toBe(200);
  });

  it('disabling ends the sessions and refuses sign-in; enabling lets them back', async () => {
    const u = await p.createUser('viewer');
    const admin = p.as(await p.adminCookie());
    expect((await admin(`/api/admin/users/${u.id}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200);
    expect((await p.as(u.cookie)('/api/metrics/live')).status).toBe(401);
    const refused = await login(u.email, u.password, fromClient());
    expect(refused.status).toBe(403);
    expect(sessionCookieOf(refused.headers)).toBeNull();
    expect((await admin(`/api/admin/users/${u.id}`, { method: 'PATCH', json: { disabled: false } })).status).toBe(200);
    expect((await login(u.email, u.password, fromClient())).status).toBe(200);
  });

  it('a role change applies to the open session at once', async () => {
    const u = await p.createUser('admin');
    expect((await p.as(u.cookie)('/api/admin/users')).status).toBe(200);
    const admin = p.as(await p.adminCookie());
    expect((await admin(`/api/admin/users/${u.id}`, { method: 'PATCH', json: { role: 'viewer' } })).status).toBe(200);
    expect((await p.as(u.cookie)('/api/admin/users')).status).toBe(403);
  });
});

describe('the last admin', () => {
  it('cannot be demoted or disabled (409), and stays admin', async () => {
    // the other admins this file made may exist: make the bootstrap admin the only enabled one
    const admin = p.as(await p.adminCookie());
    const users = (await admin('/api/admin/users')).body.users as { id: string; email: string; role: string; disabled: boolean }[];
    for (const u of users) if (u.email !== ADMIN_EMAIL && u.role === 'admin' && !u.disabled) await admin(`/api/admin/users/${u.id}`, { method: 'PATCH', json: { role: 'viewer' } });
    const self = (await me(await p.adminCookie())).id;
    const demote = await admin(`/api/admin/users/${self}`, { method: 'PATCH', json: { role: 'analyst' } });
    expect([demote.status, demote.body.error.code]).toEqual([409, 'conflict']);
    const disable = await admin(`/api/admin/users/${self}`, { method: 'PATCH', json: { disabled: true } });
    expect([disable.status, disable.body.error.code]).toEqual([409, 'conflict']);
    expect((await admin('/api/admin/users')).status).toBe(200);
    expect((await me(await p.adminCookie())).role).toBe('admin');
  });
});

describe('guessing passwords', () => {
  it('an unknown email and a wrong password get the same answer', async () => {
    const unknown = await login('nobody@pulse.test', 'whatever-password-1', fromClient());
    const wrong = await login(ADMIN_EMAIL.toUpperCase(), 'whatever-password-1', fromClient());
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.error).toEqual({ code: 'invalid_credentials', message: 'wrong email or password' });
  });

  it('after 5 wrong passwords the account is locked: the right password gets 429 with Retry-After', async () => {
    const u = await p.createUser('viewer');
    for (let i = 0; i < 5; i++) expect((await login(u.email, 'wrong-password-xyz', fromClient())).status).toBe(401);
    const locked = await login(u.email, u.password, fromClient());
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    const retry = Number(locked.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(25);
    expect(retry).toBeLessThanOrEqual(30);
    expect(sessionCookieOf(locked.headers)).toBeNull();
    // the admin sees the lock
    const listed = (await p.as(await p.adminCookie())('/api/admin/users')).body.users.find((x: { id: string }) => x.id === u.id);
    expect(listed.lockedUntil).not.toBeNull();
  });

  it('one client guessing across accounts is slowed after 10 failures', async () => {
    const client = fromClient();
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}@pulse.test`, 'wrong-password-xyz', client)).status).toBe(401);
    const slowed = await login(ADMIN_EMAIL, ADMIN_PASSWORD, client);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another client is not affected
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD, fromClient())).status).toBe(200);
  });
});

describe('one-time links', () => {
  it('a sign-in link works once', async () => {
    const u = await p.createUser('analyst');
    const token = await p.pulse.auth!.links.create('signin', u.id);
    const first = await p.call(`/auth/link?token=${token}`);
    expect([first.status, first.headers.get('location')]).toEqual([303, '/']);
    const cookie = sessionCookieOf(first.headers)!;
    expect((await me(cookie)).email).toBe(u.email);
    const second = await p.call(`/auth/link?token=${token}`);
    expect([second.status, second.headers.get('location')]).toEqual([303, '/login?link=invalid']);
    expect(sessionCookieOf(second.headers)).toBeNull();
    const bogus = await p.call('/auth/link?token=ln_notARealLinkButPlausible0123');
    expect(bogus.headers.get('location')).toBe('/login?link=invalid');
  });

  it('the setup link creates the first admin once, then 410', async () => {
    const printed: string[] = [];
    setLogTap((line) => printed.push(line));
    const q = await startAuthPulse({}, { admin: false }).finally(() => setLogTap(null));
    try {
      expect((await q.call('/api/auth/me')).body.setupPending).toBe(true);
      // the link the server printed once at start
      const found = printed.map((l) => /\/setup\?token=([A-Za-z0-9_-]+)/.exec(l)).filter((m) => m !== null);
      expect(found).toHaveLength(1);
      const token = found[0]![1];
      const other = await q.pulse.auth!.links.create('setup', null);
      const bad = await q.call('/api/auth/setup', { method: 'POST', json: { token: 'ln_wrongwrongwrongwrongwrong', email: 'first@pulse.test', password: 'first-admin-password' } });
      expect(bad.status).toBe(410);
      const r = await q.call('/api/auth/setup', { method: 'POST', json: { token, email: 'first@pulse.test', password: 'first-admin-password' } });
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ email: 'first@pulse.test', role: 'admin' });
      const cookie = sessionCookieOf(r.headers)!;
      expect((await q.as(cookie)('/api/admin/users')).status).toBe(200);
      for (const t of [token, other]) {
        const again = await q.call('/api/auth/setup', { method: 'POST', json: { token: t, email: 'second@pulse.test', password: 'second-admin-password' } });
        expect([again.status, again.body.error.code]).toEqual([410, 'gone']);
      }
      const users = (await q.as(cookie)('/api/admin/users')).body.users;
      expect(users.map((u: { email: string }) => u.email)).toEqual(['first@pulse.test']);
      expect((await q.call('/api/auth/me')).body.setupPending).toBe(false);
    } finally {
      await q.close();
    }
  });
});

describe('expiry, with an injected clock', () => {
  let db: Database;
  let clock = Date.parse('2026-12-01T00:00:00Z');
  let accounts: Accounts;
  const actor = { kind: 'system', id: null, label: 'test' };
  beforeAll(async () => {
    db = await openDatabase({ url: await freshDatabaseUrl(), dataDir: process.env.PULSE_DATA_DIR! });
    accounts = new Accounts(db.prisma, new AuditLog(db.prisma), { sessionMaxMs: 60 * 60_000, sessionIdleMs: 10 * 60_000, now: () => clock });
  });
  afterAll(() => db?.close());

  it('a session unused for longer than the idle time ends; use keeps it alive', async () => {
    const user = await accounts.create(actor, { email: 'idle@pulse.test', password: 'idle-password-123', role: 'viewer' });
    const s = await accounts.startSession(user);
    clock += 9 * 60_000;
    expect(await accounts.sessionUser(s.token)).toMatchObject({ email: 'idle@pulse.test' });
    clock += 9 * 60_000; // 9 min after the last use: still alive
    expect(await accounts.sessionUser(s.token)).not.toBeNull();
    clock += 11 * 60_000; // 11 min idle
    expect(await accounts.sessionUser(s.token)).toBeNull();
  });

  it('a session ends at its absolute expiry, however often it is used', async () => {
    const user = await accounts.create(actor, { email: 'abs@pulse.test', password: 'abs-password-1234', role: 'viewer' });
    const s = await accounts.startSession(user);
    expect(s.maxAgeSeconds).toBe(3600);
    for (let i = 0; i < 7; i++) {
      clock += 8 * 60_000;
      expect(await accounts.sessionUser(s.token)).not.toBeNull();
    }
    clock += 5 * 60_000; // 61 minutes after sign-in
    expect(await accounts.sessionUser(s.token)).toBeNull();
  });

  it('the account lock grows with each failure after the fifth', async () => {
    await accounts.create(actor, { email: 'lock@pulse.test', password: 'lock-password-123', role: 'viewer' });
    const attempt = (pw: string, n: number) => accounts.login('lock@pulse.test', pw, { address: `198.51.100.${n}` }).then(() => 0, (e: { status: number; headers: Record<string, string> }) => (e.status === 429 ? Number(e.headers['Retry-After']) : -e.status));
    for (let i = 0; i < 5; i++) expect(await attempt('wrong-password-x', i)).toBe(-401);
    expect(await attempt('lock-password-123', 10)).toBe(30);
    clock += 31_000;
    expect(await attempt('wrong-password-x', 11)).toBe(-401);
    expect(await attempt('lock-password-123', 12)).toBe(60);
    clock += 61_000;
    expect(await attempt('wrong-password-x', 13)).toBe(-401);
    expect(await attempt('lock-password-123', 14)).toBe(120);
    clock += 121_000;
    // a good sign-in resets the count
    expect(await attempt('lock-password-123', 15)).toBe(0);
    expect(await attempt('wrong-password-x', 16)).toBe(-401);
    expect(await attempt('lock-password-123', 17)).toBe(0);
  });

  it('an email nobody has locks exactly like an account, so a lock does not reveal who exists', async () => {
    await accounts.create(actor, { email: 'real@pulse.test', password: 'real-password-123', role: 'viewer' });
    const attempt = (email: string, n: number) =>
      accounts.login(email, 'wrong-password-x', { address: `203.0.113.${n}` }).then(
        () => 'signed in',
        (e: { status: number; headers: Record<string, string>; message: string }) => `${e.status} ${e.headers['Retry-After'] ?? ''} ${e.message}`,
      );
    const real: string[] = [];
    const nobody: string[] = [];
    for (let i = 0; i < 7; i++) {
      real.push(await attempt('real@pulse.test', i));
      nobody.push(await attempt('nobody-here@pulse.test', 100 + i));
    }
    expect(nobody).toEqual(real);
    expect(real[5]).toMatch(/^429 30 this account is locked/);
  });

  it('sessions that ended more than a day ago are cleared; live ones stay', async () => {
    const user = await accounts.create(actor, { email: 'purge@pulse.test', password: 'purge-password-1', role: 'viewer' });
    const live = await accounts.startSession(user);
    const revoked = await accounts.startSession(user);
    await accounts.endSession(revoked.token);
    const count = () => db.prisma.session.count({ where: { userId: user.id } });
    expect(await accounts.purgeEnded()).toBe(0);
    expect(await count()).toBe(2);
    clock += 25 * 3600_000; // both ended (revoked; the other idle and past its expiry) over a day ago
    await accounts.purgeEnded();
    expect(await count()).toBe(0);
    const fresh = await accounts.startSession(user);
    await accounts.purgeEnded();
    expect(await accounts.sessionUser(fresh.token)).not.toBeNull();
    expect(await count()).toBe(1);
    expect(live.token).not.toBe(fresh.token);
  });
});
