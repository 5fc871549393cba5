import { z } from 'zod';

/**
 * The body of `GET /api/health` (server/app.ts), parsed for the pipeline page. Answered with 503
 * and the same JSON while a dependency is down. Parsing is lenient on purpose: unknown fields
 * are dropped, an unknown status word is kept as text, and the event log's detail is parsed on
 * its own, so a server newer or older than this page still shows what both understand.
 */

const dependencySchema = z.object({
  kind: z.string(),
  /** "ok" or "down" today; anything else is shown as not OK */
  status: z.string(),
  latencyMs: z.number().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
});
export type Dependency = z.infer<typeof dependencySchema>;

const healthSchema = z.object({
  status: z.string(),
  mode: z.string(),
  role: z.string(),
  durable: z.boolean(),
  uptimeSeconds: z.number(),
  /** the slowest required consumer's backlog; null while a dependency is down */
  backlog: z.number().nullable(),
  backlogByConsumer: z.record(z.string(), z.number()).nullable().optional(),
  dependencies: z.record(z.string(), dependencySchema),
});
export type Health = z.infer<typeof healthSchema>;

export function parseHealth(body: unknown): Health | null {
  const parsed = healthSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

export const isUp = (status: string): boolean => status === 'ok';

/** the dependencies that are not OK, in the order the server listed them */
export function failingDependencies(health: Health): [name: string, dep: Dependency][] {
  return Object.entries(health.dependencies).filter(([, d]) => !isUp(d.status));
}

const count = z.number().int().nonnegative();
const eventLogDetailSchema = z.object({
  partitions: count,
  heads: z.array(count),
  /** consumer → checkpoint per partition */
  checkpoints: z.record(z.string(), z.array(count)),
  /** consumer → events not yet checkpointed */
  backlog: z.record(z.string(), count).optional(),
  /** consumer → owner of each partition (null: unowned) */
  owners: z.record(z.string(), z.array(z.string().nullable())).optional(),
  storedEntries: count.optional(),
});

export interface PartitionRow {
  partition: number;
  /** events appended to the partition so far */
  head: number;
  /** the consumer's checkpoint; null when the server did not report one */
  checkpoint: number | null;
  /** head − checkpoint; null when the checkpoint is unknown */
  backlog: number | null;
  /** the process holding the partition's lease; null: unowned; undefined: not reported */
  owner: string | null | undefined;
}

export interface EventLogView {
  /** whose checkpoints and owners the rows show */
  consumer: string | null;
  partitions: PartitionRow[];
  /** Σ heads */
  appended: number;
  /** Σ checkpoints (of the partitions that report one) */
  checkpointed: number;
  /** the consumer's backlog as the server counts it, else Σ of the rows */
  backlog: number | null;
  storedEntries: number | null;
  unowned: number;
}

/** the live state is the consumer the page is about; another one only if a server has no "live" */
const PREFERRED_CONSUMER = 'live';

/**
 * Per-partition rows of the event log for one consumer, from the `eventLog` dependency's detail.
 * Null when the log reports no partitions (a down log has no detail).
 */
export function eventLogView(health: Health): EventLogView | null {
  const parsed = eventLogDetailSchema.safeParse(health.dependencies.eventLog?.detail);
  if (!parsed.success) return null;
  const d = parsed.data;
  const consumers = Object.keys(d.checkpoints);
  const consumer = consumers.includes(PREFERRED_CONSUMER) ? PREFERRED_CONSUMER : (consumers[0] ?? null);
  const checkpoints = consumer === null ? [] : d.checkpoints[consumer];
  const owners = consumer === null ? undefined : d.owners?.[consumer];
  const partitions: PartitionRow[] = d.heads.map((head, partition) => {
    const checkpoint = checkpoints[partition] ?? null;
    return {
      partition,
      head,
      checkpoint,
      // a checkpoint ahead of the head would be a server bug; never show a negative backlog
      backlog: checkpoint === null ? null : Math.max(0, head - checkpoint),
      owner: owners === undefined ? undefined : (owners[partition] ?? null),
    };
  });
  const sum = (xs: (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
  const rowsBacklog = partitions.some((r) => r.backlog !== null) ? sum(partitions.map((r) => r.backlog)) : null;
  return {
    consumer,
    partitions,
    appended: sum(partitions.map((r) => r.head)),
    checkpointed: sum(partitions.map((r) => r.checkpoint)),
    backlog: (consumer !== null ? d.backlog?.[consumer] : undefined) ?? rowsBacklog,
    storedEntries: d.storedEntries ?? null,
    unowned: partitions.filter((r) => r.owner === null).length,
  };
}

const redisDetailSchema = z.object({ usedMemoryBytes: count, maxMemoryBytes: count.optional() });

export interface RedisMemory {
  usedBytes: number;
  /** Redis `maxmemory`; null when unlimited */
  maxBytes: number | null;
}

export function redisMemory(health: Health): RedisMemory | null {
  const parsed = redisDetailSchema.safeParse(health.dependencies.redis?.detail);
  if (!parsed.success) return null;
  const max = parsed.data.maxMemoryBytes;
  return { usedBytes: parsed.data.usedMemoryBytes, maxBytes: max && max > 0 ? max : null };
}

/** "87.7 MiB", "1.5 GiB": binary multiples, as Redis counts memory */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A browser's own words for "no answer at all" (Chrome "Failed to fetch", Firefox "NetworkError
 * when attempting to fetch resource.", Safari "Load failed"), which mean nothing to a reader.
 */
const NETWORK_FAILURE = /failed to fetch|networkerror|load failed|network request failed/i;

export const UNREACHABLE = 'the server cannot be reached';

/** an error message fit to show: a network failure becomes a sentence; anything else stays */
export function readableFetchError(message: string): string {
  return NETWORK_FAILURE.test(message) ? UNREACHABLE : message;
}
