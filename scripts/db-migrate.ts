// Applies the pending migrations (prisma/migrations) to Pulse's database, like
// `prisma migrate deploy`:
//
//   npm run db:migrate                                      the embedded database, $PULSE_DATA_DIR/db (default ./data/db)
//   DATABASE_URL=postgresql://… npm run db:migrate          a PostgreSQL database
//
// The server also applies them when it opens the database; this is for deployments that
// migrate as a separate step. The embedded database cannot be migrated while the server has it
// open (PGlite is one process's database): stop the server first.
import { DatabaseLockedError, openDatabase } from '@/server/db/database';

const url = process.env.DATABASE_URL || undefined;
const dataDir = process.env.PULSE_DATA_DIR || './data';

try {
  const db = await openDatabase({ url, dataDir, migrate: true });
  await db.close();
  if (db.applied.length === 0) console.log(`${db.describe}: database is up to date`);
  else console.log(`${db.describe}: applied ${db.applied.length} migration${db.applied.length === 1 ? '' : 's'}: ${db.applied.join(', ')}`);
} catch (err) {
  console.error(`db:migrate failed: ${err instanceof DatabaseLockedError ? err.message : err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
