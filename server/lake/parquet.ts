import { DuckDBInstance, DuckDBListType, BIGINT, INTEGER, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { LAKE_COLUMNS, type LakeRow } from './schema';
import { SESSION_SUMMARY_OF_EVENTS } from './sessions';

/** a path inside a DuckDB statement (COPY … TO takes no parameters); ours never hold client data */
export function sqlPath(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/** a DuckDB instance for the lake: no network, extensions only from what ships built in */
export async function openDuckDB(opts: { threads?: number; memoryLimit?: string } = {}): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 1),
    memory_limit: opts.memoryLimit ?? '512MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
    enable_external_access: 'true',
  });
  return { instance, connection: await instance.connect() };
}

const VARCHAR_LIST = new DuckDBListType(VARCHAR);
const INTEGER_LIST = new DuckDBListType(INTEGER);
const BIGINT_LIST = new DuckDBListType(BIGINT);

type Put = (a: DuckDBAppender, row: LakeRow) => void;

const nullable = <T>(get: (r: LakeRow) => T | null, put: (a: DuckDBAppender, v: T) => void): Put => (a, r) => {
  const v = get(r);
  if (v === null || v === undefined) a.appendNull();
  else put(a, v);
};

/** one appender call per column, in LAKE_COLUMNS order (checked when the module loads) */
const PUTS: Record<keyof LakeRow, Put> = {
  event_id: (a, r) => a.appendVarchar(r.event_id),
  client_event_id: (a, r) => a.appendBoolean(r.client_event_id),
  ts_ms: (a, r) => a.appendBigInt(BigInt(r.ts_ms)),
  received_at_ms: (a, r) => a.appendBigInt(BigInt(r.received_at_ms)),
  user_id: (a, r) => a.appendVarchar(r.user_id),
  session_id: nullable((r) => r.session_id, (a, v) => a.appendVarchar(v)),
  session_key: (a, r) => a.appendVarchar(r.session_key),
  event_type: (a, r) => a.appendVarchar(r.event_type),
  amount_minor: nullable((r) => r.amount_minor, (a, v) => a.appendBigInt(BigInt(v))),
  currency: nullable((r) => r.currency, (a, v) => a.appendVarchar(v)),
  shop_amount_minor: nullable((r) => r.shop_amount_minor, (a, v) => a.appendBigInt(BigInt(v))),
  shop_currency: (a, r) => a.appendVarchar(r.shop_currency),
  product_id: nullable((r) => r.product_id, (a, v) => a.appendVarchar(v)),
  quantity: nullable((r) => r.quantity, (a, v) => a.appendInteger(v)),
  price_minor: nullable((r) => r.price_minor, (a, v) => a.appendBigInt(BigInt(v))),
  page: nullable((r) => r.page, (a, v) => a.appendVarchar(v)),
  category: nullable((r) => r.category, (a, v) => a.appendVarchar(v)),
  item_product_ids: nullable((r) => r.item_product_ids, (a, v) => a.appendList(v, VARCHAR_LIST)),
  item_quantities: nullable((r) => r.item_quantities, (a, v) => a.appendList(v, INTEGER_LIST)),
  item_shop_revenue_minor: nullable((r) => r.item_shop_revenue_minor, (a, v) => a.appendList(v.map(BigInt), BIGINT_LIST)),
  country: nullable((r) => r.country, (a, v) => a.appendVarchar(v)),
  lat: nullable((r) => r.lat, (a, v) => a.appendDouble(v)),
  lon: nullable((r) => r.lon, (a, v) => a.appendDouble(v)),
  purchase_country: nullable((r) => r.purchase_country, (a, v) => a.appendVarchar(v)),
  fraud_score: nullable((r) => r.fraud_score, (a, v) => a.appendDouble(v)),
  properties_json: (a, r) => a.appendVarchar(r.properties_json),
  log_id: (a, r) => a.appendVarchar(r.log_id),
  log_partition: (a, r) => a.appendInteger(r.log_partition),
  log_offset: (a, r) => a.appendBigInt(BigInt(r.log_offset)),
};
const PUT_LIST: Put[] = LAKE_COLUMNS.map((c) => PUTS[c.name]);
const APPEND_SLICE = 2000;

