/**
 * Lua scripts of the Redis live store. Each runs atomically inside Redis: either all of a
 * batch's effects and its acknowledgement happen, or none do.
 */

/**
 * KEYS[1] log stream, KEYS[2] backlog counter, KEYS[3] stats hash
 * ARGV: prefix, group, consumer, now, applied, deadCount, entryCount, entry ids…, ops JSON
 *
 * The ownership check is the idempotency check: an entry is applied only while it is pending
 * for this consumer. Once applied it is acknowledged in the same step, so a second delivery
 * (a slow worker whose entries were claimed by another) finds it gone and applies nothing.
 */
export const APPLY = `
local P, group, consumer, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local applied, dead, n = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local ids = {}
for i = 1, n do
  local id = ARGV[7 + i]
  local p = redis.call('XPENDING', KEYS[1], group, id, id, 1, consumer)
  if #p == 0 then return {'stolen', id} end
  ids[i] = id
end
local ops = cjson.decode(ARGV[8 + n])
local fired = {}
local function alert(id, json)
  if redis.call('SET', P .. 'al:' .. id, '1', 'NX', 'EX', 172800) then
    redis.call('LPUSH', P .. 'alerts', json)
    redis.call('LTRIM', P .. 'alerts', 0, 49)
    redis.call('PUBLISH', P .. 'ch:alerts', json)
    fired[#fired + 1] = json
  end
end
local hi, inc = ops['hi'], ops['in']
for i = 1, #hi, 3 do redis.call('HINCRBY', hi[i], hi[i + 1], hi[i + 2]) end
for i = 1, #inc, 2 do redis.call('INCRBY', inc[i], inc[i + 1]) end
for _, a in ipairs(ops['sa']) do redis.call('SADD', unpack(a)) end
for _, a in ipairs(ops['zg']) do redis.call('ZADD', a[1], 'GT', unpack(a, 2)) end
for _, a in ipairs(ops['zl']) do redis.call('ZADD', a[1], 'LT', unpack(a, 2)) end
local hx, hn = ops['hx'], ops['hn']
for i = 1, #hx, 3 do
  local v = redis.call('HGET', hx[i], hx[i + 1])
  if not v or tonumber(v) < tonumber(hx[i + 2]) then redis.call('HSET', hx[i], hx[i + 1], hx[i + 2]) end
end
for i = 1, #hn, 3 do
  local v = redis.call('HGET', hn[i], hn[i + 1])
  if not v or tonumber(v) > tonumber(hn[i + 2]) then redis.call('HSET', hn[i], hn[i + 1], hn[i + 2]) end
end
for _, op in ipairs(ops['raw']) do
  local c, k = op[1], op[2]
  if c == 'hsetnx' then redis.call('HSETNX', k, op[3], op[4])
  elseif c == 'saddcap' then
    local room = tonumber(op[3]) - redis.call('SCARD', k)
    for i = 4, #op do
      if room <= 0 then break end
      room = room - redis.call('SADD', k, op[i])
    end
  elseif c == 'loc' then
    local at = redis.call('HGET', k, 'loc_at')
    if not at or tonumber(at) <= tonumber(op[3]) then
      redis.call('HSET', k, 'loc_at', op[3], 'lc', op[4], 'lat', op[5], 'lon', op[6])
    end
  elseif c == 'zadd' then redis.call('ZADD', k, op[3], op[4])
  elseif c == 'zremto' then redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. op[3])
  elseif c == 'stock' then
    local cur = redis.call('ZSCORE', k, op[3])
    if cur then
      local after = tonumber(redis.call('ZINCRBY', k, -tonumber(op[4]), op[3]))
      local th = tonumber(op[5])
      if tonumber(cur) > th and after <= th then
        alert(op[6], (string.gsub(op[7], '__STOCK__', tostring(after))))
      end
    end
  elseif c == 'alert' then alert(op[2], op[3])
  elseif c == 'dead' then redis.call('XADD', k, '*', unpack(op, 3))
  elseif c == 'lpushtrim' then
    redis.call('LPUSH', k, unpack(op, 4))
    redis.call('LTRIM', k, 0, tonumber(op[3]) - 1)
  end
end
local ex = ops['ex']
for i = 1, #ex, 2 do redis.call('EXPIRE', ex[i], ex[i + 1]) end
if n > 0 then redis.call('XACK', KEYS[1], group, unpack(ids)) end
redis.call('DECRBY', KEYS[2], applied + dead)
redis.call('HINCRBY', KEYS[3], 'processed', applied)
if dead > 0 then redis.call('HINCRBY', KEYS[3], 'dead', dead) end
local sec = P .. 'rate:' .. math.floor(tonumber(now) / 1000)
redis.call('INCRBY', sec, applied)
redis.call('EXPIRE', sec, 20)
redis.call('PUBLISH', P .. 'ch:changed', now)
return {'ok', unpack(fired)}
`;

