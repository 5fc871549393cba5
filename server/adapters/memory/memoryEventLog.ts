import { randomBytes } from 'node:crypto';
import type { PulseEvent } from '@/lib/events';
import { encodeConsumer, type AppendOptions, type AppendResult, type ConsumerOptions, type EventLog, type LogDescription, type LogEntry, type PartitionLeases, type ReadOptions } from '@/server/ports';
import { checkConsumerName, entryId, groupByPartition } from '@/server/log/partition';
import { DedupWindow } from './dedupWindow';
import { MemoryLeaseTable, MemoryLeases } from './memoryLeases';

/**
 * Checkpoints of every consumer, per partition, in process. One instance is shared by the
 * memory event log and the memory live store: the store moves a checkpoint in the same step as
 * its effects, and the log reads the very same numbers for backlog, backpressure and trimming.
 */
export class MemoryCheckpoints {
  private readonly byConsumer = new Map<string, Map<number, number>>();

  get(consumer: string, partition: number): number {
    return this.byConsumer.get(consumer)?.get(partition) ?? 0;
  }

  /** moves the checkpoint forward; false (and no change) when `offset` is not past it */
  set(consumer: string, partition: number, offset: number): boolean {
    let m = this.byConsumer.get(consumer);
    if (!m) this.byConsumer.set(consumer, (m = new Map()));
    if (offset <= (m.get(partition) ?? 0)) return false;
    m.set(partition, offset);
    return true;
  }

  /** every partition's checkpoint (0 where none) */
  list(consumer: string, partitions: number): number[] {
    return Array.from({ length: partitions }, (_, p) => this.get(consumer, p));
  }
}

export interface MemoryEventLogOptions {
  partitions: number;
  dedupWindowMs: number;
  dedupMaxIds: number;
  /** shared with the memory live store; a fresh one when not given */
  checkpoints?: MemoryCheckpoints;
  /** partition lease expiry (embedded mode has one owner; tests run several) */
  leaseMs?: number;
}

interface Partition {
  entries: LogEntry[];
  /** index of the first entry not yet trimmed (the array is compacted from time to time) */
  start: number;
  head: number;
}

/** trimmed entries are sliced off once there are this many and they are most of the array */
const COMPACT_AT = 1024;
/** appends between automatic trims, so memory stays bounded even if nobody calls trim() */
const TRIM_EVERY = 256;

/**
 * In-process partitioned event log for embedded mode. Not durable: what is stored is lost with
 * the process (startup says so). Appends are synchronous inside one call, so the backlog check,
 * deduplication and storing are atomic as they are in the Redis script.
 */