export const CREATE_COLUMNS = LAKE_COLUMNS.map((c) => `"${c.name}" ${c.duckdb}`).join(', ');

/**
 * Rows are sorted by event type, then time, in row groups of 8,192: most views read one or two
 * types (purchases are ~1 % of events), and the row groups' min/max statistics let DuckDB and
 * Athena skip the page views' row groups. What the order gave the views is measured only as part
 * of one `npm run bench:history` comparison with the commit before it (README, Performance).
 */
const FILE_ORDER = 'event_type, ts_ms, log_partition, log_offset';
const PARQUET_OPTIONS = 'FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 8192';

/**
 * Writes lake rows as ZSTD-compressed Parquet through an in-process DuckDB (one per encoder, one
 * statement at a time), in FILE_ORDER.
 */
export class ParquetEncoder {
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;

  private constructor(private readonly db: { instance: DuckDBInstance; connection: DuckDBConnection }) {}

  static async open(): Promise<ParquetEncoder> {
    return new ParquetEncoder(await openDuckDB({ threads: 1, memoryLimit: '256MB' }));
  }

  /** writes `rows` to the local file `path` (created or replaced); the caller renames it into place */
  writeFile(rows: readonly LakeRow[], path: string): Promise<void> {
    return this.serial(async () => {
      const c = this.db.connection;
      const table = `lake_rows_${++this.seq}`;
      await c.run(`CREATE TABLE ${table} (${CREATE_COLUMNS})`);
      try {
        const appender = await c.createAppender(table);
        try {
          // appending is synchronous native work: yield every few thousand rows, so a flush of a
          // large buffer never holds up the live consumer sharing this process for long
          for (let i = 0; i < rows.length; i++) {
            for (const put of PUT_LIST) put(appender, rows[i]);
            appender.endRow();
            if (i % APPEND_SLICE === APPEND_SLICE - 1) await new Promise<void>((r) => setImmediate(r));
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
        await c.run(`COPY (SELECT * FROM ${table} ORDER BY ${FILE_ORDER}) TO ${sqlPath(path)} (${PARQUET_OPTIONS})`);
      } finally {
        await c.run(`DROP TABLE IF EXISTS ${table}`);
      }
    });
  }

  /**
   * merges Parquet files (same schema) into one at `path`, deduplicated by (log_id,
   * log_partition, log_offset) — the compaction step; returns the rows written
   */
  mergeFiles(sources: readonly string[], path: string): Promise<number> {
    return this.serial(async () => {
      const c = this.db.connection;
      const list = sources.map(sqlPath).join(', ');
      await c.run(
        `COPY (SELECT * FROM read_parquet([${list}], union_by_name = true) QUALIFY row_number() OVER (PARTITION BY log_id, log_partition, log_offset ORDER BY ts_ms) = 1 ORDER BY ${FILE_ORDER}) TO ${sqlPath(path)} (${PARQUET_OPTIONS})`,
      );
      const r = await c.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlPath(path)})`);
      return Number(r.getRowObjects()[0].n);
    });
  }

  /** the session rows (server/lake/sessions.ts) of a Parquet file of events, written at `path` */
  writeSessionSummary(source: string, path: string): Promise<void> {
    return this.serial(async () => {
      await this.db.connection.run(
        `COPY (SELECT ${SESSION_SUMMARY_OF_EVENTS} FROM read_parquet(${sqlPath(source)}) GROUP BY session_key ORDER BY session_key) TO ${sqlPath(path)} (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 65536)`,
      );
    });
  }

  close(): void {
    this.db.connection.closeSync();
    this.db.instance.closeSync();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
