// Applies prisma/migrations to a database the way `prisma migrate deploy` does (Prisma's own
// engine, as WASM: see schemaEngine.ts): each migration not yet recorded in `_prisma_migrations`
// runs in order and is recorded there, with the same checksums, so the Prisma CLI can take over
// wherever its native engine is available. Running it again applies nothing.
import type { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { pgliteMigrationAdapter, postgresMigrationAdapter } from './adapters';
import { engineError, MIGRATIONS_DIR, openSchemaEngine, readMigrations } from './schemaEngine';

export type MigrationTarget =
  /** PostgreSQL: postgres:// or postgresql:// (optionally `?schema=`) */
  | { url: string }
  /** an open PGlite instance (left open) */
  | { pglite: PGlite }
  /** any migration-aware driver adapter factory */
  | { adapter: SqlMigrationAwareDriverAdapterFactory };

export interface MigrateOptions {
  /** defaults to prisma/migrations */
  migrationsDir?: string;
  /** the engine's log lines (JSON), for debugging */
  onLog?: (line: string) => void;
}

/** applies the pending migrations; returns their names, in order (empty when up to date) */
export async function applyMigrations(target: MigrationTarget, opts: MigrateOptions = {}): Promise<string[]> {
  const { factory, close } =
    'url' in target
      ? postgresMigrationAdapter(target.url)
      : { factory: 'pglite' in target ? pgliteMigrationAdapter(target.pglite) : target.adapter, close: async () => {} };
  const migrationsList = await readMigrations(opts.migrationsDir ?? MIGRATIONS_DIR);
  if (migrationsList.migrationDirectories.length === 0) throw new Error(`no migrations found in ${migrationsList.baseDir}`);
  const engine = await openSchemaEngine(factory, opts.onLog).catch(async (err: unknown) => {
    await close();
    throw engineError(err, 'could not start the schema engine');
  });
  try {
    const out = await engine.applyMigrations({ migrationsList, filters: { externalTables: [], externalEnums: [] } }).catch((err: unknown) => {
      throw engineError(err, 'applying migrations failed');
    });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
    await close();
  }
}
