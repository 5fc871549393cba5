import type { PulseEvent } from '@/lib/events';
import type { Alert, LiveSnapshot } from '@/lib/live';

/**
 * Ports: the narrow interfaces the pipeline reaches its stores through. Each has one adapter per
 * real system (in-process memory now; Redis, Kinesis, DynamoDB later) and one contract suite.
 */

export interface AppendResult {
  /** one flag per input event: true = accepted, false = duplicate of an event already accepted */
  accepted: boolean[];
  /** true when nothing was stored because the backlog would pass `maxBacklog` */
  backpressure?: boolean;
}

export interface AppendOptions {
  /** refuse the whole append when unprocessed events would exceed this (checked atomically) */
  maxBacklog?: number;
}

export interface LogRecord {
  /** position in the log (adapter-specific, increasing) */
  offset: string;
  event: PulseEvent;
  /** when the log accepted the record */
  appendedAt: number;
}

/** One stored unit of the log (one ingest request's accepted events). */
export interface LogEntry {
  id: string;
  /** how many times this entry has been delivered, this time included */
  deliveries: number;
  records: LogRecord[];
  /** set when the stored entry could not be decoded; `raw` keeps it for the dead letters */
  malformed?: { error: string; raw: string };
}

/** One delivery from the log: entries applied together, atomically where the store can. */
export interface LogBatch {
  entries: LogEntry[];
}

/** Resolves once the batch is applied and acknowledged; throwing leaves it for redelivery. */
export type LogConsumer = (batch: LogBatch) => Promise<void>;

/**
 * The durable hand-off between ingest and processing. `append` deduplicates by client event_id
 * atomically with storing, so a retried event is accepted once; when it resolves, the events are
 * as durable as the adapter can make them.
 */
export interface EventLog {
  readonly kind: string;
  readonly durable: boolean;
  append(events: PulseEvent[], opts?: AppendOptions): Promise<AppendResult>;
  /** accepted events not yet processed */
  backlog(): Promise<number>;
  /** starts delivering batches; a batch that throws is delivered again later */
  consume(consumer: LogConsumer): void;
  /** acknowledges entries the store did not acknowledge itself (memory adapters, dead letters) */
  ack(entryIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface ApplyResult {
  alerts: Alert[];
  /** events applied by this call (0 when the batch had been applied before) */
  applied: number;
  /** records set aside as dead letters after their last attempt */
  deadLettered: number;
  /** true when the store acknowledged the applied entries in the log itself, atomically */
  acked: boolean;
  /** entries neither applied nor acknowledged: left in the log to be delivered again */
  leftPending: string[];
  /** per-record processing lag (processed time − appended time), ms */
  lagsMs: number[];
}

export interface DeadLetter {
  id: string;
  /** the event as accepted, or the undecodable stored entry */
  payload: string;
  eventId: string | null;
  error: string;
  attempts: number;
  failedAt: number;
}

/** Records that failed processing on every attempt; kept until replayed or discarded. */
export interface DeadLetterStore {
  add(letters: Omit<DeadLetter, 'id'>[]): Promise<void>;
  list(limit: number): Promise<DeadLetter[]>;
  count(): Promise<number>;
  /** the letter, left in place */
  peek(id: string): Promise<DeadLetter | null>;
  /** removes and returns the letter (the caller re-appends its event to the log) */
  take(id: string): Promise<DeadLetter | null>;
}

/**
 * Live metric state: applies delivered entries and answers snapshots. An entry delivered twice
 * changes the state once. A record whose processing throws on its entry's final attempt
 * (`deliveries >= maxAttempts`) goes to the dead letters; before that its entry is left pending
 * and delivered again.
 */
export interface LiveStore {
  readonly kind: string;
  readonly durable: boolean;
  apply(batch: LogBatch, now: number, maxAttempts: number): Promise<ApplyResult>;
  /** shared stores also report the pipeline counters of every process */
  snapshot(now: number): Promise<Omit<LiveSnapshot, 'pipeline' | 'mode' | 'durable' | 'computedAt'> & { pipeline?: LiveSnapshot['pipeline'] }>;
  setStock(productId: string, stock: number): Promise<void>;
  userAnalytics(userId: string): Promise<UserAnalytics | null>;
  sessionAggregates(sessionId: string): Promise<SessionAggregates | null>;
  close(): Promise<void>;
}

export interface UserAnalytics {
  userId: string;
  lastActivity: number;
  totalEvents: number;
  eventsByType: Record<string, number>;
  purchaseCount: number;
  lifetimeValueCents: number;
  averagePurchaseCents: number | null;
  lastLocation: { country: string | null; lat: number | null; lon: number | null; at: number } | null;
}

export interface SessionAggregates {
  sessionId: string;
  userId: string;
  startedAt: number;
  lastEventAt: number;
  durationSeconds: number;
  pageViews: number;
  pageViewsPerMinute: number;
  uniquePages: number;
  purchased: boolean;
}
