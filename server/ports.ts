import type { PulseEvent } from '@/lib/events';
import type { Alert, LiveSnapshot } from '@/lib/live';

/**
 * Ports: the narrow interfaces the pipeline reaches its stores through. Each has one adapter per
 * real system (in-process memory now; Redis, Kinesis, DynamoDB later) and one contract suite.
 */

export interface AppendResult {
  /** one flag per input event: true = accepted, false = duplicate of an event already accepted */
  accepted: boolean[];
}

export interface LogRecord {
  /** position in the log (adapter-specific, increasing) */
  offset: string;
  event: PulseEvent;
  /** when the log accepted the record */
  appendedAt: number;
}

export type LogConsumer = (records: LogRecord[]) => Promise<void>;

/**
 * The durable hand-off between ingest and processing. `append` deduplicates by client event_id
 * atomically with storing, so a retried event is accepted once; when it resolves, the events are
 * as durable as the adapter can make them.
 */
export interface EventLog {
  readonly kind: string;
  readonly durable: boolean;
  append(events: PulseEvent[]): Promise<AppendResult>;
  /** accepted events not yet processed */
  backlog(): Promise<number>;
  /** starts delivering records in order; one consumer call at a time */
  consume(consumer: LogConsumer): void;
  close(): Promise<void>;
}

export interface ApplyResult {
  alerts: Alert[];
  /** records whose processing threw; they are not retried in place (dead letters) */
  failed: { record: LogRecord; error: string }[];
  /** per-record processing lag (processed time − appended time), ms */
  lagsMs: number[];
}

/** Live metric state: applies processed events and answers snapshots. */
export interface LiveStore {
  readonly kind: string;
  readonly durable: boolean;
  apply(records: LogRecord[], now: number): Promise<ApplyResult>;
  snapshot(now: number): Promise<Omit<LiveSnapshot, 'pipeline' | 'mode' | 'durable' | 'computedAt'>>;
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
