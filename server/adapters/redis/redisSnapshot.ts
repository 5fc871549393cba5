import type { Redis } from 'ioredis';
import { alertSchema, type Alert, type LiveSnapshot } from '@/lib/live';
import { dayOf, hourOf } from '@/lib/metrics';
import { assembleMetrics } from '@/server/pipeline/assembleMetrics';
import { figuresFromBuckets, snapshotMinutes, type MinuteView } from '@/server/pipeline/bucketMetrics';
import type { LiveMetrics } from '@/server/ports';
import { log } from '@/server/log';
import { MINUTE_FIELDS } from './encodeEffects';
import type { RedisKeys } from './keys';
import { pipelineReader } from './pipelineResults';

const RATE_WINDOW_S = 5;

/**
 * Every live metric in one pipelined round trip: a fixed number of commands (about 140) whatever
 * the number of users, sessions or carts, none of them a loop inside Redis. The shared pipeline
 * counters come along (backlog is added by the caller, from the log).
 */
export async function readRedisSnapshot(redis: Redis, k: RedisKeys, now: number, lowStockAtOrBelow: number): Promise<LiveMetrics> {
  const minutes = snapshotMinutes(now);
  const pipe = redis.pipeline();
  for (const m of minutes) {
    pipe.hgetall(k.minute(m));
    pipe.scard(k.minuteUsers(m));
  }
  pipe.get(k.hourRevenue(hourOf(now)));
  pipe.get(k.dayRevenue(dayOf(now)));
  pipe.zcard(k.stock);
  pipe.zrangebyscore(k.stock, '-inf', lowStockAtOrBelow, 'WITHSCORES', 'LIMIT', 0, 10);
  pipe.lrange(k.alerts, 0, 19);
  pipe.hmget(k.newest, 'ev', 'rcv');
  pipe.hmget(k.stats, 'accepted', 'duplicates', 'rejected', 'processed', 'dead');
  const second = Math.floor(now / 1000);
  for (let s = second - RATE_WINDOW_S; s < second; s++) pipe.get(k.rate(s));
  pipe.lrange(k.lags, 0, -1);
  const next = pipelineReader(await pipe.exec());
  const views = new Map<number, MinuteView>();
  for (const m of minutes) {
    const h = next<Record<string, string>>();
    const distinctUsers = next<number>();
    if (Object.keys(h).length === 0 && distinctUsers === 0) continue;
    views.set(m, minuteView(h, distinctUsers));
  }
  const figures = figuresFromBuckets(now, (m) => views.get(m));
  const revHour = Number(next<string | null>() ?? 0);
  const revDay = Number(next<string | null>() ?? 0);
  const tracked = next<number>();
  const low = next<string[]>();
  const lowStock: { productId: string; stock: number }[] = [];
  for (let j = 0; j + 1 < low.length; j += 2) lowStock.push({ productId: low[j], stock: Number(low[j + 1]) });
  const alerts = next<string[]>().flatMap(parseAlert);
  const [ev, rcv] = next<(string | null)[]>();
  const [accepted, duplicates, rejected, processed, dead] = next<(string | null)[]>().map((v) => Number(v ?? 0));
  let rate = 0;
  for (let s = 0; s < RATE_WINDOW_S; s++) rate += Number(next<string | null>() ?? 0);
  const lags = next<string[]>().map(Number).sort((a, b) => a - b);
  const pct = (p: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] : null);
  return {
    ...assembleMetrics({
      newestEventTime: ev ? Number(ev) : null,
      newestReceivedAt: rcv ? Number(rcv) : null,
      activeUsers: figures.activeUsers,
      series: figures.series,
      revenueThisHourMinor: revHour,
      revenueTodayMinor: revDay,
      sessions: figures.sessions,
      eventsByType: figures.eventsByType,
      inventory: { tracked, lowStockThreshold: lowStockAtOrBelow, lowStock },
      alerts,
    }),
    pipeline: {
      eventsPerSecond: rate / RATE_WINDOW_S,
      acceptedTotal: accepted,
      processedTotal: processed,
      rejectedTotal: rejected,
      duplicatesTotal: duplicates,
      deadLetters: dead,
      backlog: 0,
      lagMsP50: pct(50),
      lagMsP99: pct(99),
    } satisfies LiveSnapshot['pipeline'],
  };
}

function minuteView(h: Record<string, string>, distinctUsers: number): MinuteView {
  const n = (field: string) => Number(h[field] ?? 0);
  const byType: [string, number][] = [];
  // hgetall's object: iterate own keys only; types are behind the `t:` tag
  for (const field of Object.keys(h)) if (field.startsWith('t:')) byType.push([field.slice(2), Number(h[field])]);
  return {
    events: n(MINUTE_FIELDS.events),
    orders: n(MINUTE_FIELDS.orders),
    revenueMinor: n(MINUTE_FIELDS.revenueMinor),
    byType,
    distinctUsers,
    usersLast: n(MINUTE_FIELDS.usersLast),
    sessions: n(MINUTE_FIELDS.sessions),
    sessionDurationMs: n(MINUTE_FIELDS.sessionDurationMs),
    sessionPages: n(MINUTE_FIELDS.sessionPages),
    sessionPvRateMilli: n(MINUTE_FIELDS.sessionPvRateMilli),
    sessionsWithPurchase: n(MINUTE_FIELDS.sessionsWithPurchase),
    carts: n(MINUTE_FIELDS.carts),
    cartsPurchased: n(MINUTE_FIELDS.cartsPurchased),
  };
}

function parseAlert(json: string): Alert[] {
  try {
    return [alertSchema.parse(JSON.parse(json))];
  } catch (err) {
    log.warn('a stored alert does not parse; it is left out of the snapshot', { error: String(err) });
    return [];
  }
}
