import { afterAll, describe, expect, it } from 'vitest';
import { dropCreatedDatabases, query, startAuthPulse, type AuthPulse } from '../helpers/auth';
import { sleep } from '../helpers/wait';

// keys created by admins, as a shop and its scripts meet them: shown once, hashed, per-key minute
// limits, revocation here at once and in another web process (same database) within seconds,
// and the last use recorded
const event = () => ({ user_id: `u-${Math.random()}`, event_type: 'page_view', timestamp: new Date().toISOString() });

afterAll(() => dropCreatedDatabases());

describe('database API keys', () => {
  let a: AuthPulse;
  let b: AuthPulse;
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('a key works in every web process, has its minute limit, stops at once where revoked and within seconds elsewhere, and keeps its last use', async () => {
    a = await startAuthPulse();
    // a second web process on the same database (as PULSE_WEB_PROCESSES with DATABASE_URL)
    b = await startAuthPulse({}, { databaseUrl: a.databaseUrl });
    const admin = a.as(await a.adminCookie());
    const created = await admin('/api/admin/keys', { method: 'POST', json: { name: 'checkout', kind: 'publishable', rateLimitPerMinute: 3 } });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key.prefix).toBe(`${secret.slice(0, 7)}…`);

    // stored only as a digest; lists never show it again
    const rows = await query<{ secret_hash: string }>(a.databaseUrl, 'SELECT secret_hash FROM api_keys');
    expect(rows.map((r) => r.secret_hash)).not.toContain(secret);
    const listed = await admin('/api/admin/keys');
    expect(listed.text).not.toContain(secret);

    const sendA = a.withKey(secret);
    for (let i = 0; i < 3; i++) expect((await sendA('/api/events', { method: 'POST', json: event() })).status).toBe(202);
    const limited = await sendA('/api/events', { method: 'POST', json: event() });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const wait = Number(limited.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);

    // the other process learns of the key within its reload interval, and counts its own minute
    const sendB = b.withKey(secret);
    let seen = 0;
    for (let i = 0; i < 40 && seen !== 202; i++) {
      seen = (await sendB('/api/events', { method: 'POST', json: event() })).status;
      if (seen !== 202) await sleep(250);
    }
    expect(seen).toBe(202);

    const revoked = await admin(`/api/admin/keys/${created.body.key.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.key.revokedAt).not.toBeNull();
    const refusedHere = await sendA('/api/events', { method: 'POST', json: event() });
    expect([refusedHere.status, refusedHere.body.error.code]).toEqual([401, 'unknown_key']);
    let elsewhere = 0;
    const started = Date.now();
    for (let i = 0; i < 40 && elsewhere !== 401; i++) {
      elsewhere = (await sendB('/api/events', { method: 'POST', json: event() })).status;
      if (elsewhere !== 401) await sleep(250);
    }
    expect(elsewhere).toBe(401);
    expect(Date.now() - started).toBeLessThan(8000);

    // last use is written in batches; a clean stop writes what is pending
    await a.close();
    const [key] = await query<{ last_used_at: Date | null }>(b.databaseUrl, 'SELECT last_used_at FROM api_keys');
    expect(key.last_used_at).not.toBeNull();

    // and the admin's actions are in the audit log
    const audit = await b.as(await b.adminCookie())('/api/admin/audit?action=key.');
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(['key.revoke', 'key.create']);
  });

  it('a secret key from the database may set stock and read; a publishable one may not', async () => {
    const p = await startAuthPulse();
    try {
      const admin = p.as(await p.adminCookie());
      const secret = (await admin('/api/admin/keys', { method: 'POST', json: { name: 'back end', kind: 'secret' } })).body.secret as string;
      const publishable = (await admin('/api/admin/keys', { method: 'POST', json: { name: 'shop pages', kind: 'publishable' } })).body.secret as string;
      expect(secret.startsWith('sk_')).toBe(true);
      const stock = { items: [{ product_id: 'p1', stock: 7 }] };
      expect((await p.withKey(secret)('/api/inventory', { method: 'POST', json: stock })).status).toBe(200);
      expect((await p.withKey(secret)('/api/metrics/live')).status).toBe(200);
      const refused = await p.withKey(publishable)('/api/inventory', { method: 'POST', json: stock });
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
      expect(refused.body.error.message).toMatch(/publishable/);
      expect((await p.withKey(publishable)('/api/metrics/live')).status).toBe(403);
    } finally {
      await p.close();
    }
  });
});
