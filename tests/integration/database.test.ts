// The database layer against both databases: PostgreSQL (the server CI and developers run) and
// the embedded PGlite in a temporary folder.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseLockedError, openDatabase, type Database } from '@/server/db/database';
import { applyMigrations } from '@/server/db/migrate';
import { readMigrations } from '@/server/db/schemaEngine';
import { createEmptyDatabase, testDatabaseUrl } from '../helpers/database';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const tempDir = () => mkdtempSync(path.join(process.env.PULSE_DATA_DIR ?? tmpdir(), 'db-'));

async function migrationNames(): Promise<string[]> {
  return (await readMigrations()).migrationDirectories.map((d) => d.path);
}

describe('PostgreSQL', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: await testDatabaseUrl(), dataDir: tempDir() });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies every migration to a new database and nothing the second time', async () => {
    const url = await createEmptyDatabase('migrate');
    const names = await migrationNames();
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(await applyMigrations({ url })).toEqual(names);
    expect(await applyMigrations({ url })).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      expect(rows.every((r) => r.finished_at && !r.rolled_back_at)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('describes itself without credentials', () => {
    expect(db.kind).toBe('postgres');
    expect(db.describe).toMatch(/^PostgreSQL 127\.0\.0\.1:5432\/pulse_test_/);
  });

  it('creates, reads, updates and deletes users and their sessions', async () => {
    const { prisma } = db;
    const user = await prisma.user.create({ data: { id: 'u-crud', email: 'crud@example.com', passwordHash: 'scrypt$x', role: 'analyst' } });
    expect(user.failedLogins).toBe(0);
    expect(user.createdAt).toBeInstanceOf(Date);
    await expect(prisma.user.create({ data: { id: 'u-dup', email: 'crud@example.com', passwordHash: 'x', role: 'viewer' } })).rejects.toThrow();
    await prisma.session.create({ data: { id: 'sha-1', userId: user.id, expiresAt: new Date(Date.now() + 3600_000), userAgent: 'test' } });
    const updated = await prisma.user.update({ where: { id: user.id }, data: { role: 'admin', failedLogins: { increment: 2 } }, include: { sessions: true } });
    expect(updated.role).toBe('admin');
    expect(updated.failedLogins).toBe(2);
    expect(updated.sessions.map((s) => s.id)).toEqual(['sha-1']);
    await prisma.user.delete({ where: { id: user.id } });
    // sessions go with their user (onDelete: Cascade)
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it('creates, reads, updates and deletes API keys, display tokens and one-time links', async () => {
    const { prisma } = db;
    await prisma.apiKey.create({ data: { id: 'k1', name: 'shop', kind: 'publishable', prefix: 'pk_12', secretHash: 'h-k1', rateLimitPerMinute: 600 } });
    await prisma.apiKey.update({ where: { id: 'k1' }, data: { revokedAt: new Date() } });
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { secretHash: 'h-k1' } })).revokedAt).toBeInstanceOf(Date);
    await prisma.apiKey.delete({ where: { id: 'k1' } });

    await prisma.displayToken.create({ data: { id: 'd1', name: 'wall', prefix: 'dt_1', tokenHash: 'h-d1' } });
    await prisma.displayToken.update({ where: { id: 'd1' }, data: { lastUsedAt: new Date() } });
    expect(await prisma.displayToken.count()).toBe(1);
    await prisma.displayToken.delete({ where: { id: 'd1' } });

    await prisma.oneTimeLink.create({ data: { id: 'l1', purpose: 'setup', tokenHash: 'h-l1', expiresAt: new Date(Date.now() + 60_000) } });
    const used = await prisma.oneTimeLink.updateMany({ where: { id: 'l1', usedAt: null }, data: { usedAt: new Date() } });
    expect(used.count).toBe(1);
    expect((await prisma.oneTimeLink.updateMany({ where: { id: 'l1', usedAt: null }, data: { usedAt: new Date() } })).count).toBe(0);
    await prisma.oneTimeLink.delete({ where: { id: 'l1' } });
  });

  it('appends to the audit log and refuses UPDATE and DELETE', async () => {
    const { prisma } = db;
    const entry = await prisma.auditEntry.create({
      data: { actorKind: 'cli', actorLabel: 'root', action: 'user.create', targetKind: 'user', targetId: 'u1', after: { email: 'a@example.com', role: 'admin' } },
    });
    expect(typeof entry.id).toBe('bigint');
    const read = await prisma.auditEntry.findUniqueOrThrow({ where: { id: entry.id } });
    expect(read.after).toEqual({ email: 'a@example.com', role: 'admin' });
    await expect(prisma.auditEntry.update({ where: { id: entry.id }, data: { action: 'forged' } })).rejects.toThrow(/audit_log is append-only/);
    await expect(prisma.auditEntry.delete({ where: { id: entry.id } })).rejects.toThrow(/audit_log is append-only/);
    await expect(prisma.auditEntry.deleteMany({})).rejects.toThrow(/audit_log is append-only/);
    await expect(prisma.$executeRawUnsafe('TRUNCATE audit_log')).rejects.toThrow(/audit_log is append-only/);
    expect((await prisma.auditEntry.findUniqueOrThrow({ where: { id: entry.id } })).action).toBe('user.create');
  });

  it('npm run db:migrate applies the migrations, then says the database is up to date', async () => {
    const url = await createEmptyDatabase('cli');
    const env = { ...process.env, DATABASE_URL: url };
    const first = await run('node', ['--import', 'tsx', 'scripts/db-migrate.ts'], { cwd: root, env });
    const names = await migrationNames();
    expect(first.stdout).toContain(`applied ${names.length} migrations: ${names.join(', ')}`);
    expect(first.stdout).not.toContain('postgres@');
    const second = await run('node', ['--import', 'tsx', 'scripts/db-migrate.ts'], { cwd: root, env });
    expect(second.stdout).toContain('database is up to date');
  }, 60_000);
});

