import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogSilent } from '@/server/log';

// tests assert on behaviour, not log lines; set PULSE_TEST_LOGS=1 to see them
if (!process.env.PULSE_TEST_LOGS) setLogSilent(true);

// servers started by tests (in process and spawned) write their lake here, never into the
// checkout; the folder is removed when the test worker exits normally
if (!process.env.PULSE_DATA_DIR) {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-tests-'));
  process.env.PULSE_DATA_DIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}

// in-process Pulses and the servers tests spawn keep users and keys in PostgreSQL: this worker's
// own database (a copy of the run's migrated template); a test wanting the embedded database
// passes an environment without DATABASE_URL
if (!process.env.DATABASE_URL) {
  const { testDatabaseUrl } = await import('./database');
  process.env.DATABASE_URL = await testDatabaseUrl();
}
