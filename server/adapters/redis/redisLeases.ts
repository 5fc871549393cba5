import type { Redis } from 'ioredis';
import type { Lease } from '@/server/ports';
import { LeaseBalancer, type HeartbeatView, type LeaseStore } from '@/server/log/leaseBalancer';
import type { RedisKeys } from './keys';
import { lua, runScript } from './scripting';

/*
 * The lease table in Redis: per consumer and partition a hash {owner, token, expires} and a
 * fencing counter that is INCRed whenever the partition gets a new owner (never reset, so a
 * token is never reused); per consumer a sorted set owner → membership expiry. Every script
 * reads the time from Redis (TIME), so the processes' clocks never need to agree.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function ms(x) return string.format('%.0f', x) end
`;

/** KEYS: members, lease_0..lease_{P-1}. ARGV: owner, ttl, then (partition, token) per held lease. */
const HEARTBEAT = lua(`${NOW}
local owner, ttl = ARGV[1], tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], ms(now + ttl), owner)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms(now))
local live = redis.call('ZCARD', KEYS[1])
local renewed = {}
for i = 3, #ARGV, 2 do
  local key = KEYS[tonumber(ARGV[i]) + 2]
  local cur = key and redis.call('HMGET', key, 'owner', 'token') or {}
  if cur[1] == owner and cur[2] == ARGV[i + 1] then
    redis.call('HSET', key, 'expires', ms(now + ttl))
    renewed[#renewed + 1] = tonumber(ARGV[i])
  end
end
local free = {}
for p = 0, #KEYS - 2 do
  local cur = redis.call('HMGET', KEYS[p + 2], 'owner', 'expires')
  if not cur[1] or (tonumber(cur[2]) or 0) <= now then free[#free + 1] = p end
end
return {live, renewed, free}
`);

/** KEYS: (lease, fence) per wanted partition. ARGV: owner, ttl. Answers the new token or 0 each. */
const ACQUIRE = lua(`${NOW}
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local tokens = {}
for i = 1, #KEYS, 2 do
  local cur = redis.call('HMGET', KEYS[i], 'owner', 'expires')
  if not cur[1] or (tonumber(cur[2]) or 0) <= now then
    local token = redis.call('INCR', KEYS[i + 1])
    redis.call('HSET', KEYS[i], 'owner', owner, 'token', token, 'expires', ms(now + ttl))
    tokens[#tokens + 1] = token
  else
    tokens[#tokens + 1] = 0
  end
end
return tokens
`);

/** KEYS: members, then a lease key per given lease. ARGV: owner, leave (1/0), then tokens. */
const RELEASE = lua(`
local owner = ARGV[1]
for i = 2, #KEYS do
  local cur = redis.call('HMGET', KEYS[i], 'owner', 'token')
  if cur[1] == owner and cur[2] == ARGV[i + 1] then redis.call('DEL', KEYS[i]) end
end
if ARGV[2] == '1' then redis.call('ZREM', KEYS[1], owner) end
return 1
`);

type HeartbeatReply = [live: number, renewed: number[], free: number[]];

export function redisLeaseStore(redis: Redis, keys: RedisKeys, consumer: string, partitions: number): LeaseStore {
  const leaseKeys = Array.from({ length: partitions }, (_, p) => keys.lease(consumer, p));
  return {
    async heartbeat(owner: string, held: Lease[], ttlMs: number): Promise<HeartbeatView> {
      const args: (string | number)[] = [owner, ttlMs];
      for (const l of held) args.push(l.partition, l.token);
      const [live, renewed, free] = (await runScript(redis, HEARTBEAT, [keys.members(consumer), ...leaseKeys], args)) as HeartbeatReply;
      return { liveMembers: Number(live), renewed: renewed.map(Number), free: free.map(Number) };
    },
    async acquire(owner: string, wanted: number[], ttlMs: number): Promise<Lease[]> {
      if (wanted.length === 0) return [];
      const k = wanted.flatMap((p) => [keys.lease(consumer, p), keys.fence(consumer, p)]);
      const tokens = (await runScript(redis, ACQUIRE, k, [owner, ttlMs])) as number[];
      return wanted.flatMap((partition, i) => (Number(tokens[i]) > 0 ? [{ partition, token: Number(tokens[i]) }] : []));
    },
    async release(owner: string, leases: Lease[], leave: boolean): Promise<void> {
      if (leases.length === 0 && !leave) return;
      const k = [keys.members(consumer), ...leases.map((l) => keys.lease(consumer, l.partition))];
      await runScript(redis, RELEASE, k, [owner, leave ? '1' : '0', ...leases.map((l) => l.token)]);
    },
  };
}

/** the owner of each partition of a consumer, as /api/health shows it (null: none or expired) */
export async function leaseOwners(redis: Redis, keys: RedisKeys, consumer: string, partitions: number): Promise<(string | null)[]> {
  const pipeline = redis.pipeline().time();
  for (let p = 0; p < partitions; p++) pipeline.hmget(keys.lease(consumer, p), 'owner', 'expires');
  const replies = (await pipeline.exec()) ?? [];
  const [sec, micro] = replies[0]?.[1] as [string, string];
  const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
  return replies.slice(1).map(([err, value]) => {
    const [owner, expires] = (err ? [null, null] : value) as [string | null, string | null];
    return owner !== null && Number(expires) > now ? owner : null;
  });
}

/** Partition leases of one consumer group kept in Redis (see LeaseBalancer for the algorithm). */
export class RedisLeases extends LeaseBalancer {
  constructor(redis: Redis, keys: RedisKeys, consumer: string, owner: string, opts: { partitions: number; leaseMs: number }) {
    super(redisLeaseStore(redis, keys, consumer, opts.partitions), owner, opts);
  }
}
