// Driver adapter factories for the two databases, as Prisma Client and the schema engine take
// them, with two fixes the migration path needs (found by trying, adapter versions in
// package.json):
//
// - @prisma/adapter-pg's executeScript splits a script on every ';' and sends the pieces one by
//   one, which breaks any statement with a ';' inside it (a PL/pgSQL function body, a comment),
//   and runs the pieces outside any transaction. Here a script goes to PostgreSQL whole, as one
//   simple-protocol query (PostgreSQL runs such a multi-statement query as one transaction).
// - pglite-prisma-adapter's executeScript does not await PGlite's exec: a failing migration is
//   recorded as applied and its error surfaces later as an unhandled rejection. Here it is awaited.
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

type ScriptRunner = (adapter: SqlDriverAdapter, script: string) => Promise<unknown>;

function wholeScripts(factory: SqlMigrationAwareDriverAdapterFactory, run: ScriptRunner, onShadowDispose?: (a: SqlDriverAdapter) => Promise<void>): SqlMigrationAwareDriverAdapterFactory {
  const patch = (adapter: SqlDriverAdapter, shadow: boolean): SqlDriverAdapter => {
    const onError = (adapter as unknown as { onError?: (e: unknown) => never }).onError?.bind(adapter);
    adapter.executeScript = async (script: string) => {
      try {
        await run(adapter, script);
      } catch (err) {
        // the adapter's own translation into a DriverAdapterError (code, message, detail)
        if (onError) onError(err);
        throw err;
      }
    };
    if (shadow && onShadowDispose) {
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await onShadowDispose(adapter);
      };
    }
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect(), false),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb(), true),
  };
}

export interface PostgresTarget {
  url: string;
  /** the PostgreSQL schema (search_path), from `?schema=` */
  schema?: string;
}

/** `postgres://…?schema=x` → the URL pg understands (without `schema`) and the schema */
export function parsePostgresUrl(url: string): PostgresTarget & { connectionString: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { url, schema, connectionString: u.toString() };
}

/** pg pool options for a URL: `?schema=` becomes the connection's search_path */
export function pgPoolConfig(url: string, extra: pg.PoolConfig = {}): pg.PoolConfig {
  const { connectionString, schema } = parsePostgresUrl(url);
  return { connectionString, ...(schema ? { options: `-c search_path="${schema.replace(/"/g, '""')}"` } : {}), ...extra };
}

/** Prisma Client's adapter for PostgreSQL */
export function postgresClientAdapter(url: string): PrismaPg {
  const { schema } = parsePostgresUrl(url);
  return new PrismaPg(pgPoolConfig(url), schema ? { schema } : undefined);
}

/**
 * The schema engine's adapter for PostgreSQL: one connection (max 1), so the engine's advisory
 * lock and the statements it guards share a session.
 */
export function postgresMigrationAdapter(url: string): { factory: SqlMigrationAwareDriverAdapterFactory; close(): Promise<void> } {
  const { schema } = parsePostgresUrl(url);
  const pool = new pg.Pool(pgPoolConfig(url, { max: 1 }));
  // an idle connection that the server drops must not crash the process
  pool.on('error', () => {});
  const factory = new PrismaPg(pool, schema ? { schema } : undefined);
  return {
    factory: wholeScripts(factory, (adapter, script) => (adapter as unknown as { underlyingDriver(): pg.Pool }).underlyingDriver().query(script)),
    close: () => pool.end(),
  };
}

const pgliteOf = (adapter: SqlDriverAdapter) => (adapter as unknown as { client: PGlite }).client;

/** Prisma Client's adapter for PGlite */
export function pgliteClientAdapter(client: PGlite): PrismaPGlite {
  return new PrismaPGlite(client);
}

/** The schema engine's adapter for PGlite (its shadow database is another, in-memory PGlite) */
export function pgliteMigrationAdapter(client: PGlite): SqlMigrationAwareDriverAdapterFactory {
  return wholeScripts(
    new PrismaPGlite(client) as unknown as SqlMigrationAwareDriverAdapterFactory,
    (adapter, script) => pgliteOf(adapter).exec(script),
    async (shadow) => pgliteOf(shadow).close(),
  );
}
