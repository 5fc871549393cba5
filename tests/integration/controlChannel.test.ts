import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulse, type Pulse } from '@/server/app';
import { loadConfig } from '@/server/config';
import { CONTROL_SOCKET_NAME } from '@/server/auth/controlSocket';
import { dropCreatedDatabases, freshDatabaseUrl } from '../helpers/auth';

/**
 * The admin CLI (scripts/pulse-admin.ts) as people run it, in a child process: against a running
 * embedded-mode Pulse it goes through the owner-only control socket; with Pulse stopped it opens
 * the embedded database itself; with DATABASE_URL it opens PostgreSQL.
 */

interface Run {
  code: number | null;
  out: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string | undefined>, stdin?: string): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  if (!('DATABASE_URL' in env)) delete childEnv.DATABASE_URL;
  delete childEnv.PULSE_PUBLIC_URL;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/pulse-admin.ts', ...args], { env: childEnv as NodeJS.ProcessEnv, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, out: `${stdout}${stderr}`, ms: Date.now() - started });
    });
    child.stdin?.end(stdin ?? '');
  });
}

async function login(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  await res.text();
  return res.status;
}

const PASSWORD = 'analyst-password-0123';

describe('the admin CLI and the control socket (embedded database)', { timeout: 180_000 }, () => {
  let dir: string;
  let pulse: Pulse | null = null;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-ctl-'));
    // an explicit environment: no DATABASE_URL, whatever the test setup put into process.env
    // a stand-in page renderer, so the page gate (and its /auth/link) is served
    pulse = await createPulse(loadConfig({ PULSE_UI: 'off', PULSE_DATA_DIR: dir, LIVE_MIN_INTERVAL_MS: '50' }), { next: (_req, res) => void res.end('page') });
    url = await pulse.listen(0, '127.0.0.1');
  }, 180_000);

  afterAll(async () => {
    await pulse?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('listens on an owner-only socket in an owner-only data folder', () => {
    const sock = join(dir, CONTROL_SOCKET_NAME);
    expect(statSync(sock).isSocket()).toBe(true);
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('user:create asks the running Pulse, and the user can sign in', async () => {
    const r = await cli(['user:create', '--email', 'Ana@Example.com', '--password', PASSWORD, '--role', 'analyst'], { PULSE_DATA_DIR: dir });
    console.log(`CLI via the control socket: ${r.ms} ms`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/asked the running Pulse \(pid \d+\) to create the user/);
    expect(r.out).toContain('created analyst ana@example.com');
    expect(await login(url, 'ana@example.com', PASSWORD)).toBe(200);
    // audited as the command line
    const { entries } = await pulse!.auth!.audit.page({ action: 'user.create' });
    expect(entries[0].actorKind).toBe('cli');
    expect(entries[0].actorLabel).toMatch(/^cli \(.+\)$/);
  });

  it('--password - reads the password from standard input, so it is in no argument list', async () => {
    const secret = 'from-stdin-password-42';
    const r = await cli(['user:create', '--email', 'quiet@example.com', '--password', '-', '--role', 'viewer'], { PULSE_DATA_DIR: dir }, `${secret}\n`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain(secret);
    expect(await login(url, 'quiet@example.com', secret)).toBe(200);
  });

  it('a duplicate email is refused with the reason (exit 1)', async () => {
    const r = await cli(['user:create', '--email', 'ana@example.com', '--password', PASSWORD, '--role', 'viewer'], { PULSE_DATA_DIR: dir });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('a user with the email ana@example.com already exists');
  });

  it('a wrong command or flags is a usage error (exit 2) with a readable message', async () => {
    const bad = await cli(['user:destroy'], { PULSE_DATA_DIR: dir });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('unknown command "user:destroy"');
    const flag = await cli(['key:create', '--name', 'x', '--kind', 'publishable', '--colour', 'red'], { PULSE_DATA_DIR: dir });
    expect(flag.code).toBe(2);
    expect(flag.out).toContain("Unknown option '--colour'");
    const value = await cli(['key:create', '--name', 'x', '--kind', 'public'], { PULSE_DATA_DIR: dir });
    expect(value.code).toBe(2);
    expect(value.out).toContain('kind must be publishable or secret');
    const missing = await cli(['user:create', '--email', 'b@example.com'], { PULSE_DATA_DIR: dir });
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('missing --password, --role');
  });

  it('key:create prints a secret once, and it ingests', async () => {
    const r = await cli(['key:create', '--name', 'shop front', '--kind', 'publishable'], { PULSE_DATA_DIR: dir });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('store it now: it is not shown again');
    const secret = /key: (\S+)/.exec(r.out)?.[1];
    expect(secret).toBeTruthy();
    const res = await fetch(`${url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ timestamp: new Date().toISOString(), user_id: 'u1', event_type: 'page_view' }),
    });
    expect(res.status, await res.text()).toBe(202);
    const list = await cli(['key:list'], { PULSE_DATA_DIR: dir });
    expect(list.out).toContain('"shop front"');
    expect(list.out).not.toContain(secret!);
  });

  it('user:link makes a one-time sign-in link on the running Pulse', async () => {
    const r = await cli(['user:link', '--email', 'ana@example.com'], { PULSE_DATA_DIR: dir });
    expect(r.code, r.out).toBe(0);
    // the running Pulse knows its own port
    expect(r.out).toContain(`http://localhost:${new URL(url).port}/auth/link?token=`);
    const path = /(\/auth\/link\?token=\S+)/.exec(r.out)![1];
    const opened = await fetch(`${url}${path}`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const me = await (await fetch(`${url}/api/auth/me`, { headers: { cookie } })).json();
    expect(me.user?.email).toBe('ana@example.com');
    // once only
    const again = await fetch(`${url}${path}`, { redirect: 'manual' });
    expect(again.headers.get('location')).toContain('link=invalid');
  });

  it('the control socket refuses what is not a command', async () => {
    const { askControlSocket } = await import('@/server/auth/controlSocket');
    const r = await askControlSocket(join(dir, CONTROL_SOCKET_NAME), { command: 'user:drop', args: {} });
    expect(r.ok).toBe(false);
    expect('error' in r && r.error).toContain('command must be one of');
  });

  it('with Pulse stopped, the CLI opens the embedded database itself', async () => {
    await pulse!.close();
    pulse = null;
    expect(existsSync(join(dir, CONTROL_SOCKET_NAME))).toBe(false);
    const r = await cli(['user:list'], { PULSE_DATA_DIR: dir });
    console.log(`CLI opening the embedded database directly: ${r.ms} ms`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('opened the embedded PGlite');
    expect(r.out).toMatch(/ana@example\.com\s+analyst/);
  });
});

describe('the admin CLI with DATABASE_URL (PostgreSQL)', { timeout: 180_000 }, () => {
  afterAll(() => dropCreatedDatabases());

  it('opens PostgreSQL directly, even with a Pulse data folder around', async () => {
    const databaseUrl = await freshDatabaseUrl();
    const dir = mkdtempSync(join(tmpdir(), 'pulse-ctl-pg-'));
    try {
      const created = await cli(['user:create', '--email', 'pg@example.com', '--password', PASSWORD, '--role', 'admin'], { PULSE_DATA_DIR: dir, DATABASE_URL: databaseUrl });
      expect(created.code, created.out).toBe(0);
      expect(created.out).toMatch(/opened the .*PostgreSQL/i);
      expect(created.out).toContain('created admin pg@example.com');
      const pulse = await createPulse(loadConfig({ PULSE_UI: 'off', PULSE_DATA_DIR: dir, DATABASE_URL: databaseUrl }));
      try {
        const url = await pulse.listen(0, '127.0.0.1');
        // no control socket with PostgreSQL: every process may open it
        expect(existsSync(join(dir, CONTROL_SOCKET_NAME))).toBe(false);
        expect(await login(url, 'pg@example.com', PASSWORD)).toBe(200);
        const listed = await cli(['user:list'], { PULSE_DATA_DIR: dir, DATABASE_URL: databaseUrl });
        expect(listed.code, listed.out).toBe(0);
        expect(listed.out).toMatch(/pg@example\.com\s+admin/);
      } finally {
        await pulse.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
