import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PulseEvent } from '@/lib/events';
import type { AppendOptions, AppendResult, EventLog, LogConsumer, LogEntry } from '@/server/ports';
import { log } from '@/server/log';
import { decodeEvent, encodeEvent } from './entryCodec';
import type { RedisKeys } from './redisClient';

/**
 * Append: check the backlog bound, deduplicate client event ids and add one stream entry holding
 * the request's accepted events, in one atomic script (one round trip per ingest request), so an
 * event is either stored once or not at all. The backlog counter (events not yet applied) moves
 * in the same step. Answers 'B' when the bound refuses the append, else one flag per event.
 */
const APPEND = `
local dedupPrefix, ttl, now, maxBacklog = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
if maxBacklog >= 0 and tonumber(redis.call('GET', KEYS[2]) or '0') + (#ARGV - 4) / 2 > maxBacklog then
  return 'B'
end
local flags, accepted = {}, {}
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  if id == '' or redis.call('SET', dedupPrefix .. id, '1', 'NX', 'EX', ttl) then
    accepted[#accepted + 1] = ARGV[i + 1]
    flags[#flags + 1] = '1'
  else
    flags[#flags + 1] = '0'
  end
end
if #accepted > 0 then
  redis.call('XADD', KEYS[1], '*', 't', now, 'e', '[' .. table.concat(accepted, ',') .. ']')
  redis.call('INCRBY', KEYS[2], #accepted)
end
redis.call('HINCRBY', KEYS[3], 'accepted', #accepted)
redis.call('HINCRBY', KEYS[3], 'duplicates', #flags - #accepted)
return table.concat(flags)
`;

type StreamEntry = [id: string, fields: string[]];

export interface RedisEventLogOptions {
  dedupWindowSeconds: number;
  /** pending entries idle this long are taken over from their (presumably dead) consumer */
  claimIdleMs: number;
  /** entries read per XREADGROUP */
  readCount: number;
  /** processed entries kept in the stream this long before trimming */
  retainProcessedMs: number;
}

/**
 * The event log on a Redis stream with one consumer group. Workers read new entries with
 * XREADGROUP; entries a dead worker left pending are claimed by another after `claimIdleMs`.
 * The stream is trimmed only below the oldest entry any group still has pending or undelivered.
 */
