// Opens Pulse's database: PostgreSQL when a URL is given (DATABASE_URL), otherwise the embedded
// PGlite database in <dataDir>/db. Either way through Prisma Client (server/db/generated, made
// by `npm run db:generate` / postinstall) and with the migrations applied unless told not to.
//
// Only the custom server and scripts import this; never app/ or components/ (Next bundles those).
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteClientAdapter, postgresClientAdapter } from './adapters';
import { describePostgresUrl } from './describe';
import { PrismaClient } from './generated/client';
import { acquireLock, DatabaseLockedError, type FileLock } from './lock';
import { applyMigrations } from './migrate';

export { DatabaseLockedError };
export type { PrismaClient };

export interface Database {
  prisma: PrismaClient;
  kind: 'embedded' | 'postgres';
  /** for logs, never with a password */
  describe: string;
  /** the migrations this open applied (empty when the database was up to date or migrate was false) */
  applied: string[];
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql://; unset: the embedded database */
  url?: string;
  /** PULSE_DATA_DIR: the embedded database lives in <dataDir>/db, its lock in <dataDir>/db.lock */
  dataDir: string;
  /** apply pending migrations first (default true) */
  migrate?: boolean;
}

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** a path as people read it in logs: relative to the working directory when inside it */
function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel}` : p;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const migrate = opts.migrate ?? true;
  if (opts.url) {
    if (!isPostgresUrl(opts.url)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
    const describe = describePostgresUrl(opts.url);
    const applied = migrate ? await applyMigrations({ url: opts.url }) : [];
    const prisma = new PrismaClient({ adapter: postgresClientAdapter(opts.url) });
    return { prisma, kind: 'postgres', describe, applied, close: once(() => prisma.$disconnect()) };
  }

  const dataDir = path.resolve(opts.dataDir);
  const dir = path.join(dataDir, 'db');
  mkdirSync(dataDir, { recursive: true });
  const lock: FileLock = acquireLock(path.join(dataDir, 'db.lock'));
  let pglite: PGlite | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    pglite = await PGlite.create(dir);
    return await embedded(pglite, `embedded PGlite at ${shownPath(dir)}`, migrate, () => lock.release());
  } catch (err) {
    await pglite?.close().catch(() => {});
    lock.release();
    throw err;
  }
}

/**
 * the first in-memory database's data folder after its migrations, as a PGlite dump: starting
 * from it skips PGlite's initdb (measured: ~1.3 s instead of ~2.5–5 s per database)
 */
let memoryTemplate: Promise<Blob | File> | undefined;

/** an embedded database in memory, migrated: for tests (gone when closed) */
export async function openMemoryDatabase(): Promise<Database> {
  const template = memoryTemplate;
  const pglite = template ? await PGlite.create({ loadDataDir: await template }) : await PGlite.create('memory://');
  try {
    if (!template) {
      await applyMigrations({ pglite });
      memoryTemplate ??= pglite.dumpDataDir('none');
      memoryTemplate.catch(() => (memoryTemplate = undefined));
      await memoryTemplate;
    }
    return await embedded(pglite, 'embedded PGlite in memory', true, () => {});
  } catch (err) {
    await pglite.close().catch(() => {});
    throw err;
  }
}

async function embedded(pglite: PGlite, describe: string, migrate: boolean, release: () => void): Promise<Database> {
  const applied = migrate ? await applyMigrations({ pglite }) : [];
  const prisma = new PrismaClient({ adapter: pgliteClientAdapter(pglite) });
  const close = once(async () => {
    try {
      await prisma.$disconnect();
    } finally {
      try {
        await pglite.close();
      } finally {
        release();
      }
    }
  });
  return { prisma, kind: 'embedded', describe, applied, close };
}
