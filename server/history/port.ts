/**
 * The port every history engine implements: DuckDB over the local lake, Athena over S3. Views
 * (server/history/views.ts) build one query per dialect; engines only run it.
 *
 * A query names its source as `{{events}}` (the lake's events table) and takes its values only as
 * positional parameters (`?`), never spliced into the text. `scan` is the event-time range the
 * query reads, so the engine can skip whole hours (DuckDB: files of hour folders outside it;
 * Athena: partition predicates on year/month/day/hour).
 */
export type SqlDialect = 'duckdb' | 'trino';

export type SqlParam = number | string;

export interface HistoryQuery {
  sql: string;
  params: SqlParam[];
  /** [fromMs, toMs) of event time the query reads */
  scan: { fromMs: number; toMs: number };
}

export interface EngineResult {
  /** column names as the query returned them */
  columns: string[];
  /** values: numbers (BIGINT as number when safe), strings, or null */
  rows: (string | number | null)[][];
  bytesScanned: number | null;
  filesScanned: number | null;
  queryId: string | null;
}

export interface HistoryEngine {
  readonly kind: 'duckdb' | 'athena';
  readonly dialect: SqlDialect;
  /** runs the query; aborting `signal` cancels it (Athena: StopQueryExecution) and rejects with an AbortError */
  run(query: HistoryQuery, opts?: { signal?: AbortSignal }): Promise<EngineResult>;
  /** the newest event time in the lake, null when it is empty */
  newestEventTime(): Promise<number | null>;
  close(): Promise<void>;
}
