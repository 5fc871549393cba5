import { log } from '@/server/log';
import {
  compactedCoversName,
  compactedFileName,
  compactedGeneration,
  hourDirsBetween,
  sessionSummaryName,
  HOUR_MS,
  hourOfDir,
  isDataFileName,
  visibleFiles,
} from './layout';
import type { LakeStore } from './lakeStore';
import { produceParquet, readablePaths, readCovers } from './objects';
import type { ParquetEncoder } from './parquet';

export interface CompactorOptions {
  lake: LakeStore;
  encoder: ParquetEncoder;
  /** an hour is compacted into one file once it ended this long ago (late events after it add small files again) */
  compactAfterMs: number;
  /** an hour still open is compacted when it has this many files (readers of "today" stay fast) */
  openHourMaxFiles?: number;
  /** hours looked at on each pass, back from now (plus any the writer reported) */
  lookBackHours?: number;
  now?: () => number;
}

export interface CompactionReport {
  dir: string;
  generation: number;
  replaced: number;
  rows: number;
}

/**
 * Compacts hours of the lake into one file each. Small files are what makes lakes slow: a
 * writer flushing every 30 s per partition leaves hundreds an hour.
 *
 * Atomic for readers that follow `visibleFiles`: the list of files being replaced is written
 * first, then the compacted file appears (one rename / one PutObject) — before it, readers see
 * the old files; after it, the new one and whatever arrived meanwhile. The replaced files are
 * deleted on the next pass, so a reader that listed them just before still finds them (on S3,
 * where Athena reads every object of the hour, they are deleted at once instead).
 * One compactor per lake: the process that writes partition 0.
 */
export class LakeCompactor {
  private readonly touched = new Set<number>();
  /** garbage seen on the previous pass (local lakes delete it one pass later) */
  private garbage = new Set<string>();
  private readonly now: () => number;
  readonly counters = { compactions: 0, filesReplaced: 0 };

  constructor(private readonly opts: CompactorOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** an hour the writer wrote to (late events can land far back) */
  touch(hourStartMs: number): void {
    this.touched.add(hourStartMs);
  }

  /** one pass over recent and touched hours; what it compacted */
  async runOnce(): Promise<CompactionReport[]> {
    const now = this.now();
    const back = this.opts.lookBackHours ?? 48;
    const dirs = new Set(hourDirsBetween(now - back * HOUR_MS, now + HOUR_MS));
    for (const h of this.touched) dirs.add(hourDirsBetween(h, h)[0]);
    this.touched.clear();
    const reports: CompactionReport[] = [];
    const garbage = new Set<string>();
    for (const dir of [...dirs].sort()) {
      try {
        const r = await this.compactHour(dir, now, garbage);
        if (r) reports.push(r);
      } catch (err) {
        log.warn('lake compaction failed; the hour is left as it was', { dir, error: String(err) });
      }
    }
    // delete what was garbage on the previous pass too: no reader can still be reading it
    const due = [...garbage].filter((k) => this.garbage.has(k) || this.opts.lake.kind === 's3');
    if (due.length) await this.opts.lake.delete(due);
    this.garbage = new Set([...garbage].filter((k) => !due.includes(k)));
    return reports;
  }

  private async compactHour(dir: string, now: number, garbage: Set<string>): Promise<CompactionReport | null> {
    const { lake } = this.opts;
    const names = await lake.list(dir);
    if (names.length === 0) return null;
    const visible = await visibleFiles(names, (g) => readCovers(lake, `${dir}/${compactedCoversName(g)}`));
    const newest = Math.max(0, ...names.map((n) => compactedGeneration(n) ?? 0));
    // data files readers no longer see (replaced, or older compactions), and older lists, are garbage
    for (const n of names) if ((isDataFileName(n) && !visible.includes(n)) || isOlderCoversList(n, newest)) garbage.add(`${dir}/${n}`);
    const hourStart = hourOfDir(dir)!;
    const closed = hourStart + HOUR_MS + this.opts.compactAfterMs <= now;
    const smallFiles = visible.filter((n) => compactedGeneration(n) === null).length;
    const worth = closed ? visible.length > 1 : smallFiles >= (this.opts.openHourMaxFiles ?? 24);
    if (!worth) return null;

    const generation = newest + 1;
    const coversKey = `${dir}/${compactedCoversName(generation)}`;
    await lake.put(coversKey, JSON.stringify({ covers: visible, at: now }));
    const { paths, done } = await readablePaths(lake, visible.map((n) => `${dir}/${n}`));
    let rows = 0;
    try {
      await produceParquet(lake, `${dir}/${compactedFileName(generation)}`, async (out) => {
        rows = await this.opts.encoder.mergeFiles(paths, out);
        // before the compacted file appears: a reader that sees it finds its session rows too
        await produceParquet(lake, `${dir}/${sessionSummaryName(generation)}`, (summary) => this.opts.encoder.writeSessionSummary(out, summary));
      });
    } catch (err) {
      // without the compacted file the list is inert (readers follow the newest file); remove it anyway
      await lake.delete([coversKey]).catch(() => undefined);
      throw err;
    } finally {
      await done();
    }
    for (const n of visible) garbage.add(`${dir}/${n}`);
    if (newest > 0) {
      garbage.add(`${dir}/${compactedCoversName(newest)}`);
      garbage.add(`${dir}/${sessionSummaryName(newest)}`);
    }
    this.counters.compactions++;
    this.counters.filesReplaced += visible.length;
    return { dir, generation, replaced: visible.length, rows };
  }
}

/** the list or the session rows of a generation older than the newest */
function isOlderCoversList(name: string, newest: number): boolean {
  const m = /^_(?:compacted-(\d{6})\.json|sessions-(\d{6})\.parquet)$/.exec(name);
  return m !== null && Number(m[1] ?? m[2]) < newest;
}
