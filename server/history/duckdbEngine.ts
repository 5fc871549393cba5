import { stat } from 'node:fs/promises';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { compactedCoversName, compactedGeneration, hourDirsBetween, hourOfDir, sessionSummaryName, visibleFiles } from '@/server/lake/layout';
import { SESSION_COLUMNS, SESSION_ROW_OF_EVENT, SESSIONS_PLACEHOLDER } from '@/server/lake/sessions';
import type { LocalLakeStore } from '@/server/lake/lakeStore';
import { readCovers } from '@/server/lake/objects';
import { CREATE_COLUMNS, openDuckDB, sqlPath } from '@/server/lake/parquet';
import type { EngineResult, HistoryEngine, HistoryQuery } from '@/server/history/port';

/**
 * The history engine over the local lake folder: an in-process DuckDB reading the Parquet files
 * of the hours a query scans.
 *
 * Files: for each hour folder of the scan, the files `visibleFiles` chooses (the newest
 * compaction and the flush files it does not replace — never both a compacted file and what it
 * covers). `{{events}}` becomes `read_parquet([...those paths])`, or an empty table with the lake's
 * columns when there are none; `{{partitions}}` becomes TRUE (the folders are the pruning).
 * Paths are ours (lake keys), quoted with sqlPath; every value is a bound parameter.
 *
 * One connection, one query at a time (a queue): `interrupt()` then cancels exactly the query
 * that was aborted. A file deleted between listing and reading (compaction finishing) fails the
 * query with an IO error: it is listed again and run once more.
 */

const EVENTS = '{{events}}';
const PARTITIONS = '{{partitions}}';
const EMPTY_TABLE = 'empty_events';

export class AbortError extends Error {
  override name = 'AbortError';
  constructor(message = 'the history query was cancelled') {
    super(message);
  }
}

interface LakeFile {
  path: string;
  size: number;
  /** a compacted file's session rows (server/lake/sessions.ts), when its compaction wrote them */
  sessions?: string;
}

/** DuckDB's errors when a file it was given is gone */
const VANISHED = /No such file|No files found|Cannot open file|could not open|does not exist/i;

export class DuckDBHistoryEngine implements HistoryEngine {
  readonly kind = 'duckdb';
  readonly dialect = 'duckdb' as const;
  private db: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** `_compacted-G.json` contents by key: written once before their compacted file, never changed */
  private readonly coversCache = new Map<string, readonly string[]>();
  private closed = false;

  constructor(private readonly store: LocalLakeStore) {}

  private open() {
    this.db ??= openDuckDB({ threads: 2 }).then(async (db) => {
      await db.connection.run(`CREATE TABLE ${EMPTY_TABLE} (${CREATE_COLUMNS})`);
      // files of closed hours never change: keep their Parquet footers instead of re-reading them per query
      await db.connection.run('SET parquet_metadata_cache = true');
      await db.connection.run('SET enable_object_cache = true');
      return db;
    });
    return this.db;
  }

  /** the visible files of the hours of [fromMs, toMs), with their sizes */
  async filesFor(fromMs: number, toMs: number): Promise<LakeFile[]> {
    if (toMs <= fromMs) return [];
    const dirs = hourDirsBetween(fromMs, toMs - 1);
    const out: LakeFile[] = [];
    // a few folders at a time: a 93-day scan lists 2,232 of them, most absent (an empty readdir)
    for (let i = 0; i < dirs.length; i += 32) {
      const chunk = await Promise.all(dirs.slice(i, i + 32).map((d) => this.hourFiles(d)));
      for (const files of chunk) out.push(...files);
    }
    return out;
  }

  private async hourFiles(dir: string): Promise<LakeFile[]> {
    const names = await this.store.list(dir);
    if (names.length === 0) return [];
    const chosen = await visibleFiles(names, (g) => this.covers(`${dir}/${compactedCoversName(g)}`));
    const files = await Promise.all(
      chosen.map(async (name) => {
        const path = this.store.localPath(`${dir}/${name}`);
        const g = compactedGeneration(name);
        const sessions = g !== null && names.includes(sessionSummaryName(g)) ? this.store.localPath(`${dir}/${sessionSummaryName(g)}`) : undefined;
        try {
          return { path, size: (await stat(path)).size, ...(sessions ? { sessions } : {}) };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // compacted away since the listing
          throw err;
        }
      }),
    );
    return files.filter((f): f is LakeFile => f !== null);
  }

  /** a compaction's list never changes once written: read each once */
  private async covers(key: string): Promise<readonly string[]> {
    const known = this.coversCache.get(key);
    if (known) return known;
    const names = await readCovers(this.store, key);
    if (this.coversCache.size > 10_000) this.coversCache.clear();
    this.coversCache.set(key, names);
    return names;
  }

