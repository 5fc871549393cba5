import { randomUUID } from 'node:crypto';
import { SESSION_ROW_OF_EVENT, SESSIONS_PLACEHOLDER } from '@/server/lake/sessions';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
  type Row,
} from '@aws-sdk/client-athena';
import { HOUR_MS, hourOf } from '@/server/lake/layout';
import { PARTITIONS_PLACEHOLDER, bindPartitions } from '@/server/history/partitions';
import type { EngineResult, HistoryEngine, HistoryQuery, SqlParam } from '@/server/history/port';

/**
 * The history engine over the S3 lake: Athena (Trino dialect) on the Glue table that
 * `npm run lake:ddl` creates, with partition projection on year/month/day/hour.
 *
 * A query's `{{events}}` becomes `"<database>"."<table>"`, every `{{partitions}}` the predicate
 * naming exactly the UTC hours of its scan (server/history/partitions.ts; a query without one is
 * refused, since Athena would then enumerate every projected partition), and its `?` parameters
 * go as ExecutionParameters — Athena splices those into the statement as literals, so each is
 * rendered as one here (`athenaLiteral`).
 */

export interface AthenaEngineOptions {
  /** an existing client (not destroyed by close); default: a new one for `region` */
  client?: AthenaClient;
  region: string;
  workgroup: string;
  database: string;
  table: string;
  /** s3://bucket/prefix/ for results; unset: the workgroup's setting */
  outputLocation?: string;
  /** GetQueryExecution polling: first wait, growing ×1.5 up to max (default 200 ms → 2 s) */
  pollMs?: { initial: number; max: number };
  /** a query not finished (results read) by then is stopped and rejected (default 5 minutes) */
  timeoutMs?: number;
  /** the clock newestEventTime's partition window is counted from (tests) */
  now?: () => number;
}

export const EVENTS_PLACEHOLDER = '{{events}}';
export const POLL_GROWTH = 1.5;
const DEFAULT_POLL = { initial: 200, max: 2000 };
const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const PAGE_SIZE = 1000;
/** Athena's limit on one execution parameter */
const MAX_PARAM_LENGTH = 1024;
const DAY_MS = 24 * HOUR_MS;

export class AbortError extends Error {
  override name = 'AbortError';
}

export class QueryTimeoutError extends Error {
  override name = 'TimeoutError';
}

/** an Athena query that ended FAILED or CANCELLED */
export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
  constructor(
    message: string,
    readonly queryId: string,
    readonly state: string,
    readonly reason: string | null,
  ) {
    super(message);
  }
}

/**
 * One parameter as the literal Athena substitutes for its `?`: a number as its decimal text, a
 * string single-quoted with `'` doubled (the only escape Trino string literals have).
 */
export function athenaLiteral(value: SqlParam): string {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`query parameter ${value} is not a finite number`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) throw new RangeError(`query parameter ${value} is an integer beyond 2^53`);
    // the shortest text that reads back as the same double (below 1e-6 in exponent form, which
    // Trino reads as a DOUBLE literal)
    text = String(value);
  } else if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new RangeError('query parameter contains a NUL character');
    text = `'${value.replaceAll("'", "''")}'`;
  } else {
    throw new TypeError(`query parameter of type ${typeof value} is not a number or string`);
  }
  if (text.length > MAX_PARAM_LENGTH) throw new RangeError(`query parameter is ${text.length} characters as a literal; Athena takes at most ${MAX_PARAM_LENGTH}`);
  return text;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT_TYPES = new Set(['double', 'real', 'float', 'decimal']);

