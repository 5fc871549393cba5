import { isWellFormed } from '@/lib/events';
import { LIVE_CONSUMER } from '@/server/consumers/liveConsumer';
import { log } from '@/server/log';
import type { EventLog, Lease, LiveStore, LogEntry, PartitionLeases } from '@/server/ports';
import type { ShopSettings } from '@/server/shop';
import { followLeases, Pause } from '@/server/log/leasedPartitions';
import { flushFileName, flushStateKey, hourDir, hourOf } from './layout';
import type { LakeStore } from './lakeStore';
import { putParquet } from './objects';
import type { ParquetEncoder } from './parquet';
import { lakeRowOf, type LakeRow } from './schema';

export const LAKE_CONSUMER = 'lake';
/**
 * The writer buffers on purpose (by default 30 s per partition): ingest is throttled only when
 * it falls this many times PIPELINE_MAX_BACKLOG behind — the lake's store is down, not busy.
 */
export const LAKE_BACKLOG_ALLOWANCE = 10;

export interface LakeWriterOptions {
  log: EventLog;
  /** the live store: its checkpoint bounds what the lake writes, its purchase facts fill the rows */
  live: Pick<LiveStore, 'checkpoint' | 'purchaseFacts' | 'forgetPurchaseFacts'>;
  lake: LakeStore;
  encoder: ParquetEncoder;
  shop: ShopSettings;
  owner: string;
  /** a partition's buffer is written at least this often… */
  flushIntervalMs: number;
  /** …or once it holds this many events */
  maxBufferedEvents: number;
  /** entries read per partition per read */
  maxEntries?: number;
  /** after each flush (tests, the compactor) */
  onFlushed?: (f: FlushReport) => void;
}

export interface FlushReport {
  partition: number;
  first: number;
  last: number;
  /** lake keys written, events per key */
  files: { key: string; rows: number }[];
  errors: number;
}

/** the flush a writer started and may not have finished: the next owner rewrites exactly it */
interface FlushIntent {
  first: number;
  last: number;
}

interface PartitionState {
  lease: Lease;
  /** the lake's checkpoint: everything up to it is in files; -1 until read */
  checkpoint: number;
  /** a flush found unfinished at start, to be redone over exactly this range */
  intent: FlushIntent | null;
  buffer: LogEntry[];
  events: number;
  /** when the oldest buffered entry was read (wall clock) */
  since: number;
  retryAt: number;
  attempt: number;
  lastWarned: string;
}

/** the last offset read (buffered or written) */
const readPosition = (s: PartitionState) => (s.buffer.length ? s.buffer[s.buffer.length - 1].offset : s.checkpoint);

/**
 * The lake writer: a consumer of the log with its own leases and checkpoints. Per partition it
 * buffers entries the live store has applied (so every purchase's fraud score and country are
 * known), and writes them by size or time as Parquet files, one per UTC hour of event time, named
 * by the partition and the offsets they hold. Exactly once: the range is recorded before the
 * files, the files are put atomically, and only then does the checkpoint move — so a crash
 * before the checkpoint makes the next owner rewrite the same files, never add copies, and a
 * crash before the flush loses nothing (the log still has the entries).
 */
export class LakeWriter {
  private readonly partitions = new Map<number, PartitionState>();
  private leases: PartitionLeases | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly pause = new Pause();
  private logId = '';
  /** events written to the lake by this process, and errors set aside */
  readonly counters = { written: 0, errors: 0, files: 0, flushes: 0 };

  constructor(private readonly opts: LakeWriterOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.logId = await this.opts.log.identity();
    await this.opts.log.registerConsumer(LAKE_CONSUMER, { required: true, backlogAllowance: LAKE_BACKLOG_ALLOWANCE });
    this.leases = this.opts.log.leases(LAKE_CONSUMER, this.opts.owner);
    await this.leases.start((owned) => this.assign(owned));
    this.assign(this.leases.owned());
    this.loop = this.run();
  }

  /** true while this process writes the partition (the compactor runs where partition 0 is owned) */
  owns(partition: number): boolean {
    return this.partitions.has(partition);
  }

