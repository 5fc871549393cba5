import type { PulseEvent } from '@/lib/events';
import type { Alert, LiveSnapshot } from '@/lib/live';
import type { Effects, EngineState, PurchaseFacts, StateRequest } from '@/server/pipeline/effects';

/**
 * Ports: the narrow interfaces the pipeline reaches its stores through. Each has one adapter per
 * real system (in-process memory, Redis; Kinesis and DynamoDB later) and one contract suite.
 *
 * Data flows one way: http → EventLog → consumer (per partition, under a lease) → engine (pure)
 * → LiveStore.apply(effects + checkpoint, atomically) → live delivery.
 */

// ───────────────────────────── the partitioned event log ─────────────────────────────

export interface AppendResult {
  /** one flag per input event: true = accepted, false = duplicate of an event already accepted */
  accepted: boolean[];
  /** true when nothing was stored because the backlog would pass `maxBacklog` */
  backpressure?: boolean;
}

export interface AppendOptions {
  /**
   * refuse the whole append when the slowest required consumer's backlog (events appended and
   * not yet checkpointed by it) would exceed this; checked atomically with storing
   */
  maxBacklog?: number;
}

/**
 * One event in the log. Offsets are per partition and count events: the n-th event ever appended
 * to a partition has offset n (1-based), so `head − checkpoint` is a consumer's exact backlog.
 */
export interface LogRecord {
  offset: number;
  event: PulseEvent;
  /** when the log accepted the record */
  appendedAt: number;
}

/** One stored unit of a partition (the events of one ingest request that hash to it). */
export interface LogEntry {
  partition: number;
  /** offset of the entry's last event; a checkpoint at or past it means the entry is done */
  offset: number;
  /** offset of the entry before it (its first event is `prevOffset + 1`) */
  prevOffset: number;
  /** readable id for logs and dead letters: `p<partition>:<offset>` */
  id: string;
  appendedAt: number;
  records: LogRecord[];
  /** set when the stored entry could not be decoded (or has an unknown format version) */
  malformed?: { error: string; raw: string };
}

export interface ReadOptions {
  /** most entries returned per partition */
  maxEntries: number;
  /** how long to wait for new entries when there are none (0: do not wait) */
  waitMs: number;
}

/**
 * The durable hand-off between ingest and processing, partitioned by user (Kafka / Kinesis
 * shape). `append` deduplicates client event ids atomically with storing, so a retried event is
 * accepted once. Consumers read from their own checkpoints; the log never tracks deliveries.
 */
export interface EventLog {
  readonly kind: string;
  readonly durable: boolean;
  readonly partitions: number;
  /**
   * the log's identity: stable for a durable log's lifetime, new for each in-process log (whose
   * offsets start at 1 again), so files named by offsets never collide across runs
   */
  identity(): Promise<string>;
  append(events: PulseEvent[], opts?: AppendOptions): Promise<AppendResult>;
  /**
   * entries after the given offset of each partition asked for (partition → offset), oldest
   * first per partition; waits up to `waitMs` when none of them has any
   */
  read(after: Map<number, number>, opts: ReadOptions): Promise<LogEntry[]>;
  /** the newest offset of every partition (index = partition) */
  heads(): Promise<number[]>;
  /** every partition's checkpoint of a consumer (0 where it has none) */
  checkpoints(consumer: string): Promise<number[]>;
  /**
   * moves a consumer's checkpoint, for consumers whose store cannot write it with its effects
   * (the lake writer: files first, then the checkpoint). Never moves it backwards.
   */
  commit(consumer: string, partition: number, offset: number): Promise<void>;
  /**
   * declares a consumer: `required` ones bound trimming and backpressure (the log never drops
   * what they have not checkpointed and refuses appends that would put one past `maxBacklog` ×
   * its `backlogAllowance`, default 1 — a consumer that buffers on purpose, like the lake writer,
   * gets more room so its buffer never throttles ingest)
   */
  registerConsumer(name: string, opts: ConsumerOptions): Promise<void>;
  /** events appended and not yet checkpointed, per registered consumer */
  backlog(): Promise<Record<string, number>>;
  /** partition leases of one consumer group, for this process */
  leases(consumer: string, owner: string): PartitionLeases;
  /**
   * drops entries that every required consumer has checkpointed and that are older than the
   * configured retention; never an entry some required consumer still needs
   */
  trim(): Promise<void>;
  /** for /api/health and /pipeline: heads, checkpoints, backlog and lease owners per partition */
  describe(): Promise<LogDescription>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  required: boolean;
  /** multiplies `maxBacklog` for this consumer (whole number ≥ 1) */
  backlogAllowance?: number;
}

