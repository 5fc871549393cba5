// Creates the next migration from the difference between prisma/migrations and
// prisma/schema.prisma, in Prisma's standard layout (prisma/migrations/<timestamp>_<name>/
// migration.sql and migration_lock.toml), like `prisma migrate dev --create-only` would.
//
//   npm run db:migration -- <name>
//
// The existing migrations are replayed on a throw-away in-memory PGlite (the shadow database)
// by Prisma's WASM schema engine, which then diffs the result against the schema. Review the
// SQL before committing it: it must also run on PostgreSQL 15 (PGlite is PostgreSQL 17).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { LOCKFILE_CONTENT, LOCKFILE_NAME, MIGRATIONS_DIR, SCHEMA_PATH, engineError, openSchemaEngine, readMigrations } from '@/server/db/schemaEngine';

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

const rawName = process.argv.slice(2).join('_');
const name = rawName.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
if (!name) {
  console.error('usage: npm run db:migration -- <name>   (e.g. add_alert_rules)');
  process.exit(2);
}

const pglite = new PGlite('memory://');
const engine = await openSchemaEngine(new PrismaPGlite(pglite));
let sql: string;
try {
  const migrations = await readMigrations();
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const result = await engine
    .diff({
      from: migrations.migrationDirectories.length ? { tag: 'migrations', ...migrations } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    })
    .catch((err: unknown) => {
      throw engineError(err, 'diff failed');
    });
  sql = result.stdout ?? '';
} finally {
  engine.free();
  await pglite.close();
}

if (!sql.trim() || /^-- This is an empty migration\.?\s*$/.test(sql.trim())) {
  console.log('the schema and the migrations agree: no migration created');
  process.exit(0);
}
const dirName = `${timestamp()}_${name}`;
const dir = path.join(MIGRATIONS_DIR, dirName);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), sql.endsWith('\n') ? sql : `${sql}\n`);
const lock = path.join(MIGRATIONS_DIR, LOCKFILE_NAME);
if (!existsSync(lock)) writeFileSync(lock, LOCKFILE_CONTENT);
console.log(`created ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}`);
