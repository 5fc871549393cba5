import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BIGINT, DuckDBListType, INTEGER, VARCHAR, type DuckDBAppender } from '@duckdb/node-api';
import type { PulseEvent } from '@/lib/events';
import { compactedCoversName, compactedFileName, flushFileName, hourDir } from '@/server/lake/layout';
import type { LocalLakeStore } from '@/server/lake/lakeStore';
import { CREATE_COLUMNS, openDuckDB, ParquetEncoder } from '@/server/lake/parquet';
import { LAKE_COLUMNS, lakeRowOf, type LakeRow, type PurchaseFacts } from '@/server/lake/schema';
import type { ShopSettings } from '@/server/shop';

/**
 * Writing a test lake: lake rows built by `lakeRowOf` from hand-made events, written as Parquet
 * by the lake's `ParquetEncoder` into hour folders with the writer's file names.
 *
 * At the time of writing `ParquetEncoder.writeFile` fails on DuckDB 1.5 (its appender asks for
 * schema "temp": `Table ".temp.lake_rows_1" could not be found`). Until the lake writer fixes it,
 * only that failure falls back to the same table written the same way through an appender on the
 * table's plain name (as scripts/lake-backfill.ts does); any other error fails the test.
 */

export interface LakeWriter {
  write(rows: readonly LakeRow[], path: string): Promise<void>;
  /** merges files into one (deduplicated by log position), as compaction does */
  merge(sources: readonly string[], path: string): Promise<number>;
  /** true when the fallback had to be used */
  readonly fellBack: boolean;
  close(): void;
}

export async function openLakeWriter(): Promise<LakeWriter> {
  const encoder = await ParquetEncoder.open();
  let fallback: Awaited<ReturnType<typeof fallbackWriter>> | null = null;
  return {
    get fellBack() {
      return fallback !== null;
    },
    async write(rows, path) {
      await mkdir(dirname(path), { recursive: true });
      if (!fallback) {
        try {
          await encoder.writeFile(rows, path);
          return;
        } catch (err) {
          if (!/\.temp\.lake_rows_\d+" could not be found/.test((err as Error).message)) throw err;
          fallback = await fallbackWriter();
        }
      }
      await fallback.write(rows, path);
    },
    merge: (sources, path) => encoder.mergeFiles(sources, path),
    close() {
      encoder.close();
      fallback?.close();
    },
  };
}

async function fallbackWriter() {
  const db = await openDuckDB({ threads: 1 });
  const lists: Record<string, DuckDBListType> = { 'VARCHAR[]': new DuckDBListType(VARCHAR), 'INTEGER[]': new DuckDBListType(INTEGER), 'BIGINT[]': new DuckDBListType(BIGINT) };
  const putOf = (type: string): ((a: DuckDBAppender, v: unknown) => void) => {
    switch (type) {
      case 'VARCHAR': return (a, v) => a.appendVarchar(v as string);
      case 'BOOLEAN': return (a, v) => a.appendBoolean(v as boolean);
      case 'BIGINT': return (a, v) => a.appendBigInt(BigInt(v as number));
      case 'INTEGER': return (a, v) => a.appendInteger(v as number);
      case 'DOUBLE': return (a, v) => a.appendDouble(v as number);
      case 'BIGINT[]': return (a, v) => a.appendList((v as number[]).map(BigInt), lists[type]);
      case 'VARCHAR[]':
      case 'INTEGER[]': return (a, v) => a.appendList(v as string[] | number[], lists[type]);
      default: throw new Error(`no appender for lake column type ${type}`);
    }
  };
  const puts = LAKE_COLUMNS.map((c) => ({ name: c.name as keyof LakeRow, put: putOf(c.duckdb) }));
  let seq = 0;
  return {
    async write(rows: readonly LakeRow[], path: string) {
      const c = db.connection;
      const table = `test_rows_${++seq}`;
      await c.run(`CREATE TABLE ${table} (${CREATE_COLUMNS})`);
      try {
        const appender = await c.createAppender(table);
        for (const row of rows) {
          for (const { name, put } of puts) {
            const v = row[name];
            if (v === null || v === undefined) appender.appendNull();
            else put(appender, v);
          }
          appender.endRow();
        }
        appender.flushSync();
        appender.closeSync();
        await c.run(`COPY (SELECT * FROM ${table} ORDER BY ts_ms, log_partition, log_offset) TO '${path.replaceAll("'", "''")}' (FORMAT PARQUET, COMPRESSION ZSTD)`);
      } finally {
        await c.run(`DROP TABLE IF EXISTS ${table}`);
      }
    },
    close() {
      db.connection.closeSync();
      db.instance.closeSync();
    },
  };
}

export interface Logged {
  event: PulseEvent;
  facts?: PurchaseFacts;
}

/** rows of the events at offsets 1, 2, … of partition 0 of log "testlog" */
export function rowsOf(events: readonly Logged[], shop: ShopSettings): LakeRow[] {
  return events.map((e, i) => lakeRowOf(e.event, { logId: 'testlog', partition: 0, offset: i + 1 }, shop, e.facts));
}

/** one flush file per hour folder the rows fall in; returns the keys written */
export async function writeFlushes(store: LocalLakeStore, writer: LakeWriter, rows: readonly LakeRow[]): Promise<string[]> {
  const byDir = new Map<string, LakeRow[]>();
  for (const r of rows) {
    const dir = hourDir(r.ts_ms);
    let list = byDir.get(dir);
    if (!list) byDir.set(dir, (list = []));
    list.push(r);
  }
  const keys: string[] = [];
  for (const [dir, list] of byDir) {
    const offsets = list.map((r) => r.log_offset);
    const key = `${dir}/${flushFileName('testlog', 0, Math.min(...offsets), Math.max(...offsets))}`;
    await writer.write(list, store.localPath(key));
    keys.push(key);
  }
  return keys;
}

/**
 * Compacts the given flush files of one hour as the compactor does (list first, then the merged
 * file), leaving the covered files in place — a reader must still count each event once.
 */
export async function compact(store: LocalLakeStore, writer: LakeWriter, dir: string, names: readonly string[], generation = 1): Promise<void> {
  await store.put(`${dir}/${compactedCoversName(generation)}`, JSON.stringify({ covers: names }));
  await writer.merge(
    names.map((n) => store.localPath(`${dir}/${n}`)),
    store.localPath(`${dir}/${compactedFileName(generation)}`),
  );
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
