import type { PulseEvent } from '@/lib/events';
import type { AppendOptions, AppendResult, EventLog, LogBatch, LogConsumer, LogRecord } from '@/server/ports';
import { log } from '@/server/log';
import { DedupWindow } from './dedupWindow';

const MAX_DELIVERY = 5_000;

/**
 * In-process event log for embedded mode: an array queue drained by one consumer. Not durable:
 * what is queued is lost with the process (startup says so).
 */
export class MemoryEventLog implements EventLog {
  readonly kind = 'in-process';
  readonly durable = false;
  private queue: LogRecord[] = [];
  private head = 0;
  private nextOffset = 0;
  private consumer: LogConsumer | null = null;
  private draining = false;
  private closed = false;
  private readonly dedup: DedupWindow;

  constructor(opts: { dedupWindowMs: number; dedupMaxIds: number }) {
    this.dedup = new DedupWindow(opts.dedupWindowMs, opts.dedupMaxIds);
  }

  async append(events: PulseEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) throw new Error('event log is closed');
    if (opts.maxBacklog !== undefined && this.queue.length - this.head + events.length > opts.maxBacklog) {
      return { accepted: [], backpressure: true };
    }
    const now = Date.now();
    const accepted = events.map((e) => {
      if (e.clientId && !this.dedup.claim(e.eventId, now)) return false;
      this.queue.push({ offset: String(this.nextOffset++), event: e, appendedAt: now });
      return true;
    });
    this.schedule();
    return { accepted };
  }

  async ack(): Promise<void> {
    // the queue advances when the consumer resolves; nothing to acknowledge separately
  }

  async backlog(): Promise<number> {
    return this.queue.length - this.head;
  }

  consume(consumer: LogConsumer): void {
    if (this.consumer) throw new Error('the in-process event log has a consumer already');
    this.consumer = consumer;
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    // let the consumer finish what was accepted before closing
    while (this.draining || (this.consumer && this.queue.length - this.head > 0)) {
      await new Promise((r) => setTimeout(r, 5));
      if (!this.draining) this.schedule();
    }
    this.consumer = null;
  }

  private schedule(): void {
    if (this.draining || !this.consumer || this.queue.length === this.head) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    const consumer = this.consumer;
    let deliveries = 1;
    while (consumer && this.head < this.queue.length) {
      const end = Math.min(this.queue.length, this.head + MAX_DELIVERY);
      const records = this.queue.slice(this.head, end);
      const batch: LogBatch = { entries: [{ id: records[0].offset, records, deliveries }] };
      try {
        await consumer(batch);
        this.head = end;
        deliveries = 1;
      } catch (err) {
        // the processor dead-letters on the last attempt; until then the batch is redelivered
        log.warn('batch failed processing; delivering it again', { entry: records[0].offset, deliveries, error: String(err) });
        deliveries++;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (this.head > 50_000 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      // yield to the event loop between batches so ingest stays responsive
      await new Promise((r) => setImmediate(r));
    }
    this.draining = false;
    if (this.head < this.queue.length) this.schedule();
  }
}
