import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PulseEvent } from '@/lib/events';
import { consumerAllowance, encodeConsumer, type AppendOptions, type AppendResult, type ConsumerOptions, type EventLog, type LogDescription, type LogEntry, type PartitionLeases, type ReadOptions } from '@/server/ports';
import { checkConsumerName, partitionOf } from '@/server/log/partition';
import { ENTRY_FORMAT, decodeStreamEntry, encodeEvent, type StreamEntry } from './entryCodec';
import type { RedisKeys } from './keys';
import { RedisLeases, leaseOwners } from './redisLeases';
import { lua, runScript } from './scripting';

/**
 * Append, in one script per ingest request so an event is stored once or not at all:
 * deduplicate client ids (SET NX EX; server-assigned ids pass ''), check the slowest required
 * consumer's backlog (Σ head − checkpoint, over every partition) against the bound, undoing the
 * dedup markers if it refuses, then per partition with accepted events advance the head by their
 * count and XADD them as one entry whose explicit id is the new head. The script never decodes
 * the events (they are opaque JSON text here), so no payload can make it fail half-way.
 * KEYS: consumers, stats, head_0..head_{P-1}, log_0..log_{P-1}.
 * ARGV: checkpoint key prefix, dedup ttl, now, maxBacklog (-1: none), P, format version, then
 * (dedup key or '', partition, encoded event) per event. Answers 'B' or one flag per event.
 */
const APPEND = lua(`
local cpPrefix, ttl, now, maxBacklog, P, version = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local flags, taken, byPart, count = {}, {}, {}, 0
for i = 7, #ARGV, 3 do
  local key = ARGV[i]
  if key == '' or redis.call('SET', key, '1', 'NX', 'EX', ttl) then
    if key ~= '' then taken[#taken + 1] = key end
    local p = tonumber(ARGV[i + 1])
    byPart[p] = byPart[p] or {}
    table.insert(byPart[p], ARGV[i + 2])
    flags[#flags + 1] = '1'
    count = count + 1
  else
    flags[#flags + 1] = '0'
  end
end
if maxBacklog >= 0 and count > 0 then
  local heads = redis.call('MGET', unpack(KEYS, 3, P + 2))
  local consumers = redis.call('HGETALL', KEYS[1])
  local over = false
  for i = 1, #consumers, 2 do
    local kind = consumers[i + 1]
    local allowance = nil
    if kind == 'required' then allowance = 1 else allowance = tonumber(string.match(kind, '^required:(%d+)$')) end
    if allowance then
      local cp = {}
      local flat = redis.call('HGETALL', cpPrefix .. consumers[i])
      for j = 1, #flat, 2 do cp[flat[j]] = tonumber(flat[j + 1]) end
      local behind = 0
      for p = 0, P - 1 do behind = behind + math.max(0, (tonumber(heads[p + 1]) or 0) - (cp[tostring(p)] or 0)) end
      if behind + count > maxBacklog * allowance then over = true end
    end
  end
  if over then
    -- in chunks: unpack has a stack limit far below the batch limit
    for i = 1, #taken, 500 do redis.call('DEL', unpack(taken, i, math.min(i + 499, #taken))) end
    return 'B'
  end
end
for p = 0, P - 1 do
  local list = byPart[p]
  if list then
    local head = redis.call('INCRBY', KEYS[3 + p], #list)
    redis.call('XADD', KEYS[3 + P + p], string.format('%d-0', head), 'v', version, 't', now, 'e', '[' .. table.concat(list, ',') .. ']')
  end
end
redis.call('HINCRBY', KEYS[2], 'accepted', count)
redis.call('HINCRBY', KEYS[2], 'duplicates', #flags - count)
return table.concat(flags)
`);

/** moves a checkpoint forward only. KEYS: checkpoints hash. ARGV: partition, offset. */
const COMMIT = lua(`
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
`);

export interface RedisEventLogOptions {
  partitions: number;
  dedupWindowSeconds: number;
  /** processed entries are kept this long before trimming (never one a required consumer needs) */
  retainProcessedMs: number;
  /** partition lease expiry */
  leaseMs: number;
}

/** entries read per XRANGE while looking for the retention boundary */
const TRIM_SCAN = 256;

