import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLakeStore, type LakeStore } from './lakeStore';
import type { ParquetEncoder } from './parquet';
import type { LakeRow } from './schema';

/** a private scratch folder for files on their way to S3 */
async function scratchFile(): Promise<string> {
  const dir = join(tmpdir(), `pulse-lake-${process.pid}`);
  await mkdir(dir, { recursive: true });
  return join(dir, `${randomBytes(6).toString('hex')}.parquet`);
}

/**
 * Writes rows as one Parquet object at `key`, atomically: locally a hidden temporary file beside
 * it, renamed into place; on S3 a file in scratch space sent as a single PutObject.
 */
export async function putParquet(lake: LakeStore, encoder: ParquetEncoder, key: string, rows: readonly LakeRow[]): Promise<void> {
  await produceParquet(lake, key, (path) => encoder.writeFile(rows, path));
}

/** the same for a file that `make` writes at the path it is given */
export async function produceParquet(lake: LakeStore, key: string, make: (path: string) => Promise<unknown>): Promise<void> {
  if (lake instanceof LocalLakeStore) {
    const tmp = await lake.tempFileFor(key);
    try {
      await make(tmp);
      await lake.moveInto(key, tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return;
  }
  const tmp = await scratchFile();
  try {
    await make(tmp);
    await lake.put(key, await readFile(tmp));
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Local paths DuckDB can read `keys` from: the files themselves for a local lake, scratch copies
 * for S3 (removed by the returned `done`).
 */
export async function readablePaths(lake: LakeStore, keys: readonly string[]): Promise<{ paths: string[]; done: () => Promise<void> }> {
  if (lake.localPath) return { paths: keys.map((k) => lake.localPath!(k)), done: async () => {} };
  const paths: string[] = [];
  try {
    for (const k of keys) {
      const body = await lake.get(k);
      if (!body) throw new Error(`lake object ${k} vanished`);
      const p = await scratchFile();
      paths.push(p);
      await writeFile(p, body);
    }
  } catch (err) {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
    throw err;
  }
  return { paths, done: async () => void (await Promise.all(paths.map((p) => rm(p, { force: true })))) };
}

/** the names a compaction replaces (`_compacted-G.json`, written before its compacted file) */
export async function readCovers(lake: LakeStore, key: string): Promise<string[]> {
  const body = await lake.get(key);
  if (!body) throw new Error(`${key} is missing: the compaction list is written before its file`);
  const v = JSON.parse(body.toString('utf8')) as { covers?: unknown };
  if (!Array.isArray(v.covers) || !v.covers.every((n) => typeof n === 'string')) throw new Error(`${key} has no list of covered files`);
  return v.covers as string[];
}
