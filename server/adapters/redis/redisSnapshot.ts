import type { Redis } from 'ioredis';
import { alertSchema, type Alert, type LiveSnapshot } from '@/lib/live';
import { assembleMetrics } from '@/server/pipeline/assembleMetrics';
import { emptyMinuteView, figuresFromBuckets, snapshotRanges, topFromMinutes, topMinutes, type MinuteView, type TopFigures } from '@/server/pipeline/bucketMetrics';
import { addMoney, type CurrencyMoney, type TopCounts } from '@/server/pipeline/effects';
import type { ShopSettings } from '@/server/shop';
import type { LiveMetrics } from '@/server/ports';
import { log } from '@/server/log';
import { MINUTE_FIELDS, TOP_TAGS } from './encodeEffects';
import type { RedisKeys } from './keys';
import { pipelineReader } from './pipelineResults';

const RATE_WINDOW_S = 5;

export interface RedisSnapshotOptions {
  lowStockAtOrBelow: number;
  shop: ShopSettings;
  /** the top lists, read separately and less often */
  top: Promise<TopFigures & { computedAt: number }>;
}

const PREVIOUS_HOUR_FIELDS = [MINUTE_FIELDS.revenueMinor, MINUTE_FIELDS.orders, MINUTE_FIELDS.ordersValued];

/**
 * Every live metric in one pipelined round trip: a fixed number of commands (about 330) whatever
 * the number of users, sessions or carts, none of them a loop inside Redis. The shared pipeline
 * counters come along (backlog is added by the caller, from the log).
 */
export async function readRedisSnapshot(redis: Redis, k: RedisKeys, now: number, o: RedisSnapshotOptions): Promise<LiveMetrics> {
  const ranges = snapshotRanges(now, o.shop.cartAbandonAfterMs);
  const today = o.shop.calendar.dayStart(now);
  const pipe = redis.pipeline();
  for (const m of ranges.full) {
    pipe.hgetall(k.minute(m));
    pipe.scard(k.minuteUsers(m));
  }
  for (const m of ranges.previousHour) pipe.hmget(k.minute(m), ...PREVIOUS_HOUR_FIELDS);
  for (const m of ranges.openCarts) pipe.hget(k.minute(m), MINUTE_FIELDS.cartsAbandoned);
  pipe.get(k.dayRevenue(today));
  pipe.hgetall(k.dayForeign(today));
  pipe.get(k.countingSince);
  pipe.zcard(k.stock);
  pipe.zrangebyscore(k.stock, '-inf', o.lowStockAtOrBelow, 'WITHSCORES', 'LIMIT', 0, 10);
  pipe.lrange(k.alerts, 0, 19);
  pipe.hmget(k.newest, 'ev', 'rcv');
  pipe.hmget(k.stats, 'accepted', 'duplicates', 'rejected', 'processed', 'dead');
  const second = Math.floor(now / 1000);
  for (let s = second - RATE_WINDOW_S; s < second; s++) pipe.get(k.rate(s));
  pipe.lrange(k.lags, 0, -1);
  const [results, top] = await Promise.all([pipe.exec(), o.top]);
  const next = pipelineReader(results);
  const views = new Map<number, MinuteView>();
  for (const m of ranges.full) {
    const h = next<Record<string, string>>();
    const distinctUsers = next<number>();
    if (Object.keys(h).length === 0 && distinctUsers === 0) continue;
    views.set(m, minuteView(h, distinctUsers));
  }
  for (const m of ranges.previousHour) {
    const [rev, ord, ov] = next<(string | null)[]>().map((v) => Number(v ?? 0));
    if (rev || ord || ov) views.set(m, { ...emptyMinuteView(), revenueMinor: rev, orders: ord, ordersValued: ov });
  }
  for (const m of ranges.openCarts) {
    const ab = Number(next<string | null>() ?? 0);
    if (ab) views.set(m, { ...emptyMinuteView(), cartsAbandoned: ab });
  }
  const figures = figuresFromBuckets(now, o.shop, ranges, (m) => views.get(m));
  const revDay = Number(next<string | null>() ?? 0);
  const foreignToday = Object.entries(next<Record<string, string>>()).map(([c, v]): [string, number] => [c, Number(v)]);
  const since = next<string | null>();
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
      now,
      shop: o.shop,
      countingSince: since === null ? null : Number(since),
      newestEventTime: ev ? Number(ev) : null,
      newestReceivedAt: rcv ? Number(rcv) : null,
      figures,
      top,
      revenueTodayMinor: revDay,
      foreignToday,
      inventory: { tracked, lowStockThreshold: o.lowStockAtOrBelow, lowStock },
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

/** each top-hash tag (all three characters long): which list and which figure it counts */
const TOP_FIELD_OF = new Map(
  (['products', 'countries'] as const).flatMap((list) =>
    (Object.entries(TOP_TAGS[list]) as [keyof TopCounts, string][]).map(([figure, tag]) => [tag, { list, figure }] as const),
  ),
);

/** top products and countries over the trailing 60 minutes: one pipelined read of the minutes' top hashes */
export async function readRedisTop(redis: Redis, k: RedisKeys, now: number): Promise<TopFigures> {
  const minutes = topMinutes(now);
  const pipe = redis.pipeline();
  for (const m of minutes) pipe.hgetall(k.minuteTop(m));
  const next = pipelineReader(await pipe.exec());
  const totals = { products: new Map<string, TopCounts>(), countries: new Map<string, TopCounts>() };
  for (const _ of minutes) {
    const h = next<Record<string, string>>();
    // hgetall's object: own keys only, every id behind its tag
    for (const field of Object.keys(h)) {
      const at = TOP_FIELD_OF.get(field.slice(0, 3));
      if (!at) continue;
      const id = field.slice(3);
      const into = totals[at.list];
      const t = into.get(id) ?? { revenueMinor: 0, units: 0, orders: 0 };
      t[at.figure] += Number(h[field]);
      into.set(id, t);
    }
  }
  return topFromMinutes([totals]);
}

function minuteView(h: Record<string, string>, distinctUsers: number): MinuteView {
  const n = (field: string) => Number(h[field] ?? 0);
  const byType: [string, number][] = [];
  const foreign = new Map<string, CurrencyMoney>();
  // hgetall's object: iterate own keys only; types and currencies are behind their tags
  for (const field of Object.keys(h)) {
    if (field.startsWith('t:')) byType.push([field.slice(2), Number(h[field])]);
    else if (field.startsWith('x:')) addMoney(foreign, field.slice(2), Number(h[field]), 0);
    else if (field.startsWith('xo:')) addMoney(foreign, field.slice(3), 0, Number(h[field]));
  }
  const view = { ...emptyMinuteView(), byType, foreign: [...foreign], distinctUsers };
  for (const [name, field] of Object.entries(MINUTE_FIELDS) as [keyof typeof MINUTE_FIELDS, string][]) view[name] = n(field);
  return view;
}

function parseAlert(json: string): Alert[] {
  try {
    return [alertSchema.parse(JSON.parse(json))];
  } catch (err) {
    log.warn('a stored alert does not parse; it is left out of the snapshot', { error: String(err) });
    return [];
  }
}