  /** writes what the live store has applied and is buffered or still in the log, then leaves the group */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    if (!this.running) return this.loop ?? undefined;
    this.running = false;
    this.pause.wake();
    await this.loop;
    const deadline = Date.now() + (opts.drainMs ?? 15_000);
    try {
      // an in-process log is gone after exit: write everything applied before leaving
      while (Date.now() < deadline) {
        const read = await this.readOnce(0);
        for (const p of this.partitions.keys()) await this.flush(p);
        if (read === 0) break;
      }
    } catch (err) {
      log.warn('lake writer: final flush failed; the next start writes it from the log', { error: String(err) });
    }
    await this.leases?.stop();
  }

  private assign(owned: Lease[]): void {
    followLeases(this.partitions, owned, (lease) => ({ lease, checkpoint: -1, intent: null, buffer: [], events: 0, since: 0, retryAt: 0, attempt: 0, lastWarned: '' }));
    this.pause.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const read = await this.readOnce(300);
        for (const p of [...this.partitions.keys()]) if (this.due(p)) await this.flush(p);
        if (read === 0) await this.pause.for(250);
      } catch (err) {
        log.warn('lake writer: reading the log failed; retrying', { error: String(err) });
        await this.pause.for(1000);
      }
    }
  }

  /** reads what the live store has applied past each partition's buffer; the entries buffered */
  private async readOnce(waitMs: number): Promise<number> {
    const cps = await this.opts.log.checkpoints(LAKE_CONSUMER);
    const positions = new Map<number, number>();
    const limits = new Map<number, number>();
    const now = Date.now();
    for (const [p, s] of this.partitions) {
      if (s.retryAt > now) continue;
      if (s.checkpoint < 0) {
        s.checkpoint = cps[p] ?? 0;
        s.intent = await this.readIntent(p, s.checkpoint);
      }
      if (s.events >= this.opts.maxBufferedEvents) continue;
      const live = await this.opts.live.checkpoint(LIVE_CONSUMER, p);
      const limit = s.intent ? Math.min(live, s.intent.last) : live;
      const pos = readPosition(s);
      if (pos < limit) {
        positions.set(p, pos);
        limits.set(p, limit);
      }
    }
    if (positions.size === 0) return 0;
    const entries = await this.opts.log.read(positions, { maxEntries: this.opts.maxEntries ?? 256, waitMs });
    let added = 0;
    for (const e of entries) {
      const s = this.partitions.get(e.partition);
      if (!s || e.prevOffset !== readPosition(s) || e.offset > limits.get(e.partition)!) continue;
      if (s.buffer.length === 0) s.since = Date.now();
      s.buffer.push(e);
      s.events += e.records.length || 1;
      added++;
    }
    return added;
  }

  private due(p: number): boolean {
    const s = this.partitions.get(p)!;
    if (s.buffer.length === 0 || s.retryAt > Date.now()) return false;
    if (s.intent) return readPosition(s) >= s.intent.last;
    return s.events >= this.opts.maxBufferedEvents || Date.now() - s.since >= this.opts.flushIntervalMs;
  }

  private async readIntent(p: number, checkpoint: number): Promise<FlushIntent | null> {
    const body = await this.opts.lake.get(flushStateKey(this.logId, p));
    if (!body) return null;
    try {
      const v = JSON.parse(body.toString('utf8')) as Partial<FlushIntent>;
      if (Number.isSafeInteger(v.first) && Number.isSafeInteger(v.last) && v.first === checkpoint + 1 && v.last! >= v.first!) {
        log.info('lake writer: finishing a flush an earlier writer started', { partition: p, first: v.first, last: v.last });
        return { first: v.first!, last: v.last! };
      }
    } catch {
      // an unreadable intent is an unfinished write of the intent itself: nothing was written after it
    }
    return null;
  }

  /** writes the partition's buffer: intent, files, checkpoint, in that order */
  private async flush(p: number): Promise<void> {
    const s = this.partitions.get(p);
    if (!s || s.buffer.length === 0) return;
    const first = s.checkpoint + 1;
    const last = readPosition(s);
    const { lake, encoder } = this.opts;
    try {
      const intentKey = flushStateKey(this.logId, p);
      if (!s.intent) await lake.put(intentKey, JSON.stringify({ first, last, owner: this.opts.owner, at: Date.now() }));
      s.intent = { first, last };
      const { hours, errors } = await this.rowsOf(p, s.buffer);
      const files: FlushReport['files'] = [];
      for (const [dir, rows] of hours) {
        const key = `${dir}/${flushFileName(this.logId, p, first, last)}`;
        await putParquet(lake, encoder, key, rows);
        files.push({ key, rows: rows.length });
      }
      for (const [dir, lines] of errors) {
        await lake.put(`${dir}/${flushFileName(this.logId, p, first, last, 'jsonl')}`, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      }
      await this.opts.log.commit(LAKE_CONSUMER, p, last);
      s.checkpoint = last;
      s.intent = null;
      s.buffer = [];
      s.events = 0;
      s.attempt = 0;
      await lake.delete([intentKey]);
      await this.opts.live.forgetPurchaseFacts(p, last);
      const errorCount = [...errors.values()].reduce((n, l) => n + l.length, 0);
      this.counters.written += files.reduce((n, f) => n + f.rows, 0);
      this.counters.errors += errorCount;
      this.counters.files += files.length;
      this.counters.flushes++;
      if (errorCount) log.warn('lake writer: records set aside under errors/', { partition: p, first, last, count: errorCount });
      this.opts.onFlushed?.({ partition: p, first, last, files, errors: errorCount });
    } catch (err) {
      s.attempt++;
      s.retryAt = Date.now() + Math.min(30_000, 250 * 2 ** Math.min(s.attempt, 7));
      const why = `writing p${p} ${first}…${last} to ${lake.location} failed: ${String(err)}`;
      if (why !== s.lastWarned) log.warn(`lake writer: ${why}; retrying (the same files)`, { attempt: s.attempt });
      s.lastWarned = why;
    }
  }

  /** rows by hour folder, and the records that cannot be rows (with the reason) by hour folder */
  private async rowsOf(p: number, entries: LogEntry[]): Promise<{ hours: Map<string, LakeRow[]>; errors: Map<string, object[]> }> {
    const purchases: number[] = [];
    for (const e of entries) for (const r of e.records) if (r.event?.type === 'purchase') purchases.push(r.offset);
    const facts = await this.opts.live.purchaseFacts(p, purchases);
    const hours = new Map<string, LakeRow[]>();
    const errors = new Map<string, object[]>();
    const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
      const l = m.get(k);
      if (l) l.push(v);
      else m.set(k, [v]);
    };
    for (const e of entries) {
      const errorDir = hourDir(hourOf(e.appendedAt), 'errors');
      if (e.malformed) {
        push(errors, errorDir, { reason: e.malformed.error, entry: e.id, raw: e.malformed.raw });
        continue;
      }
      for (const r of e.records) {
        let row: LakeRow | null = null;
        let problem: string | null;
        try {
          row = lakeRowOf(r.event, { logId: this.logId, partition: p, offset: r.offset }, this.opts.shop, facts.get(r.offset));
          problem = lakeRowProblem(row);
        } catch (err) {
          problem = `cannot be turned into a row: ${String(err)}`;
        }
        if (row && !problem) push(hours, hourDir(row.ts_ms), row);
        else push(errors, errorDir, { reason: problem, entry: e.id, offset: r.offset, event: safeStringify(r.event) });
      }
    }
    return { hours, errors };
  }
}