describe('embedded PGlite', () => {
  it('creates its folder (owner only), keeps what was written across close and reopen', async () => {
    const dataDir = tempDir();
    const db = await openDatabase({ dataDir });
    expect(db.kind).toBe('embedded');
    expect(db.describe).toContain(path.join('db'));
    expect(db.applied).toEqual(await migrationNames());
    expect(statSync(path.join(dataDir, 'db')).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.join(dataDir, 'db.lock'), 'utf8').trim()).toBe(String(process.pid));
    await db.prisma.user.create({ data: { id: 'u1', email: 'kept@example.com', passwordHash: 'x', role: 'viewer' } });
    await db.prisma.auditEntry.create({ data: { actorKind: 'system', actorLabel: 'test', action: 'user.create' } });
    await db.close();
    await db.close(); // idempotent
    expect(() => statSync(path.join(dataDir, 'db.lock'))).toThrow();

    const again = await openDatabase({ dataDir });
    try {
      expect(again.applied).toEqual([]);
      expect((await again.prisma.user.findUniqueOrThrow({ where: { email: 'kept@example.com' } })).id).toBe('u1');
      await expect(again.prisma.auditEntry.deleteMany({})).rejects.toThrow(/audit_log is append-only/);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('refuses a second open of the same folder while the first is open, and takes over a stale lock', async () => {
    const dataDir = tempDir();
    const db = await openDatabase({ dataDir });
    try {
      const second = openDatabase({ dataDir });
      await expect(second).rejects.toBeInstanceOf(DatabaseLockedError);
      await expect(second).rejects.toThrow(new RegExp(`process ${process.pid}`));
    } finally {
      await db.close();
    }
    // a lock left by a process that is gone (pid beyond pid_max)
    writeFileSync(path.join(dataDir, 'db.lock'), '2147483646\n');
    const taken = await openDatabase({ dataDir });
    try {
      expect(readFileSync(path.join(dataDir, 'db.lock'), 'utf8').trim()).toBe(String(process.pid));
      expect(taken.applied).toEqual([]);
    } finally {
      await taken.close();
    }
  }, 60_000);
});