/** how a consumer is stored in a log's consumer table: 'optional', 'required' or 'required:<allowance>' */
export function encodeConsumer(opts: ConsumerOptions): string {
  if (!opts.required) return 'optional';
  const a = opts.backlogAllowance ?? 1;
  if (!Number.isSafeInteger(a) || a < 1) throw new Error(`backlogAllowance must be a whole number ≥ 1, not ${a}`);
  return a === 1 ? 'required' : `required:${a}`;
}

/** the allowance of a stored consumer, null for an optional one */
export function consumerAllowance(stored: string): number | null {
  if (stored === 'required') return 1;
  const m = /^required:(\d+)$/.exec(stored);
  return m ? Number(m[1]) : null;
}

export interface LogDescription {
  partitions: number;
  heads: number[];
  /** consumer → checkpoint per partition */
  checkpoints: Record<string, number[]>;
  /** consumer → events not yet checkpointed */
  backlog: Record<string, number>;
  /** consumer → owner of each partition (null: unowned) */
  owners: Record<string, (string | null)[]>;
  /** stored entries (after trimming) */
  storedEntries: number;
}

/** A partition held by this process: the fencing token changes whenever the owner changes. */
export interface Lease {
  partition: number;
  token: number;
}

/**
 * Ownership of partitions among the processes running one consumer. Each partition has at most
 * one owner at a time; a lease expires unless renewed, and partitions are rebalanced as owners
 * join and leave (each aims at its fair share). Stores check the fencing token when they apply,
 * so a process that lost a lease (paused, partitioned) cannot write after its successor.
 */
export interface PartitionLeases {
  readonly owner: string;
  /** joins the group and keeps renewing; `onChange` gets the owned leases whenever they change */
  start(onChange: (owned: Lease[]) => void): Promise<void>;
  owned(): Lease[];
  /** leaves the group, releasing every lease at once (idempotent) */
  stop(): Promise<void>;
}

// ───────────────────────────── the live store ─────────────────────────────

/** What one apply call writes: effects plus, in the same atomic step, the checkpoint. */
export interface ApplyRequest {
  consumer: string;
  lease: Lease;
  /** the checkpoint before this delivery (effects apply only if the store's equals it) */
  fromOffset: number;
  /** the checkpoint after it */
  toOffset: number;
  effects: Effects;
  now: number;
}

export type ApplyOutcome =
  /** effects and checkpoint written; `alerts` are those new to the store (deduplicated by id) */
  | { status: 'applied'; alerts: Alert[] }
  /** the store's checkpoint is already at or past `toOffset`: a redelivery, nothing written */
  | { status: 'duplicate' }
  /** the lease's token is not the current one: another owner took the partition */
  | { status: 'fenced' }
  /** the checkpoint is elsewhere (a gap or a partial overlap): re-read from `checkpoint` */
  | { status: 'moved'; checkpoint: number };

/**
 * Live metric state. It never scores, evaluates rules or decides dead letters: it reads the state
 * the engine asks for and applies the engine's effects, with the consumer's checkpoint, all or
 * nothing.
 */