export class RedisEventLog implements EventLog {
  readonly kind = 'redis-stream';
  readonly durable = true;
  readonly consumerName = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly appendSha: Promise<string>;
  private running = false;
  private loops: Promise<void>[] = [];
  private groupReady: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    /** a separate connection: XREADGROUP BLOCK holds it */
    private readonly blocking: Redis,
    private readonly keys: RedisKeys,
    private readonly opts: RedisEventLogOptions,
  ) {
    this.appendSha = redis.script('LOAD', APPEND) as Promise<string>;
  }

  async append(events: PulseEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    const args: string[] = [`${this.keys.prefix}dd:`, String(this.opts.dedupWindowSeconds), String(Date.now()), String(opts.maxBacklog ?? -1)];
    for (const e of events) args.push(e.clientId ? e.eventId : '', encodeEvent(e));
    const flags = (await this.evalsha(APPEND, await this.appendSha, [this.keys.log, this.keys.backlog, this.keys.stats], args)) as string;
    if (flags === 'B') return { accepted: [], backpressure: true };
    return { accepted: Array.from(flags, (f) => f === '1') };
  }

  async backlog(): Promise<number> {
    return Number((await this.redis.get(this.keys.backlog)) ?? 0);
  }

  async ack(entryIds: string[]): Promise<void> {
    if (entryIds.length) await this.redis.xack(this.keys.log, this.keys.group, ...entryIds);
  }

  ensureGroup(): Promise<void> {
    this.groupReady ??= this.redis
      .xgroup('CREATE', this.keys.log, this.keys.group, '0', 'MKSTREAM')
      .then(() => undefined)
      .catch((err: Error) => {
        if (!err.message.includes('BUSYGROUP')) {
          this.groupReady = null;
          throw err;
        }
      });
    return this.groupReady;
  }

  consume(consumer: LogConsumer): void {
    if (this.running) throw new Error('this log already has a consumer');
    this.running = true;
    this.loops = [this.readLoop(consumer), this.trimLoop()];
  }

  async close(): Promise<void> {
    this.running = false;
    // the blocked read returns within its BLOCK time (≤ 1 s); let the loop finish its batch
    const finished = Promise.allSettled(this.loops);
    const timeout = new Promise((r) => setTimeout(r, 5000).unref());
    await Promise.race([finished, timeout]);
    this.blocking.disconnect();
    await finished;
  }

  /**
   * New entries first; every `claimIdleMs / 2` also take over entries stuck with dead consumers.
   * The next read is issued while the current batch is being applied, so the stream round trip
   * overlaps the work.
   */
  private async readLoop(consumer: LogConsumer): Promise<void> {
    let lastClaim = 0;
    let next: Promise<LogEntry[]> | null = null;
    while (this.running) {
      try {
        await this.ensureGroup();
        if (Date.now() - lastClaim > this.opts.claimIdleMs / 2) {
          lastClaim = Date.now();
          const claimed = await this.claimStale();
          if (claimed.length) await consumer({ entries: claimed });
        }
        const entries: LogEntry[] = await (next ?? this.readNew());
        next = this.running && entries.length ? this.readNew() : null;
        if (entries.length) await consumer({ entries });
      } catch (err) {
        next = null;
        if (!this.running) break;
        // leave what was read pending: it will be claimed again after claimIdleMs
        log.warn('event log read/apply failed; retrying', { error: err instanceof Error ? err.message : String(err) });
        await sleep(200);
      }
    }
    // a read issued before stopping may have delivered entries: apply them rather than leave
    // them pending until another worker's claim time passes
    const last = await next?.catch(() => [] as LogEntry[]);
    if (last?.length) await consumer({ entries: last }).catch((err) => log.warn('last batch failed at shutdown; it stays pending', { error: String(err) }));
  }

  private async readNew(): Promise<LogEntry[]> {
    const res = (await this.blocking.xreadgroup(
      'GROUP', this.keys.group, this.consumerName,
      'COUNT', this.opts.readCount,
      'BLOCK', Math.max(100, Math.min(1000, this.opts.claimIdleMs / 2)),
      'STREAMS', this.keys.log, '>',
    )) as [string, StreamEntry[]][] | null;
    return res ? res[0][1].map((e) => decodeEntry(e, 1)) : [];
  }

  /** XPENDING with IDLE finds entries idle past the threshold; XCLAIM moves them here. */
  private async claimStale(): Promise<LogEntry[]> {
    const pending = (await this.redis.xpending(
      this.keys.log, this.keys.group, 'IDLE', this.opts.claimIdleMs, '-', '+', this.opts.readCount,
    )) as [string, string, number, number][];
    if (pending.length === 0) return [];
    const deliveries = new Map(pending.map(([id, , , count]) => [id, Number(count)]));
    const claimed = (await this.redis.xclaim(
      this.keys.log, this.keys.group, this.consumerName, this.opts.claimIdleMs, ...pending.map((p) => p[0]),
    )) as (StreamEntry | null)[];
    const entries: LogEntry[] = [];
    for (const e of claimed) {
      // a claimed id whose entry was trimmed or deleted comes back empty: nothing to apply
      if (!e || !e[1]) continue;
      entries.push(decodeEntry(e, (deliveries.get(e[0]) ?? 0) + 1));
    }
    if (entries.length) log.info('took over pending log entries from a stopped consumer', { count: entries.length });
    return entries;
  }

  /**
   * Trims processed entries older than the retention, never past the oldest entry some group
   * has not yet delivered or acknowledged.
   */
  private async trimLoop(): Promise<void> {
    while (this.running) {
      for (let i = 0; i < 50 && this.running; i++) await sleep(100);
      if (!this.running) break;
      try {
        await this.trim();
      } catch (err) {
        log.warn('stream trim failed', { error: String(err) });
      }
    }
  }

  async trim(): Promise<void> {
    const groups = (await this.redis.xinfo('GROUPS', this.keys.log)) as unknown[][];
    let floor = `${Date.now() - this.opts.retainProcessedMs}-0`;
    for (const g of groups) {
      const info = toRecord(g);
      const name = String(info.name);
      const lastDelivered = String(info['last-delivered-id']);
      const pending = (await this.redis.xpending(this.keys.log, name)) as [number, string | null, string | null, unknown];
      const oldestPending = pending[0] > 0 && pending[1] ? pending[1] : null;
      // nothing at or after the first undelivered entry may go
      floor = minId(floor, nextId(lastDelivered));
      if (oldestPending) floor = minId(floor, oldestPending);
    }
    await this.redis.xtrim(this.keys.log, 'MINID', floor);
  }

  private async evalsha(source: string, sha: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      // the script cache is empty after a Redis restart: load it again
      if (err instanceof Error && err.message.includes('NOSCRIPT')) return this.redis.eval(source, keys.length, ...keys, ...args);
      throw err;
    }
  }
}

function decodeEntry([id, fields]: StreamEntry, deliveries: number): LogEntry {
  const f = toRecord(fields);
  const raw = String(f.e ?? '');
  const appendedAt = Number(f.t);
  try {
    const stored = JSON.parse(raw) as unknown[];
    if (!Array.isArray(stored) || !Number.isFinite(appendedAt)) throw new Error('entry is not a list of events with a time');
    const events = stored.map(decodeEvent);
    return { id, deliveries, records: events.map((event, i) => ({ offset: `${id}/${i}`, event, appendedAt })) };
  } catch (err) {
    return { id, deliveries, records: [], malformed: { error: `undecodable log entry: ${(err as Error).message}`, raw: JSON.stringify(f) } };
  }
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

function parseId(id: string): [bigint, bigint] {
  const [ms, seq] = id.split('-');
  return [BigInt(ms), BigInt(seq ?? '0')];
}

function minId(a: string, b: string): string {
  const [am, as] = parseId(a);
  const [bm, bs] = parseId(b);
  return am < bm || (am === bm && as <= bs) ? a : b;
}

function nextId(id: string): string {
  const [ms, seq] = parseId(id);
  return `${ms}-${seq + 1n}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
