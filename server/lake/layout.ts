/**
 * Where everything lives in the lake (the same keys under a local folder and under an S3 prefix).
 *
 *   events/year=YYYY/month=MM/day=DD/hour=HH/<log>-p<PPP>-<first>-<last>.parquet
 *       one flush of one log partition: the events of offsets first…last whose UTC event time
 *       falls in that hour. The name is derived from what it holds, so writing it again (a retried
 *       flush, a redelivery after a crash) replaces the same file instead of adding a copy.
 *   events/…/hour=HH/compacted-<GGGGGG>.parquet and _compacted-<GGGGGG>.json
 *       a compaction of the hour: the JSON (written first) lists the files it replaces; the
 *       Parquet file appearing is the commit point. Readers see the newest generation and every
 *       file it does not list, so an hour is never seen twice or not at all.
 *   events/…/hour=HH/_sessions-<GGGGGG>.parquet
 *       the compacted file's session rows (server/lake/sessions.ts), written before it: a reader
 *       may use them instead of the compacted file's events for per-session views.
 *   errors/year=…/hour=HH/<log>-p<PPP>-<first>-<last>.jsonl
 *       records the writer could not turn into rows, one JSON line each with the reason.
 *   _state/flush/<log>-p<PPP>.json
 *       the flush in progress per partition ({first, last}), written before its files, so a
 *       writer that restarts rewrites exactly that range instead of cutting it differently.
 *
 * Names starting with `_` or `.` are ignored by Athena/Hive readers (and by `visibleFiles`).
 * `<log>` is the event log's identity: an in-process log starts at offset 1 again after a
 * restart, and must not overwrite the files of an earlier run.
 */

const OFFSET_DIGITS = 12;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface HourPartition {
  year: number;
  month: number;
  day: number;
  hour: number;
}

export const HOUR_MS = 3_600_000;

export function hourOf(tsMs: number): number {
  return Math.floor(tsMs / HOUR_MS) * HOUR_MS;
}

export function hourPartition(tsMs: number): HourPartition {
  const d = new Date(tsMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours() };
}

/** `events/year=2026/month=12/day=02/hour=09` for any instant in that UTC hour */
export function hourDir(tsMs: number, root: 'events' | 'errors' = 'events'): string {
  const p = hourPartition(tsMs);
  return `${root}/year=${p.year}/month=${pad(p.month, 2)}/day=${pad(p.day, 2)}/hour=${pad(p.hour, 2)}`;
}

/** the start of the UTC hour a `hourDir` names, or null if it is not one */
export function hourOfDir(dir: string): number | null {
  const m = /(?:^|\/)year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/?$/.exec(dir);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
}

/** every hour directory from the hour of `fromMs` to the hour of `toMs` (inclusive), oldest first */
export function hourDirsBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let h = hourOf(fromMs); h <= toMs; h += HOUR_MS) out.push(hourDir(h));
  return out;
}

const LOG_ID = /^[A-Za-z0-9_-]{1,40}$/;

export function checkLogId(logId: string): string {
  if (!LOG_ID.test(logId)) throw new Error(`log identity ${JSON.stringify(logId)} is not 1-40 letters, digits, _ or -`);
  return logId;
}

/** the file name of one flush of one partition's offsets `first…last` */
export function flushFileName(logId: string, partition: number, first: number, last: number, ext: 'parquet' | 'jsonl' = 'parquet'): string {
  return `${checkLogId(logId)}-p${pad(partition, 3)}-${pad(first, OFFSET_DIGITS)}-${pad(last, OFFSET_DIGITS)}.${ext}`;
}

export interface FlushFileName {
  logId: string;
  partition: number;
  first: number;
  last: number;
}

const FLUSH_FILE = /^([A-Za-z0-9_-]{1,40})-p(\d{3})-(\d{12})-(\d{12})\.parquet$/;

export function parseFlushFileName(name: string): FlushFileName | null {
  const m = FLUSH_FILE.exec(name);
  return m ? { logId: m[1], partition: Number(m[2]), first: Number(m[3]), last: Number(m[4]) } : null;
}

const COMPACTED = /^compacted-(\d{6})\.parquet$/;

export function compactedFileName(generation: number): string {
  return `compacted-${pad(generation, 6)}.parquet`;
}

/** the list of files a compaction replaces, written before the compacted file */
export function compactedCoversName(generation: number): string {
  return `_compacted-${pad(generation, 6)}.json`;
}

/** the session rows of a compaction (server/lake/sessions.ts), written before its compacted file */
export function sessionSummaryName(generation: number): string {
  return `_sessions-${pad(generation, 6)}.parquet`;
}

export function compactedGeneration(name: string): number | null {
  const m = COMPACTED.exec(name);
  return m ? Number(m[1]) : null;
}

export function flushStateKey(logId: string, partition: number): string {
  return `_state/flush/${checkLogId(logId)}-p${pad(partition, 3)}.json`;
}

/** hidden from readers: temporary files, compaction lists, anything not Parquet */
export function isDataFileName(name: string): boolean {
  return name.endsWith('.parquet') && !name.startsWith('.') && !name.startsWith('_');
}

/**
 * The files of one hour a reader must read: the newest compaction (if any) and every data file
 * it does not replace. `covers(generation)` returns the names that generation replaces — it was
 * written before the compacted file, so it exists whenever the compacted file does.
 */
export async function visibleFiles(names: readonly string[], covers: (generation: number) => Promise<readonly string[]>): Promise<string[]> {
  let newest: number | null = null;
  for (const n of names) {
    const g = compactedGeneration(n);
    if (g !== null && (newest === null || g > newest)) newest = g;
  }
  const data = names.filter(isDataFileName);
  if (newest === null) return data.sort();
  const replaced = new Set(await covers(newest));
  const newestName = compactedFileName(newest);
  return data.filter((n) => n === newestName || (!replaced.has(n) && compactedGeneration(n) === null)).sort();
}
