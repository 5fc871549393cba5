// The embedded database's lock file: PGlite is one process's database, so the process that
// opens a data folder holds `<dataDir>/db.lock` (created exclusively, holding its pid) until it
// closes it. A lock whose process is gone is stale and taken over.
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';

export class DatabaseLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database is in use by process ${pid}${pid === process.pid ? ' (this process)' : ''} (lock file ${lockFile}): ` +
        'PGlite is one process\'s database; stop that process first, or set DATABASE_URL to share a PostgreSQL database',
    );
    this.name = 'DatabaseLockedError';
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) ? n : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export interface FileLock {
  file: string;
  release(): void;
}

/** takes the lock or throws DatabaseLockedError naming the live holder */
export function acquireLock(file: string): FileLock {
  for (let attempt = 0; attempt < 5; attempt++) {
    // the pid is written to a private file first and linked into place, so the lock file never
    // exists without its pid (link fails with EEXIST atomically, like O_EXCL)
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(tmp, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    try {
      linkSync(tmp, file);
      return {
        file,
        release: () => {
          // only our own lock: a lock taken over after we were (wrongly) thought dead is not ours
          if (readPid(file) === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    const holder = readPid(file);
    if (holder !== null && pidAlive(holder)) throw new DatabaseLockedError(file, holder);
    // stale (its process is gone, or it is unreadable): move it aside, so that of two processes
    // taking it over at once only one removes it, then try again
    const aside = `${file}.stale.${process.pid}`;
    try {
      renameSync(file, aside);
      rmSync(aside, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