/**
 * Reads every live metric in one round trip. ARGV: prefix, now, then window starts:
 * seriesStart, activeStart, convStart, cartStart, lowStockThreshold, withCartsAndSessions ('1'/'0')
 */
export const SNAPSHOT = `
local P = ARGV[1]
local now, seriesStart, activeStart = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local convStart, cartStart, lowTh = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local curMinute = math.floor(now / 60000) * 60000
local out = {}
local series, byType = {}, {}
for m = seriesStart, curMinute, 60000 do
  local key = P .. 'm:' .. string.format('%d', m)
  local h = redis.call('HGETALL', key)
  local point = { m, 0, 0, 0, redis.call('SCARD', P .. 'mu:' .. string.format('%d', m)) }
  for i = 1, #h, 2 do
    local f, v = h[i], tonumber(h[i + 1])
    if f == 'ev' then point[2] = v
    elseif f == 'ord' then point[3] = v
    elseif f == 'rev' then point[4] = v
    elseif string.sub(f, 1, 2) == 't:' then
      local t = string.sub(f, 3)
      byType[t] = (byType[t] or 0) + v
    end
  end
  series[#series + 1] = point
end
out.series = series
out.byType = byType
local activeKeys = {}
for m = activeStart, curMinute, 60000 do activeKeys[#activeKeys + 1] = P .. 'mu:' .. string.format('%d', m) end
out.active = #redis.call('SUNION', unpack(activeKeys))
out.revHour = tonumber(redis.call('GET', P .. 'rh:' .. string.format('%d', math.floor(now / 3600000) * 3600000)) or '0')
out.revDay = tonumber(redis.call('GET', P .. 'rd:' .. string.format('%d', math.floor(now / 86400000) * 86400000)) or '0')
out.sessions = redis.call('ZCOUNT', P .. 's:last', ARGV[5], '+inf')
out.sessionsBuy = redis.call('ZCOUNT', P .. 's:buy', ARGV[5], '+inf')
-- the per-cart and per-session loops grow with traffic: callers ask for them about once a second
if ARGV[8] == '1' then
  local carts = redis.call('ZRANGEBYSCORE', P .. 'c:last', ARGV[6], '+inf')
  local bought = 0
  for _, key in ipairs(carts) do
    local buy = redis.call('ZSCORE', P .. 's:buy', key)
    local first = redis.call('ZSCORE', P .. 'c:first', key)
    if buy and first and tonumber(buy) >= tonumber(first) then bought = bought + 1 end
  end
  out.carts = #carts
  out.cartsBought = bought
  local active = redis.call('ZRANGEBYSCORE', P .. 's:last', ARGV[4], '+inf', 'WITHSCORES')
  local dur, pages, pv = 0, 0, 0
  for i = 1, #active, 2 do
    local key, last = active[i], tonumber(active[i + 1])
    local first = tonumber(redis.call('ZSCORE', P .. 's:first', key) or last)
    local d = last - first
    dur = dur + d / 1000
    pages = pages + redis.call('SCARD', P .. 'sp:' .. key)
    pv = pv + tonumber(redis.call('HGET', P .. 's:' .. key, 'pv') or '0') / math.max(1, d / 60000)
  end
  out.activeSessions = #active / 2
  out.sessDur, out.sessPages, out.sessPv = dur, pages, pv
  out.heavy = true
end
out.tracked = redis.call('ZCARD', P .. 'stock')
out.low = redis.call('ZRANGEBYSCORE', P .. 'stock', '-inf', ARGV[7], 'WITHSCORES', 'LIMIT', 0, 10)
out.alerts = redis.call('LRANGE', P .. 'alerts', 0, 19)
out.newest = redis.call('HMGET', P .. 'newest', 'ev', 'rcv')
out.stats = redis.call('HMGET', P .. 'st', 'accepted', 'duplicates', 'rejected', 'processed', 'dead')
out.backlog = tonumber(redis.call('GET', P .. 'backlog') or '0')
local sec = math.floor(now / 1000)
local rate = 0
for s = sec - 5, sec - 1 do rate = rate + tonumber(redis.call('GET', P .. 'rate:' .. s) or '0') end
out.rate = rate / 5
out.lags = redis.call('LRANGE', P .. 'lags', 0, -1)
return cjson.encode(out)
`;