const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/**
 * What would make the Parquet writer fail on a row (entries from older versions or written by
 * hand can hold anything): null when the row can be written.
 */
export function lakeRowProblem(r: LakeRow): string | null {
  if (!Number.isSafeInteger(r.ts_ms) || r.ts_ms < EARLIEST || r.ts_ms > LATEST) return 'timestamp: not a time between 1970 and 9999';
  if (!Number.isSafeInteger(r.received_at_ms)) return 'receivedAt: not epoch milliseconds';
  for (const k of ['event_id', 'user_id', 'session_key', 'event_type', 'shop_currency', 'properties_json'] as const) {
    if (typeof r[k] !== 'string' || !isWellFormed(r[k])) return `${k}: not well-formed text`;
  }
  for (const k of ['session_id', 'currency', 'product_id', 'page', 'category', 'country', 'purchase_country'] as const) {
    const v = r[k];
    if (v !== null && (typeof v !== 'string' || !isWellFormed(v))) return `${k}: not well-formed text`;
  }
  for (const k of ['amount_minor', 'shop_amount_minor', 'price_minor', 'quantity'] as const) {
    const v = r[k];
    if (v !== null && !Number.isSafeInteger(v)) return `${k}: not a whole number`;
  }
  if (r.quantity !== null && Math.abs(r.quantity) > 2 ** 31 - 1) return 'quantity: too large';
  for (const k of ['lat', 'lon', 'fraud_score'] as const) {
    const v = r[k];
    if (v !== null && !Number.isFinite(v)) return `${k}: not a finite number`;
  }
  if (r.item_product_ids) {
    if (!r.item_product_ids.every((id) => typeof id === 'string' && isWellFormed(id))) return 'items: a product id is not well-formed text';
    if (!r.item_quantities!.every((q) => Number.isSafeInteger(q) && Math.abs(q) <= 2 ** 31 - 1)) return 'items: a quantity is not a whole number';
    if (!r.item_shop_revenue_minor!.every((v) => Number.isSafeInteger(v))) return 'items: a line revenue is not a whole number';
  }
  return null;
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
