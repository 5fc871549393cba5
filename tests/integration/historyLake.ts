import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PulseEvent } from '@/lib/events';
import { compactedCoversName, compactedFileName, flushFileName, hourDir } from '@/server/lake/layout';
import type { LocalLakeStore } from '@/server/lake/lakeStore';
import { ParquetEncoder } from '@/server/lake/parquet';
import { lakeRowOf, type LakeFacts, type LakeRow } from '@/server/lake/schema';
import type { ShopSettings } from '@/server/shop';

/**
 * Writing a test lake: lake rows built by `lakeRowOf` from hand-made events, written as Parquet
 * by the lake's `ParquetEncoder` into hour folders with the writer's file names.
 */

export interface LakeWriter {
  write(rows: readonly LakeRow[], path: string): Promise<void>;
  /** merges files into one (deduplicated by log position), as compaction does */
  merge(sources: readonly string[], path: string): Promise<number>;
  close(): void;
}

export async function openLakeWriter(): Promise<LakeWriter> {
  const encoder = await ParquetEncoder.open();
  return {
    async write(rows, path) {
      await mkdir(dirname(path), { recursive: true });
      await encoder.writeFile(rows, path);
    },
    merge: (sources, path) => encoder.mergeFiles(sources, path),
    close: () => encoder.close(),
  };
}

export interface Logged {
  event: PulseEvent;
  facts?: LakeFacts;
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
