import { randomBytes } from 'node:crypto';
import { applyMigrations } from '@/server/db/migrate';
import { adminQuery, databaseUrl, TEMPLATE_ENV } from './database';

/**
 * Once per vitest run: a migrated PostgreSQL database that every test worker copies its own
 * from (CREATE DATABASE … TEMPLATE), so no test file pays for loading the schema engine.
 * Dropped when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const name = `pulse_tpl_${process.pid}_${randomBytes(4).toString('hex')}`;
  // templates of runs that died
  const { rows } = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^pulse_tpl_[0-9]+_[0-9a-f]{8}$'`);
  for (const { datname } of rows) {
    const pid = Number(datname.split('_')[2]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  }
  await adminQuery(`CREATE DATABASE "${name}"`);
  await applyMigrations({ url: databaseUrl(name) });
  process.env[TEMPLATE_ENV] = name;
  return async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
  };
}
