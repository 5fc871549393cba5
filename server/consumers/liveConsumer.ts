import type { Alert } from '@/lib/live';
import { log } from '@/server/log';
import { runEngine, stateRequestFor } from '@/server/pipeline/engine';
import type { PipelineStats } from '@/server/pipeline/stats';
import type { EventLog, Lease, LiveStore, LogEntry, PartitionLeases } from '@/server/ports';
import type { ShopSettings } from '@/server/shop';
import type { RuleSource } from '@/server/rules/eventRules';
import { followLeases, Pause } from '@/server/log/leasedPartitions';

/** A record (or an entry the store cannot apply) fails this many times before it is set aside. */
export const MAX_ATTEMPTS = 3;
export const LIVE_CONSUMER = 'live';
/** most events one apply carries (a read of many full requests is applied in several) */
export const MAX_EVENTS_PER_DELIVERY = 2000;

export interface LiveConsumerOptions {
  log: EventLog;
  store: LiveStore;
  rules: RuleSource;
  shop: ShopSettings;
  stats: PipelineStats;
  /** this process's name in the consumer group */
  owner: string;
  /** entries read per partition per delivery */
  maxEntries: number;
  /** called after each applied delivery with the alerts it raised (new to the store) */
  onApplied?: (alerts: Alert[]) => void;
  now?: () => number;
}

interface PartitionState {
  lease: Lease;
  /** offset the store has applied up to (the next read starts after it) */
  position: number;
  attempt: number;
  /** a delivery the store keeps refusing is narrowed to its first entry… */
  narrow: boolean;
  /** …and that entry, if refused alone as often, is set aside whole */
  setAside: boolean;
  retryAt: number;
  lastWarned: string;
}

/**
 * The live-state consumer of the log: for each partition this process leases, read from the
 * store's checkpoint → engine → apply effects with the new checkpoint, atomically. A redelivery
 * (after a crash, a takeover or a retry) meets the checkpoint and changes nothing.
 *
 * Failures: a record the engine refuses is retried until its third attempt, then becomes a dead
 * letter while its neighbours apply. A store error is retried with backoff; if it persists for
 * the same delivery it is narrowed to one entry, and an entry that still fails alone is set aside
 * whole — so nothing behind it waits forever. Connection errors never dead-letter anything.
 */
export class LiveConsumer {
  private readonly partitions = new Map<number, PartitionState>();
  private leases: PartitionLeases | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly pause = new Pause();
  private readonly now: () => number;

  constructor(private readonly opts: LiveConsumerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.opts.log.registerConsumer(LIVE_CONSUMER, { required: true });
    this.leases = this.opts.log.leases(LIVE_CONSUMER, this.opts.owner);
    await this.leases.start((owned) => this.assign(owned));
    this.assign(this.leases.owned());
    this.loop = this.run();
  }

  /** finishes the delivery in flight, then releases the leases (idempotent) */
  async stop(): Promise<void> {
    if (!this.running) return this.loop ?? undefined;
    this.running = false;
    this.pause.wake();
    await this.loop;
    await this.leases?.stop();
  }