export interface LiveStore {
  readonly kind: string;
  readonly durable: boolean;
  /** the state the engine needs for a delivery (users, sessions, stock) */
  read(request: StateRequest): Promise<EngineState>;
  apply(request: ApplyRequest): Promise<ApplyOutcome>;
  /** the consumer's checkpoint of one partition as stored with the effects (0 when none) */
  checkpoint(consumer: string, partition: number): Promise<number>;
  snapshot(now: number): Promise<LiveMetrics>;
  setStock(productId: string, stock: number): Promise<void>;
  userAnalytics(userId: string): Promise<UserAnalytics | null>;
  /** a user's latest events, newest first (kept beside the per-user record, not in it) */
  recentEvents(userId: string): Promise<RecentEvent[]>;
  sessionAggregates(sessionId: string): Promise<SessionAggregates | null>;
  /**
   * what the live pipeline decided about the purchases at these offsets of a partition (fraud
   * score, country), kept for the lake writer; offsets it never applied are absent
   */
  purchaseFacts(partition: number, offsets: readonly number[]): Promise<Map<number, PurchaseFacts>>;
  /** the lake has written the partition's offsets up to `throughOffset`: their facts may go */
  forgetPurchaseFacts(partition: number, throughOffset: number): Promise<void>;
  /**
   * the signal stream: alerts new to the store (written in the same atomic step as the effects
   * that raised them), in the order applied, after `position` ('0': from the oldest kept). The
   * alert engine reads it and stores its position with what the signals caused, so each signal
   * is acted on once.
   */
  readAlertSignals(after: string, max: number): Promise<AlertSignal[]>;
  /** the position of the newest signal ('0' when none): where a reader that has none starts */
  alertSignalsHead(): Promise<string>;
  /** names the stream: an in-process store's is new with every run (its positions start again) */
  readonly signalsIdentity: string;
  close(): Promise<void>;
}

export interface AlertSignal {
  position: string;
  alert: Alert;
}

export type LiveMetrics = Omit<LiveSnapshot, 'pipeline' | 'mode' | 'durable' | 'computedAt' | 'activeAlerts' | 'tileRules'> & { pipeline?: LiveSnapshot['pipeline'] };

// ───────────────────────────── dead letters ─────────────────────────────

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

// ───────────────────────────── per-user analytics ─────────────────────────────

export interface KnownLocationOut {
  country: string | null;
  lat: number | null;
  lon: number | null;
  at: number;
}

/** `GET /api/users/:id`: the reference pipeline's user-analytics item. */
export interface UserAnalytics {
  userId: string;
  lastActivity: number;
  totalEvents: number;
  eventsByType: Record<string, number>;
  purchaseCount: number;
  /** in the shop currency; purchases in a currency without a rate add nothing */
  lifetimeValueMinor: number;
  averagePurchaseMinor: number | null;
  lastLocation: KnownLocationOut | null;
  /** the user's latest events, newest first (bounded) */
  recentEvents: RecentEvent[];
}

/** One line of a user's recent activity. */
export interface RecentEvent {
  eventId: string;
  ts: number;
  type: string;
  sessionId: string | null;
  /** in minor units of `currency` (the event's own) */
  amountMinor: number | null;
  currency: string | null;
  productId: string | null;
  page: string | null;
}

/**
 * The per-user state as the engine computes it and the live store keeps it, one record per user.
 * `version` grows by one with every applied delivery that touched the user, so a copy elsewhere
 * (DynamoDB) is updated idempotently: a write with a version not above the stored one is a no-op.
 * `eventsByType` is a list of pairs so no client-chosen type can meet an object prototype.
 */
export interface UserRecord {
  userId: string;
  version: number;
  lastActivity: number;
  totalEvents: number;
  eventsByType: [type: string, count: number][];
  purchaseCount: number;
  lifetimeValueMinor: number;
  /** purchases whose amount is in lifetimeValueMinor (absent in older records: all of them) */
  valuedPurchaseCount?: number;
  lastLocation: KnownLocationOut | null;
  /** event times of the latest purchases (what the velocity rule reads), newest last, bounded */
  recentPurchaseTimes: number[];
}

/**
 * A copy of the per-user records kept outside the live store (DynamoDB, the reference
 * pipeline's table), filled off the hot path from the live store's records.
 */
export interface UserStore {
  readonly kind: string;
  /** stores the record unless one with this or a higher version is already there */
  put(record: UserRecord): Promise<'written' | 'stale'>;
  get(userId: string): Promise<UserAnalytics | null>;
  close(): Promise<void>;
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