/**
 * The partitioned event log on Redis streams (single-node mode, durable): one stream per
 * partition whose entry ids are event offsets, a head counter per partition, and per-consumer
 * checkpoint hashes that consumers (the live store inside its apply script) move forward.
 */
export class RedisEventLog implements EventLog {
  readonly kind = 'redis-streams';
  readonly durable = true;
  readonly partitions: number;
  private readonly headKeys: string[];
  private readonly logKeys: string[];
  private readonly partitionOfKey: Map<string, number>;
  private readonly leaseSets = new Set<PartitionLeases>();
  /** consumers whose leases this process runs, shown by describe() even before they register */
  private readonly leaseConsumers = new Set<string>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    /** a connection of its own: XREAD BLOCK holds it while waiting (concurrent reads queue on it) */
    private readonly blocking: Redis,
    private readonly keys: RedisKeys,
    private readonly opts: RedisEventLogOptions,
  ) {
    this.partitions = opts.partitions;
    this.headKeys = Array.from({ length: opts.partitions }, (_, p) => keys.logHead(p));
    this.logKeys = Array.from({ length: opts.partitions }, (_, p) => keys.log(p));
    this.partitionOfKey = new Map(this.logKeys.map((k, p) => [k, p]));
  }

  async append(events: PulseEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) return { accepted: [] };
    const args: (string | number)[] = [this.keys.checkpoints(''), this.opts.dedupWindowSeconds, Date.now(), opts.maxBacklog ?? -1, this.partitions, ENTRY_FORMAT];
    for (const e of events) args.push(e.clientId ? this.keys.dedup(e.eventId) : '', partitionOf(e.userId, this.partitions), encodeEvent(e));
    const flags = (await runScript(this.redis, APPEND, [this.keys.consumers, this.keys.stats, ...this.headKeys, ...this.logKeys], args)) as string;
    if (flags === 'B') return { accepted: [], backpressure: true };
    return { accepted: Array.from(flags, (f) => f === '1') };
  }

  async read(after: Map<number, number>, opts: ReadOptions): Promise<LogEntry[]> {
    if (after.size === 0 || this.closed) return [];
    const parts = [...after.entries()];
    for (const [p] of parts) this.checkPartition(p);
    const wait = opts.waitMs > 0 ? ['BLOCK', Math.ceil(opts.waitMs)] : [];
    const conn = opts.waitMs > 0 ? this.blocking : this.redis;
    let reply: [key: string, entries: StreamEntry[]][] | null;
    try {
      reply = (await conn.call('XREAD', 'COUNT', opts.maxEntries, ...wait, 'STREAMS', ...parts.map(([p]) => this.logKeys[p]), ...parts.map(([, o]) => `${o}-0`))) as typeof reply;
    } catch (err) {
      // close() cuts the blocked connection: a read in progress then simply ends empty
      if (this.closed) return [];
      throw err;
    }
    const out: LogEntry[] = [];
    for (const [key, entries] of reply ?? []) {
      const p = this.partitionOfKey.get(key)!;
      let previous = after.get(p) ?? 0;
      for (const e of entries) {
        const entry = decodeStreamEntry(p, e, previous);
        out.push(entry);
        previous = entry.offset;
      }
    }
    return out;
  }

  /** set once per Redis prefix (the log lives as long as its keys) */
  async identity(): Promise<string> {
    const fresh = `redis-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    await this.redis.set(this.keys.logIdentity, fresh, 'NX');
    return (await this.redis.get(this.keys.logIdentity)) ?? fresh;
  }

  async heads(): Promise<number[]> {
    return (await this.redis.mget(...this.headKeys)).map((v) => Number(v ?? 0));
  }

  async checkpoints(consumer: string): Promise<number[]> {
    const stored = await this.redis.hgetall(this.keys.checkpoints(consumer));
    // a hash reply from ioredis is a plain object; only the partitions' own fields are read
    return Array.from({ length: this.partitions }, (_, p) => (Object.hasOwn(stored, String(p)) ? Number(stored[String(p)]) : 0));
  }

  async commit(consumer: string, partition: number, offset: number): Promise<void> {
    checkConsumerName(consumer);
    this.checkPartition(partition);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`invalid offset ${offset}`);
    await runScript(this.redis, COMMIT, [this.keys.checkpoints(consumer)], [partition, offset]);
  }

  async registerConsumer(name: string, opts: ConsumerOptions): Promise<void> {
    checkConsumerName(name);
    await this.redis.hset(this.keys.consumers, name, encodeConsumer(opts));
  }

  async backlog(): Promise<Record<string, number>> {
    return (await this.state()).backlog;
  }

  leases(consumer: string, owner: string): PartitionLeases {
    checkConsumerName(consumer);
    const leases = new RedisLeases(this.redis, this.keys, consumer, owner, { partitions: this.partitions, leaseMs: this.opts.leaseMs });
    this.leaseSets.add(leases);
    this.leaseConsumers.add(consumer);
    return leases;
  }

  /**
   * Per partition, drops entries every required consumer has checkpointed, except those younger
   * than the retention (kept for replays and inspection). Entries older than the retention are
   * at the front, so the scan only reads what goes plus one batch. Without a required consumer
   * nothing goes: the log cannot know yet who will read it.
   */
  async trim(): Promise<void> {
    const consumers = await this.consumerTable();
    const required = [...consumers].filter(([, r]) => r).map(([name]) => name);
    if (required.length === 0) return;
    const cps = await Promise.all(required.map((name) => this.checkpoints(name)));
    const cutoff = Date.now() - this.opts.retainProcessedMs;
    for (let p = 0; p < this.partitions; p++) {
      const floor = Math.min(...cps.map((c) => c[p]));
      if (floor <= 0) continue;
      // keep every entry past the floor, and the first one (at or below it) still in retention
      let keepFrom = floor + 1;
      let start = '-';
      scan: for (;;) {
        const batch = (await this.redis.xrange(this.logKeys[p], start, `${floor}-0`, 'COUNT', TRIM_SCAN)) as StreamEntry[];
        for (const [id, fields] of batch) {
          if (appendTime(fields) >= cutoff) {
            keepFrom = Number(id.slice(0, id.indexOf('-')));
            break scan;
          }
        }
        if (batch.length < TRIM_SCAN) break;
        start = `(${batch[batch.length - 1][0]}`;
      }
      await this.redis.xtrim(this.logKeys[p], 'MINID', `${keepFrom}-0`);
    }
  }

  async describe(): Promise<LogDescription> {
    const { heads, checkpoints, backlog, consumers } = await this.state();
    const owners: Record<string, (string | null)[]> = Object.create(null);
    for (const name of new Set([...consumers, ...this.leaseConsumers])) owners[name] = await leaseOwners(this.redis, this.keys, name, this.partitions);
    const lengths = await Promise.all(this.logKeys.map((k) => this.redis.xlen(k)));
    return { partitions: this.partitions, heads, checkpoints, backlog, owners, storedEntries: lengths.reduce((a, b) => a + b, 0) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.leaseSets].map((l) => l.stop()));
    // ends a blocked XREAD at once instead of after its BLOCK time
    this.blocking.disconnect();
  }

  private async state() {
    const table = await this.consumerTable();
    const consumers = [...table.keys()];
    const heads = await this.heads();
    const checkpoints: Record<string, number[]> = Object.create(null);
    const backlog: Record<string, number> = Object.create(null);
    for (const name of consumers) {
      const cp = await this.checkpoints(name);
      checkpoints[name] = cp;
      backlog[name] = heads.reduce((n, h, p) => n + Math.max(0, h - cp[p]), 0);
    }
    return { heads, checkpoints, backlog, consumers };
  }

  /** consumer name → required */
  private async consumerTable(): Promise<Map<string, boolean>> {
    const flat = (await this.redis.call('HGETALL', this.keys.consumers)) as string[];
    const out = new Map<string, boolean>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i], consumerAllowance(flat[i + 1]) !== null);
    return out;
  }

  private checkPartition(p: number): void {
    if (!Number.isInteger(p) || p < 0 || p >= this.partitions) throw new Error(`no partition ${p} (the log has ${this.partitions})`);
  }
}

/** the entry's append time (field t), or 0 when it has none (such an entry is old enough to go) */
function appendTime(flat: string[]): number {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === 't') return Number(flat[i + 1]) || 0;
  return 0;
}