/** one result cell: numbers for integer/floating types (BIGINT beyond 2^53 stays text), else text; no VarCharValue is null */
export function convertDatum(datum: { VarCharValue?: string } | undefined, type: string | undefined): string | number | null {
  const raw = datum?.VarCharValue;
  if (raw === undefined) return null;
  const t = (type ?? 'varchar').toLowerCase();
  if (INTEGER_TYPES.has(t)) {
    if (raw === '') return null;
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (FLOAT_TYPES.has(t)) {
    if (raw === '') return null;
    const n = Number(raw);
    return Number.isNaN(n) && raw !== 'NaN' ? raw : n;
  }
  return raw;
}

const quoteIdent = (name: string) => {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Athena identifier ${JSON.stringify(name)} must be letters, digits and _`);
  return `"${name}"`;
};

function abortErrorOf(signal: AbortSignal): AbortError {
  return new AbortError('the history query was aborted', { cause: signal.reason });
}

export class AthenaEngine implements HistoryEngine {
  readonly kind = 'athena' as const;
  readonly dialect = 'trino' as const;
  private readonly client: AthenaClient;
  private readonly ownsClient: boolean;
  private readonly source: string;
  private readonly poll: { initial: number; max: number };
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: AthenaEngineOptions) {
    this.ownsClient = !opts.client;
    this.client = opts.client ?? new AthenaClient({ region: opts.region });
    this.source = `${quoteIdent(opts.database)}.${quoteIdent(opts.table)}`;
    this.poll = opts.pollMs ?? DEFAULT_POLL;
    if (!(this.poll.initial > 0 && this.poll.max >= this.poll.initial)) throw new RangeError('pollMs needs 0 < initial <= max');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
  }

  /** the statement Athena receives for a query (placeholders replaced; parameters still `?`) */
  sqlOf(query: HistoryQuery): string {
    if (!query.sql.includes(PARTITIONS_PLACEHOLDER)) {
      throw new Error(`an Athena query must AND ${PARTITIONS_PLACEHOLDER} into each read of ${EVENTS_PLACEHOLDER} (partition pruning); the query has none`);
    }
    // Athena reads events only (compactions' session summaries start with `_`, which it skips): a
    // session row per event, with the partition columns for the predicate outside
    const sessions = `(SELECT ${SESSION_ROW_OF_EVENT}, year, month, day, hour FROM ${this.source})`;
    return bindPartitions(query, 'trino').split(SESSIONS_PLACEHOLDER).join(sessions).split(EVENTS_PLACEHOLDER).join(this.source);
  }

  async run(query: HistoryQuery, opts: { signal?: AbortSignal } = {}): Promise<EngineResult> {
    const external = opts.signal;
    if (external?.aborted) throw abortErrorOf(external);
    const sql = this.sqlOf(query);
    const parameters = query.params.map(athenaLiteral);

    // one signal for both ways a run ends early; which one is told by the flags
    let queryId: string | null = null;
    const stop = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, this.timeoutMs);
    const onAbort = () => stop.abort();
    external?.addEventListener('abort', onAbort, { once: true });
    const failure = (): Error =>
      timedOut ? new QueryTimeoutError(`the Athena query did not finish within ${this.timeoutMs} ms${queryId ? ` (${queryId})` : ''}`) : abortErrorOf(external!);

    try {
      const started = this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: this.opts.database },
          WorkGroup: this.opts.workgroup,
          ...(this.opts.outputLocation ? { ResultConfiguration: { OutputLocation: this.opts.outputLocation } } : {}),
          ...(parameters.length > 0 ? { ExecutionParameters: parameters } : {}),
          // the SDK's retries of this call reuse the token, so a retry never starts a second query
          ClientRequestToken: randomUUID(),
        }),
      );
      const start = await untilStopped(started, stop.signal);
      if (start === STOPPED) {
        // the query may still start: stop it once its id is known, without holding up the caller
        started.then((out) => (out.QueryExecutionId ? this.stopQuery(out.QueryExecutionId) : undefined)).catch(() => {});
        throw failure();
      }
      queryId = start.QueryExecutionId ?? null;
      if (!queryId) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');

      const execution = await this.waitForEnd(queryId, stop.signal);
      if (execution === STOPPED) {
        await this.stopQuery(queryId);
        throw failure();
      }
      const state = execution.Status?.State;
      if (state !== 'SUCCEEDED') {
        const reason = execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? null;
        throw new AthenaQueryError(`Athena query ${queryId} ${state === 'CANCELLED' ? 'was cancelled' : 'failed'}${reason ? `: ${reason}` : ''}`, queryId, String(state), reason);
      }

      const results = await this.readResults(queryId, stop.signal);
      if (results === STOPPED) throw failure();
      return {
        ...results,
        bytesScanned: execution.Statistics?.DataScannedInBytes ?? null,
        filesScanned: null,
        queryId,
      };
    } finally {
      clearTimeout(timer);
      external?.removeEventListener('abort', onAbort);
    }
  }

  private async waitForEnd(queryId: string, signal: AbortSignal): Promise<QueryExecution | typeof STOPPED> {
    let wait = this.poll.initial;
    for (;;) {
      if ((await sleep(wait, signal)) === STOPPED) return STOPPED;
      const out = await untilStopped(this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })), signal);
      if (out === STOPPED) return STOPPED;
      const execution = out.QueryExecution;
      const state = execution?.Status?.State;
      if (execution && (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED')) return execution;
      wait = Math.min(this.poll.max, Math.round(wait * POLL_GROWTH));
    }
  }

  private async readResults(queryId: string, signal: AbortSignal): Promise<Pick<EngineResult, 'columns' | 'rows'> | typeof STOPPED> {
    let columns: ColumnInfo[] | null = null;
    const rows: (string | number | null)[][] = [];
    let token: string | undefined;
    let first = true;
    do {
      // a fresh input per page (the SDK paginator reuses and mutates one)
      const page: GetQueryResultsCommandOutput | typeof STOPPED = await untilStopped(
        this.client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) })),
        signal,
      );
      if (page === STOPPED) return STOPPED;
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const pageRows: Row[] = page.ResultSet?.Rows ?? [];
      // the first page of a SELECT's results starts with the column labels
      for (const row of first ? pageRows.slice(1) : pageRows) {
        const data = row.Data ?? [];
        rows.push(columns.map((c, i) => convertDatum(data[i], c.Type)));
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return { columns: (columns ?? []).map((c) => c.Name ?? c.Label ?? ''), rows };
  }

  private async stopQuery(queryId: string): Promise<void> {
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    } catch {
      // the query may have ended meanwhile; the caller's rejection says what matters
    }
  }

  /**
   * The newest event time: max(ts_ms) over the partitions of the last two UTC days (today and
   * yesterday, plus the next hour for clocks slightly ahead), widened once to 31 days when those
   * hold nothing. Null when neither has an event.
   */
  async newestEventTime(): Promise<number | null> {
    const now = this.now();
    const toMs = hourOf(now) + 2 * HOUR_MS;
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    for (const days of [2, 31]) {
      const result = await this.run({
        sql: `SELECT max(ts_ms) AS newest FROM ${EVENTS_PLACEHOLDER} WHERE ${PARTITIONS_PLACEHOLDER}`,
        params: [],
        scan: { fromMs: today - (days - 1) * DAY_MS, toMs },
      });
      const value = result.rows[0]?.[0] ?? null;
      if (value !== null) {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new Error(`Athena returned ${JSON.stringify(value)} as the newest event time`);
        return n;
      }
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}

const STOPPED = Symbol('stopped');

/** the promise's value, or STOPPED as soon as the signal aborts (the promise keeps running) */
function untilStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof STOPPED> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.resolve(STOPPED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      resolve(STOPPED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void | typeof STOPPED> {
  if (signal.aborted) return Promise.resolve(STOPPED);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(STOPPED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
