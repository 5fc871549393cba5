import type { Redis } from 'ioredis';
import type { UserAnalytics } from '@/server/ports';
import { assertValidDelta, averagePurchase } from './delta';
import { LuaScript } from './luaScript';
import type { UserDelta, UserStore } from './userStore';

/**
 * KEYS[1] the user's hash. ARGV: token, events, purchases, revenueCents, lastActivity,
 * loc_at ('' = no location), country, lat, lon ('' = none), then type/count pairs.
 *
 * The token check and every change happen in one script, so a delta is either applied with its
 * token recorded or not at all: a retry after a lost reply finds its own token and stops.
 * Timestamps are compared with tonumber but stored as the strings given, so Lua never writes a
 * millisecond time in floating-point notation.
 */
const APPLY = new LuaScript(`
local k = KEYS[1]
if redis.call('HGET', k, 'tok') == ARGV[1] then return 0 end
redis.call('HINCRBY', k, 'total', ARGV[2])
redis.call('HINCRBY', k, 'pc', ARGV[3])
redis.call('HINCRBY', k, 'ltv', ARGV[4])
local last = redis.call('HGET', k, 'last')
if not last or tonumber(last) < tonumber(ARGV[5]) then redis.call('HSET', k, 'last', ARGV[5]) end
if ARGV[6] ~= '' then
  local at = redis.call('HGET', k, 'loc_at')
  if not at or tonumber(at) <= tonumber(ARGV[6]) then
    redis.call('HSET', k, 'loc_at', ARGV[6], 'lc', ARGV[7], 'lat', ARGV[8], 'lon', ARGV[9])
  end
end
for i = 10, #ARGV, 2 do redis.call('HINCRBY', k, 't:' .. ARGV[i], ARGV[i + 1]) end
redis.call('HSET', k, 'tok', ARGV[1])
return 1
`);

/** the commands this adapter uses */
type UserStoreRedis = Pick<Redis, 'evalsha' | 'eval' | 'hgetall'>;

/**
 * The per-user store in Redis (single node without AWS): one hash per user, `<prefix>uu:<userId>`,
 * with the same field names as the live store's `u:` hash plus `tok`, the last applied token.
 * The hashes have no expiry: this is the lasting per-user record, as durable as Redis is.
 */
export class RedisUserStore implements UserStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: UserStoreRedis,
    private readonly prefix: string,
  ) {}

  private key(userId: string): string {
    return `${this.prefix}uu:${userId}`;
  }

  async apply(delta: UserDelta, token: string): Promise<'applied' | 'already-applied'> {
    assertValidDelta(delta);
    const loc = delta.location;
    const args = [
      token,
      String(delta.events),
      String(delta.purchases),
      String(delta.revenueCents),
      String(delta.lastActivity),
      loc ? String(loc.at) : '',
      loc?.country ?? '',
      loc?.lat == null ? '' : String(loc.lat),
      loc?.lon == null ? '' : String(loc.lon),
      ...Object.entries(delta.byType).flatMap(([type, n]) => (n > 0 ? [type, String(n)] : [])),
    ];
    const applied = await APPLY.run(this.redis, [this.key(delta.userId)], args);
    return applied === 1 ? 'applied' : 'already-applied';
  }

  async get(userId: string): Promise<UserAnalytics | null> {
    const h = await this.redis.hgetall(this.key(userId));
    if (!h.tok) return null;
    const eventsByType: Record<string, number> = {};
    for (const [field, v] of Object.entries(h)) if (field.startsWith('t:')) eventsByType[field.slice(2)] = Number(v);
    const purchaseCount = Number(h.pc ?? 0);
    const lifetimeValueCents = Number(h.ltv ?? 0);
    return {
      userId,
      lastActivity: Number(h.last),
      totalEvents: Number(h.total ?? 0),
      eventsByType,
      purchaseCount,
      lifetimeValueCents,
      averagePurchaseCents: averagePurchase(lifetimeValueCents, purchaseCount),
      lastLocation: h.loc_at
        ? { country: h.lc || null, lat: h.lat ? Number(h.lat) : null, lon: h.lon ? Number(h.lon) : null, at: Number(h.loc_at) }
        : null,
    };
  }

  /** the connection belongs to the caller, who may share it */
  async close(): Promise<void> {}
}
