/**
 * Prints the Glue / Athena DDL of the lake's `events` table (run each statement in Athena, or
 * pipe the output into your own tooling):
 *
 *   npm run lake:ddl -- [--bucket B] [--prefix P/] [--database D] [--table T]
 *
 * Defaults come from the same configuration as the server (LAKE_S3_BUCKET, LAKE_S3_PREFIX,
 * ATHENA_DATABASE, ATHENA_TABLE); flags override them.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@/server/config';
import { lakeDdl } from '@/server/history/athenaDdl';

function main(): number {
  const { values } = parseArgs({
    options: {
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      database: { type: 'string' },
      table: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run lake:ddl -- [--bucket B] [--prefix P/] [--database D] [--table T]\n');
    return 0;
  }
  // flags go through the configuration's own checks
  const env = { ...process.env };
  if (values.bucket !== undefined) env.LAKE_S3_BUCKET = values.bucket;
  if (values.prefix !== undefined) env.LAKE_S3_PREFIX = values.prefix;
  if (values.database !== undefined) env.ATHENA_DATABASE = values.database;
  if (values.table !== undefined) env.ATHENA_TABLE = values.table;
  const config = loadConfig(env);
  if (!config.LAKE_S3_BUCKET) {
    process.stderr.write('lake:ddl needs the lake bucket: set LAKE_S3_BUCKET or pass --bucket\n');
    return 2;
  }
  process.stdout.write(
    lakeDdl({ bucket: config.LAKE_S3_BUCKET, prefix: config.LAKE_S3_PREFIX, database: config.ATHENA_DATABASE, table: config.ATHENA_TABLE }),
  );
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
