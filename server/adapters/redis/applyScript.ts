import { lua } from './scripting';

/**
 * Applies one delivery's effects, and the consumer's checkpoint, in one atomic step.
 *
 * ARGV: 1 checkpoints hash, 2 partition field, 3 fromOffset, 4 toOffset, 5 lease hash,
 * 6 lease token, 7 ops JSON (see `encodeEffects`), 8 recent-alerts list, 9 alerts channel,
 * 10 changed channel, 11 stats hash, 12 lags list, 13 rate key, 14 newest hash, 15 now,
 * 16 counting-since key (set once, by the first delivery a fresh store applies), 17 recent events
 * kept per user.
 * Keys are computed by the caller (single-node Redis; not for a cluster), every value is a string
 * so Lua never turns a millisecond timestamp into floating-point notation.
 *
 * Why it cannot fail half-way: the checks come first and write nothing; every key written has one
 * type, fixed by its namespace (client values are base64url inside `c:` keys, fixed keys live
 * under `f:`), so no WRONGTYPE can occur; numbers are produced by the engine as integers.
 * The checkpoint is the idempotency: a redelivery at or below it returns 'duplicate'. The lease
 * token is the fencing: a worker that lost its partition returns 'fenced' and writes nothing.
 */
export const APPLY = lua(`
local cur = tonumber(redis.call('HGET', ARGV[1], ARGV[2]) or '0')
local from, to = tonumber(ARGV[3]), tonumber(ARGV[4])
if cur >= to then return {'duplicate'} end
if cur ~= from then return {'moved', tostring(cur)} end
if redis.call('HGET', ARGV[5], 'token') ~= ARGV[6] then return {'fenced'} end
local ops = cjson.decode(ARGV[7])
local hi, inc, ex = ops['hi'], ops['in'], ops['ex']
for i = 1, #hi, 3 do redis.call('HINCRBY', hi[i], hi[i + 1], hi[i + 2]) end
for i = 1, #inc, 2 do redis.call('INCRBY', inc[i], inc[i + 1]) end
local hs = ops['hs']
for i = 1, #hs, 3 do redis.call('HSET', hs[i], hs[i + 1], hs[i + 2]) end
for _, a in ipairs(ops['sa']) do redis.call('SADD', unpack(a)) end
local keep = tonumber(ARGV[17])
for _, l in ipairs(ops['lp']) do
  if redis.call('LPUSH', unpack(l)) > keep then redis.call('LTRIM', l[1], 0, keep - 1) end
end
for _, s in ipairs(ops['set']) do
  if s[3] ~= '' then redis.call('SET', s[1], s[2], 'EX', s[3]) else redis.call('SET', s[1], s[2]) end
end
for _, z in ipairs(ops['zgt']) do redis.call('ZADD', z[1], 'GT', unpack(z, 2)) end
local stock = ops['stock']
for i = 2, #stock, 2 do
  if redis.call('ZSCORE', stock[1], stock[i]) then redis.call('ZINCRBY', stock[1], stock[i + 1], stock[i]) end
end
local fired = {}
for _, a in ipairs(ops['alerts']) do
  if redis.call('SET', a[1], '1', 'NX', 'EX', 172800) then
    redis.call('LPUSH', ARGV[8], a[2])
    redis.call('PUBLISH', ARGV[9], a[2])
    redis.call('XADD', ops['sigk'], 'MAXLEN', '~', '200000', '*', 'a', a[2])
    fired[#fired + 1] = a[2]
  end
end
if #fired > 0 then redis.call('LTRIM', ARGV[8], 0, 49) end
for _, d in ipairs(ops['dead']) do redis.call('XADD', d[1], '*', unpack(d, 2)) end
for i = 1, #ex, 2 do redis.call('EXPIRE', ex[i], ex[i + 1]) end
local newest = ops['newest']
if newest[1] ~= '' then
  local v = redis.call('HGET', ARGV[14], 'ev')
  if not v or tonumber(v) < tonumber(newest[1]) then redis.call('HSET', ARGV[14], 'ev', newest[1]) end
  v = redis.call('HGET', ARGV[14], 'rcv')
  if not v or tonumber(v) < tonumber(newest[2]) then redis.call('HSET', ARGV[14], 'rcv', newest[2]) end
end
local processed, dead = ops['processed'], #ops['dead']
redis.call('HINCRBY', ARGV[11], 'processed', processed)
if dead > 0 then redis.call('HINCRBY', ARGV[11], 'dead', dead) end
redis.call('INCRBY', ARGV[13], processed)
redis.call('EXPIRE', ARGV[13], 20)
if #ops['lags'] > 0 then
  redis.call('LPUSH', ARGV[12], unpack(ops['lags']))
  redis.call('LTRIM', ARGV[12], 0, 999)
end
redis.call('HSET', ARGV[1], ARGV[2], ARGV[4])
redis.call('SET', ARGV[16], ARGV[15], 'NX')
redis.call('PUBLISH', ARGV[10], ARGV[15])
return {'applied', unpack(fired)}
`);
