// A PostgreSQL database of its own for each test worker process, on the server CI and every
// developer machine run (127.0.0.1:5432, trust auth; override with PULSE_TEST_PG_URL, a URL of
// a database to connect to for CREATE DATABASE, e.g. postgresql://postgres@127.0.0.1:5432/postgres).
//
//   const url = await testDatabaseUrl();   // postgresql://…/pulse_test_<pid>_<random>, migrated
//   const empty = await createEmptyDatabase('label');   // pulse_test_label_<pid>_<random>, not migrated
//
// Created once per process and dropped when the process exits; databases left by workers that
// died are dropped by the next run (their pid is in the name).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '@/server/db/migrate';

const ADMIN_URL = process.env.PULSE_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** the same server, another database */
export function databaseUrl(name: string, base = ADMIN_URL): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** runs SQL statements on the admin database */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query<T>(sql, values);
  } finally {
    await client.end();
  }
}

/**
 * a new, empty database (not migrated), dropped at process exit; for tests of migrations
 * themselves. Most tests want testDatabaseUrl().
 */
export async function createEmptyDatabase(label?: string): Promise<string> {
  const tag = label ? `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_` : '';
  const name = `pulse_test_${tag}${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  toDrop.add(name);
  return databaseUrl(name);
}

const toDrop = new Set<string>();
let exitHook = false;

function dropAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    if (toDrop.size === 0) return;
    // 'exit' handlers cannot wait for a promise: a short child process drops them (WITH FORCE
    // ends connections this process left open)
    const script = `
      const pg = require('pg');
      const c = new pg.Client({ connectionString: process.argv[1] });
      c.connect().then(async () => {
        for (const name of process.argv.slice(2)) await c.query('DROP DATABASE IF EXISTS "' + name + '" WITH (FORCE)').catch(() => {});
        await c.end();
      }).catch(() => process.exit(0));`;
    spawnSync(process.execPath, ['-e', script, ADMIN_URL, ...toDrop], { stdio: 'ignore', timeout: 10_000, cwd: process.cwd() });
  });
}

/** drops pulse_test_[label_]<pid>_<hex> databases whose worker process is gone (a crashed or killed run) */
async function dropLeftovers(): Promise<void> {
  const { rows } = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^pulse_test_([a-z0-9_]+_)?[0-9]+_[0-9a-f]{8}$'`);
  for (const { datname } of rows) {
    const pid = Number(/_(\d+)_[0-9a-f]{8}$/.exec(datname)?.[1]);
    if (pid && pid !== process.pid && !pidAlive(pid)) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  }
}

let shared: Promise<string> | undefined;

/** set by tests/helpers/dbGlobalSetup.ts: a migrated database each worker's is copied from */
export const TEMPLATE_ENV = 'PULSE_TEST_DB_TEMPLATE';

/**
 * this worker process's PostgreSQL database, created on first use: a copy of the run's migrated
 * template when the global setup made one (no schema engine to load per test file), else
 * created and migrated here
 */
export function testDatabaseUrl(): Promise<string> {
  shared ??= (async () => {
    dropAtExit();
    await dropLeftovers().catch(() => {});
    const template = process.env[TEMPLATE_ENV];
    if (template) {
      const name = `pulse_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      for (let attempt = 0; ; attempt++) {
        try {
          await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
          break;
        } catch (err) {
          // two workers copying at the same instant: "source database … is being accessed by other users"
          if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        }
      }
      toDrop.add(name);
      return databaseUrl(name);
    }
    const url = await createEmptyDatabase();
    await applyMigrations({ url });
    return url;
  })();
  shared.catch(() => (shared = undefined));
  return shared;
}