  async run(query: HistoryQuery, opts: { signal?: AbortSignal } = {}): Promise<EngineResult> {
    const signal = opts.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortError();
      const files = await this.filesFor(query.scan.fromMs, query.scan.toMs);
      try {
        const result = await this.execute(bindSource(query.sql, files), query.params, signal);
        return {
          ...result,
          bytesScanned: files.reduce((n, f) => n + f.size, 0),
          filesScanned: files.length,
          queryId: null,
        };
      } catch (err) {
        if (err instanceof AbortError || attempt >= 2 || !VANISHED.test(String((err as Error)?.message))) throw err;
      }
    }
  }

  /** runs one statement when the connection is free; an abort before its turn skips it */
  private execute(sql: string, params: readonly (number | string)[], signal: AbortSignal | undefined): Promise<Pick<EngineResult, 'columns' | 'rows'>> {
    const job = async () => {
      if (this.closed) throw new Error('the history engine is closed');
      if (signal?.aborted) throw new AbortError();
      const { connection } = await this.open();
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        connection.interrupt();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const reader = await connection.runAndReadAll(sql, params.map(bindValue));
        if (aborted) throw new AbortError();
        return { columns: reader.columnNames(), rows: reader.getRowsJS().map((r) => r.map(toCell)) };
      } catch (err) {
        if (aborted || signal?.aborted) throw new AbortError();
        throw err;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    };
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The newest event time: max(ts_ms) in the newest hour folder holding visible files, walking
   * back folder by folder (year, month, day, hour — newest first) until one has rows; it never
   * reads more than those few files.
   */
  async newestEventTime(): Promise<number | null> {
    const desc = (names: string[]) => names.filter((n) => /^[a-z]+=\d+$/.test(n)).sort((a, b) => Number(b.split('=')[1]) - Number(a.split('=')[1]));
    let checked = 0;
    for (const y of desc(await this.store.listDirs('events'))) {
      for (const m of desc(await this.store.listDirs(`events/${y}`))) {
        for (const d of desc(await this.store.listDirs(`events/${y}/${m}`))) {
          for (const h of desc(await this.store.listDirs(`events/${y}/${m}/${d}`))) {
            const dir = `events/${y}/${m}/${d}/${h}`;
            const start = hourOfDir(dir);
            if (start === null) continue;
            const files = await this.hourFiles(dir);
            if (files.length === 0) continue;
            const r = await this.run({ sql: `SELECT max(ts_ms) AS newest FROM ${EVENTS}`, params: [], scan: { fromMs: start, toMs: start + 1 } });
            const newest = r.rows[0]?.[0];
            if (typeof newest === 'number') return newest;
            if (++checked >= 48) return null; // a long run of empty files: not worth reading further back
          }
        }
      }
    }
    return null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    if (this.db) {
      const db = await this.db.catch(() => null);
      db?.connection.closeSync();
      db?.instance.closeSync();
      this.db = null;
    }
  }
}

/**
 * A query's placeholders bound to relations: `{{events}}` to `events`, `{{sessions}}` to
 * `sessions` (session rows, server/lake/sessions.ts), `{{partitions}}` to TRUE (DuckDB prunes by
 * what it is given). The benchmark binds the same queries to a flat file this way.
 */
export function bindDuckDB(sql: string, source: { events: string; sessions: () => string }): string {
  let bound = sql.split(EVENTS).join(source.events);
  if (bound.includes(SESSIONS_PLACEHOLDER)) bound = bound.split(SESSIONS_PLACEHOLDER).join(source.sessions());
  return bound.split(PARTITIONS).join('TRUE');
}

/** the lake files of a scan as those relations: a compaction's session summary where it wrote one, else each event as a row */
function bindSource(sql: string, files: readonly LakeFile[]): string {
  const list = (fs: readonly LakeFile[], pick: (f: LakeFile) => string) => `read_parquet([${fs.map((f) => sqlPath(pick(f))).join(', ')}])`;
  return bindDuckDB(sql, {
    events: files.length === 0 ? EMPTY_TABLE : list(files, (f) => f.path),
    sessions: () => {
      const summarised = files.filter((f) => f.sessions);
      const raw = files.filter((f) => !f.sessions);
      const parts = [
        ...(summarised.length ? [`SELECT ${SESSION_COLUMNS} FROM ${list(summarised, (f) => f.sessions!)}`] : []),
        ...(raw.length || summarised.length === 0 ? [`SELECT ${SESSION_ROW_OF_EVENT} FROM ${raw.length ? list(raw, (f) => f.path) : EMPTY_TABLE}`] : []),
      ];
      return `(${parts.join('\nUNION ALL\n')})`;
    },
  });
}

/** whole numbers as BIGINT (a JS number binds as DOUBLE, which LIMIT refuses), others as DOUBLE */
export function bindValue(v: number | string): DuckDBValue {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return v;
}

export function toCell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}