export class MemoryEventLog implements EventLog {
  readonly kind = 'in-process';
  readonly durable = false;
  readonly partitions: number;
  readonly checkpointStore: MemoryCheckpoints;
  /** what the Redis log keeps in its stats hash */
  readonly counters = { accepted: 0, duplicates: 0 };
  private readonly parts: Partition[];
  private readonly dedup: DedupWindow;
  private readonly consumers = new Map<string, { required: boolean; allowance: number }>();
  private readonly leaseTable: MemoryLeaseTable;
  private readonly leaseMs: number;
  private readonly leaseSets = new Set<PartitionLeases>();
  private waiters: (() => void)[] = [];
  private appendsSinceTrim = 0;
  private closed = false;
  /** a new log each run: its offsets start at 1 again */
  private readonly id = `mem-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

  constructor(opts: MemoryEventLogOptions) {
    this.partitions = opts.partitions;
    this.parts = Array.from({ length: opts.partitions }, () => ({ entries: [], start: 0, head: 0 }));
    this.dedup = new DedupWindow(opts.dedupWindowMs, opts.dedupMaxIds);
    this.checkpointStore = opts.checkpoints ?? new MemoryCheckpoints();
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.leaseTable = new MemoryLeaseTable(opts.partitions);
  }

  async append(events: PulseEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) throw new Error('event log is closed');
    const now = Date.now();
    // decide every flag first, without remembering anything, so a refused append leaves no trace
    const inRequest = new Set<string>();
    const accepted = events.map((e) => {
      if (!e.clientId) return true;
      if (inRequest.has(e.eventId) || this.dedup.has(e.eventId, now)) return false;
      inRequest.add(e.eventId);
      return true;
    });
    const fresh = events.filter((_, i) => accepted[i]);
    if (opts.maxBacklog !== undefined && fresh.length > 0 && this.wouldPassBacklog(fresh.length, opts.maxBacklog)) {
      return { accepted: [], backpressure: true };
    }
    for (const e of fresh) if (e.clientId) this.dedup.claim(e.eventId, now);
    for (const { partition, events: group } of groupByPartition(fresh, this.partitions)) {
      const part = this.parts[partition];
      const prevOffset = part.head;
      part.head += group.length;
      part.entries.push({
        partition,
        offset: part.head,
        prevOffset,
        id: entryId(partition, part.head),
        appendedAt: now,
        records: group.map((event, i) => ({ offset: prevOffset + i + 1, event, appendedAt: now })),
      });
    }
    this.counters.accepted += fresh.length;
    this.counters.duplicates += events.length - fresh.length;
    if (++this.appendsSinceTrim >= TRIM_EVERY) void this.trim();
    if (fresh.length) this.wake();
    return { accepted };
  }

  async read(after: Map<number, number>, opts: ReadOptions): Promise<LogEntry[]> {
    const deadline = Date.now() + opts.waitMs;
    for (;;) {
      const found = this.collect(after, opts.maxEntries);
      const left = deadline - Date.now();
      if (found.length || left <= 0 || this.closed) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }

  async identity(): Promise<string> {
    return this.id;
  }

  async heads(): Promise<number[]> {
    return this.parts.map((p) => p.head);
  }

  async checkpoints(consumer: string): Promise<number[]> {
    return this.checkpointStore.list(consumer, this.partitions);
  }

  async commit(consumer: string, partition: number, offset: number): Promise<void> {
    checkConsumerName(consumer);
    this.checkPartition(partition);
    this.checkpointStore.set(consumer, partition, offset);
  }

  async registerConsumer(name: string, opts: ConsumerOptions): Promise<void> {
    checkConsumerName(name);
    encodeConsumer(opts);
    this.consumers.set(name, { required: opts.required, allowance: opts.backlogAllowance ?? 1 });
  }

  async backlog(): Promise<Record<string, number>> {
    const out: Record<string, number> = Object.create(null);
    for (const name of this.consumers.keys()) out[name] = this.backlogOf(name);
    return out;
  }

  leases(consumer: string, owner: string): PartitionLeases {
    checkConsumerName(consumer);
    const leases = new MemoryLeases(this.leaseTable, consumer, owner, { partitions: this.partitions, leaseMs: this.leaseMs });
    this.leaseSets.add(leases);
    return leases;
  }

  /**
   * Drops entries every required consumer has checkpointed. Memory keeps no retention: there is
   * nobody else to replay for. Without any required consumer nothing is dropped, since the log
   * cannot know yet who will read it (the server registers its consumers at start).
   */
  async trim(): Promise<void> {
    this.appendsSinceTrim = 0;
    const required = [...this.consumers].filter(([, c]) => c.required).map(([name]) => name);
    if (required.length === 0) return;
    this.parts.forEach((part, p) => {
      const floor = Math.min(...required.map((name) => this.checkpointStore.get(name, p)));
      while (part.start < part.entries.length && part.entries[part.start].offset <= floor) part.start++;
      if (part.start >= COMPACT_AT && part.start * 2 >= part.entries.length) {
        part.entries = part.entries.slice(part.start);
        part.start = 0;
      }
    });
  }

  async describe(): Promise<LogDescription> {
    const checkpoints: Record<string, number[]> = Object.create(null);
    const owners: Record<string, (string | null)[]> = Object.create(null);
    for (const name of this.consumers.keys()) checkpoints[name] = this.checkpointStore.list(name, this.partitions);
    for (const name of new Set([...this.consumers.keys(), ...this.leaseTable.consumers()])) owners[name] = this.leaseTable.owners(name);
    return {
      partitions: this.partitions,
      heads: await this.heads(),
      checkpoints,
      backlog: await this.backlog(),
      owners,
      storedEntries: this.parts.reduce((n, p) => n + p.entries.length - p.start, 0),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await Promise.all([...this.leaseSets].map((l) => l.stop()));
  }

  private collect(after: Map<number, number>, maxEntries: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (const [p, offset] of after) {
      this.checkPartition(p);
      const part = this.parts[p];
      // first entry whose offset is past `offset` (entries are sorted by offset)
      let lo = part.start;
      let hi = part.entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (part.entries[mid].offset <= offset) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < part.entries.length && i < lo + maxEntries; i++) out.push(part.entries[i]);
    }
    return out;
  }

  private backlogOf(consumer: string): number {
    return this.parts.reduce((n, part, p) => n + Math.max(0, part.head - this.checkpointStore.get(consumer, p)), 0);
  }

  /** backpressure protects the consumers that must not lose data; optional ones may lag */
  private wouldPassBacklog(adding: number, maxBacklog: number): boolean {
    for (const [name, c] of this.consumers) if (c.required && this.backlogOf(name) + adding > maxBacklog * c.allowance) return true;
    return false;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private checkPartition(p: number): void {
    if (!Number.isInteger(p) || p < 0 || p >= this.partitions) throw new Error(`no partition ${p} (the log has ${this.partitions})`);
  }
}
