import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPulse, type Pulse } from '@/server/app';
import { loadConfig } from '@/server/config';

/**
 * A real Pulse (HTTP, sockets, PostgreSQL) for the sign-in and role tests: a fake page renderer
 * (`next`) that answers "page <url>" so the page gate can be observed, the first admin from
 * PULSE_ADMIN_EMAIL / PULSE_ADMIN_PASSWORD, a publishable key (INGEST_API_KEYS) and a secret key
 * (ADMIN_API_KEYS). Each Pulse gets its own fresh database on the local PostgreSQL.
 */

export const ADMIN_EMAIL = 'admin@pulse.test';
export const ADMIN_PASSWORD = 'admin-password-0123';
export const PUBLISHABLE_KEY = 'auth-helper-publishable-0123456789';
export const SECRET_KEY = 'auth-helper-secret-key-0123456789';
export const PG_ADMIN_URL = process.env.PULSE_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const created: string[] = [];

/** a new, empty database on the local PostgreSQL (Pulse migrates it on start) */
export async function freshDatabaseUrl(opts: { password?: string } = {}): Promise<string> {
  const name = `pulse_auth_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  created.push(name);
  const auth = opts.password ? `postgres:${opts.password}` : 'postgres';
  return `postgresql://${auth}@127.0.0.1:5432/${name}`;
}

/** plain SQL against one of those databases (to look at what was stored) */
export async function query<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function dropCreatedDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    for (const name of created.splice(0)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  } finally {
    await client.end();
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** parsed JSON, or undefined */
  body: any;
}

export type Caller = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Reply>;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: 'viewer' | 'analyst' | 'admin';
  cookie: string;
}

export interface AuthPulse {
  pulse: Pulse;
  url: string;
  databaseUrl: string;
  /** every URL the fake page renderer was asked for */
  pagesRendered: string[];
  /** fetch without credentials (redirects are not followed) */
  call: Caller;
  /** fetch with this Cookie header */
  as(cookie: string): Caller;
  /** fetch with a bearer key */
  withKey(key: string): Caller;
  /** signs in and returns "pulse_session=<token>"; throws when the sign-in is refused */
  signIn(email: string, password: string, headers?: Record<string, string>): Promise<string>;
  adminCookie(): Promise<string>;
  /** a user made through POST /api/admin/users with the admin's cookie, signed in */
  createUser(role: TestUser['role'], email?: string): Promise<TestUser>;
  close(): Promise<void>;
}

export const fakeNext = (seen: string[]) => (req: IncomingMessage, res: ServerResponse) => {
  seen.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('page ' + req.url);
};

async function send(base: string, path: string, init: RequestInit & { json?: unknown } = {}, extra: Record<string, string> = {}): Promise<Reply> {
  const { json, ...rest } = init;
  const headers: Record<string, string> = { ...extra, ...((rest.headers as Record<string, string>) ?? {}) };
  let body = rest.body;
  if (json !== undefined) {
    body = JSON.stringify(json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { redirect: 'manual', ...rest, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** the session cookie ("pulse_session=…") a response set, or null */
export function sessionCookieOf(headers: Headers, name = 'pulse_session'): string | null {
  for (const c of headers.getSetCookie()) {
    const first = c.split(';')[0];
    if (first.startsWith(name + '=') && first.length > name.length + 1) return first;
  }
  return null;
}

export async function startAuthPulse(env: Record<string, string> = {}, opts: { admin?: boolean; databaseUrl?: string } = {}): Promise<AuthPulse> {
  const databaseUrl = opts.databaseUrl ?? (await freshDatabaseUrl());
  const config = loadConfig({
    PULSE_UI: 'off',
    LIVE_MIN_INTERVAL_MS: '50',
    LIVE_HEARTBEAT_MS: '200',
    PULSE_DATA_DIR: process.env.PULSE_DATA_DIR!,
    LAKE_WRITER: 'off',
    DATABASE_URL: databaseUrl,
    INGEST_API_KEYS: PUBLISHABLE_KEY,
    ADMIN_API_KEYS: SECRET_KEY,
    ...(opts.admin === false ? {} : { PULSE_ADMIN_EMAIL: ADMIN_EMAIL, PULSE_ADMIN_PASSWORD: ADMIN_PASSWORD }),
    ...env,
  });
  const pagesRendered: string[] = [];
  const pulse = await createPulse(config, { next: fakeNext(pagesRendered) });
  const url = await pulse.listen(0, '127.0.0.1');
  const call: Caller = (path, init) => send(url, path, init);
  let admin: string | null = null;
  let n = 0;
  const ap: AuthPulse = {
    pulse,
    url,
    databaseUrl,
    pagesRendered,
    call,
    as: (cookie) => (path, init) => send(url, path, init, { cookie }),
    withKey: (key) => (path, init) => send(url, path, init, { authorization: `Bearer ${key}` }),
    async signIn(email, password, headers = {}) {
      const r = await send(url, '/api/auth/login', { method: 'POST', json: { email, password }, headers });
      const cookie = sessionCookieOf(r.headers);
      if (r.status !== 200 || !cookie) throw new Error(`sign-in as ${email} refused: ${r.status} ${r.text}`);
      return cookie;
    },
    async adminCookie() {
      admin ??= await ap.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      return admin;
    },
    async createUser(role, email = `${role}-${++n}-${randomBytes(3).toString('hex')}@pulse.test`) {
      const password = `pw-${role}-${randomBytes(8).toString('hex')}`;
      const r = await ap.as(await ap.adminCookie())('/api/admin/users', { method: 'POST', json: { email, password, role } });
      if (r.status !== 201) throw new Error(`could not create ${role}: ${r.status} ${r.text}`);
      return { id: r.body.user.id, email, password, role, cookie: await ap.signIn(email, password) };
    },
    close: () => pulse.close(),
  };
  return ap;
}