  private assign(owned: Lease[]): void {
    // a new token means we lost the partition in between: start again from the checkpoint
    followLeases(this.partitions, owned, (lease) => ({ lease, position: -1, attempt: 1, narrow: false, setAside: false, retryAt: 0, lastWarned: '' }));
    this.pause.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const ready = await this.readyPositions();
        if (ready.size === 0) {
          await this.pause.for(200);
          continue;
        }
        const entries = await this.opts.log.read(ready, { maxEntries: this.opts.maxEntries, waitMs: 500 });
        const byPartition = new Map<number, LogEntry[]>();
        for (const e of entries) {
          const list = byPartition.get(e.partition);
          if (list) list.push(e);
          else byPartition.set(e.partition, [e]);
        }
        await Promise.all([...byPartition].map(([p, list]) => this.deliver(p, list)));
      } catch (err) {
        log.warn('live consumer: reading the log failed; retrying', { error: String(err) });
        await this.pause.for(500);
      }
    }
  }

  /** partitions to read now, with the offset after which to read each */
  private async readyPositions(): Promise<Map<number, number>> {
    const ready = new Map<number, number>();
    // backoff runs on the wall clock; `now` is the pipeline's clock (fixed in tests)
    const now = Date.now();
    for (const [p, s] of this.partitions) {
      if (s.retryAt > now) continue;
      if (s.position < 0) s.position = await this.opts.store.checkpoint(LIVE_CONSUMER, p);
      ready.set(p, s.position);
    }
    return ready;
  }

  /**
   * A read may hold up to `maxEntries` entries of up to a full ingest request each: it is applied
   * in deliveries of at most MAX_EVENTS_PER_DELIVERY events, so no read can make one apply (and
   * its ops string) exceed what the store and the runtime can take.
   */
  private async deliver(partition: number, all: LogEntry[]): Promise<void> {
    let i = 0;
    while (i < all.length) {
      let events = 0;
      let j = i;
      do events += all[j++].records.length;
      while (j < all.length && events + all[j].records.length <= MAX_EVENTS_PER_DELIVERY);
      if (!(await this.deliverOnce(partition, all.slice(i, j)))) return;
      i = j;
    }
  }

  /** true when the entries were applied (or found applied) and the next ones may follow */
  private async deliverOnce(partition: number, all: LogEntry[]): Promise<boolean> {
    const s = this.partitions.get(partition);
    if (!s || all.length === 0 || all[0].prevOffset < s.position) {
      // a read that overlaps what we applied meanwhile (or a partition we no longer own)
      if (s && all.length && all[0].prevOffset < s.position) s.position = -1;
      return false;
    }
    const narrowed = s.narrow;
    const entries = narrowed ? all.slice(0, 1) : all;
    const now = this.now();
    const setAsideWhole = s.setAside;
    const good = setAsideWhole ? [] : entries.filter((e) => !e.malformed);
    const records = good.flatMap((e) => e.records);
    const entryOf = new Map<number, string>();
    for (const e of good) for (const r of e.records) entryOf.set(r.offset, e.id);
    try {
      const state = await this.opts.store.read(stateRequestFor(records));
      const { effects, failures } = runEngine(records, state, {
        rules: this.opts.rules.current(),
        shop: this.opts.shop,
        now,
        attempt: s.attempt,
        deadLetterFrom: MAX_ATTEMPTS,
        entryIdOf: (r) => entryOf.get(r.offset) ?? '?',
      });
      if (failures.length && s.attempt < MAX_ATTEMPTS) {
        this.retryLater(s, `record at ${entryOf.get(failures[0].record.offset)} offset ${failures[0].record.offset} failed processing: ${failures[0].error}`, 'record');
        return false;
      }
      // an undecodable entry (or one with an unknown format) cannot get better by waiting
      for (const e of entries) {
        if (e.malformed) {
          effects.deadLetters.push({ payload: e.malformed.raw, eventId: null, error: `${e.malformed.error} (log entry ${e.id})`, attempts: s.attempt, failedAt: now });
        } else if (setAsideWhole) {
          for (const r of e.records) {
            effects.deadLetters.push({
              payload: JSON.stringify(r.event),
              eventId: typeof r.event.eventId === 'string' ? r.event.eventId : null,
              error: `the store refused this entry on every attempt (log entry ${e.id}, offset ${r.offset})`,
              attempts: MAX_ATTEMPTS,
              failedAt: now,
            });
          }
        }
      }
      const outcome = await this.opts.store.apply({
        consumer: LIVE_CONSUMER,
        lease: s.lease,
        fromOffset: s.position,
        toOffset: entries[entries.length - 1].offset,
        effects,
        now,
      });
      if (outcome.status === 'applied') {
        s.position = entries[entries.length - 1].offset;
        s.attempt = 1;
        s.narrow = false;
        s.setAside = false;
        this.opts.stats.recordProcessed(effects.processed, effects.lagsMs, now);
        if (effects.deadLetters.length) {
          this.opts.stats.deadLetters += effects.deadLetters.length;
          for (const d of effects.deadLetters) log.error('moved to the dead letters', { error: d.error, eventId: d.eventId });
        }
        this.opts.onApplied?.(outcome.alerts);
        // after a narrowed delivery the rest of the read is read again from the new position
        return !narrowed;
      }
      if (outcome.status === 'duplicate' || outcome.status === 'moved') {
        s.position = -1; // re-read the store's checkpoint
      } else {
        log.warn('live consumer: partition taken over by another worker', { partition });
        this.partitions.delete(partition);
      }
      return false;
    } catch (err) {
      this.retryLater(s, `applying ${entries[0].id}…${entries[entries.length - 1].id} failed: ${String(err)}`, isConnectionError(err) ? 'connection' : 'store');
      return false;
    }
  }

  /**
   * `record`: the engine refused a record (dead-lettered on the last attempt); `store`: the store
   * refused the delivery (narrowed, then set aside); `connection`: the store is unreachable, so
   * wait without counting attempts — nothing is the data's fault.
   */
  private retryLater(s: PartitionState, why: string, kind: 'record' | 'store' | 'connection'): void {
    if (why !== s.lastWarned) log.warn(`live consumer: ${why}; attempt ${s.attempt}, retrying`);
    s.lastWarned = why;
    if (kind === 'record') s.attempt++;
    else if (kind === 'store') {
      s.attempt++;
      if (s.attempt > MAX_ATTEMPTS) {
        if (s.narrow) s.setAside = true;
        s.narrow = true;
        s.attempt = 1;
      }
    }
    s.retryAt = Date.now() + Math.min(2000, 50 * 2 ** Math.min(s.attempt, 6));
  }
}

/** errors of reaching the store (worth waiting for), as opposed to errors about the data */
function isConnectionError(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable|LOADING|BUSY|OOM|READONLY|CLUSTERDOWN/i.test(text);
}
