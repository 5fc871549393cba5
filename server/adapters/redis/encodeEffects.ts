import type { Effects } from '@/server/pipeline/effects';
import { SESSION_RETENTION_MS } from '@/server/pipeline/sessionRecords';
import { DAY_RETENTION_MS } from '@/server/pipeline/engine';
import { MAX_RECENT_EVENTS } from '@/server/pipeline/userRecords';
import type { RedisKeys } from './keys';

/** minute buckets live 3 h past the present; abandonment deadlines are up to 2 h ahead of it */
const MINUTE_TTL_S = 5 * 3600;
const SESSION_TTL_S = SESSION_RETENTION_MS / 1000 + 3600;
/** entries kept per user (the engine sends at most this many per delivery) */
export const RECENT_KEPT = MAX_RECENT_EVENTS;

/** Field names of a minute hash; event types are `t:<type>` so no type can meet a fixed field. */
export const MINUTE_FIELDS = {
  events: 'ev',
  orders: 'ord',
  revenueMinor: 'rev',
  ordersValued: 'ov',
  usersLast: 'ul',
  sessions: 'se',
  sessionDurationMs: 'sd',
  sessionPages: 'sp',
  sessionPvRateMilli: 'spv',
  sessionsWithPurchase: 'sb',
  funnelViewed: 'fv',
  funnelCarted: 'fc',
  funnelBought: 'fb',
  cartsPurchased: 'cp',
  cartsAbandoned: 'ab',
} as const;

/**
 * Tags of the other fields: event types `t:`, unconverted money per currency `x:` (minor units)
 * and `xo:` (orders) in the minute hash; in the minute's top hash, products `pr:`/`pu:`/`po:`
 * (revenue, units, orders) and countries `cr:`/`cu:`/`co:`.
 */
export const TOP_TAGS = {
  products: { revenueMinor: 'pr:', units: 'pu:', orders: 'po:' },
  countries: { revenueMinor: 'cr:', units: 'cu:', orders: 'co:' },
} as const;

/** purchase facts are kept in hashes of this many offsets; kept for the lake writer at most this long */
export const FACTS_BLOCK = 10_000;
const FACTS_TTL_S = 2 * 86_400;

export interface EncodeOptions {
  keys: RedisKeys;
  /** the partition the delivery belongs to (purchase facts are kept per partition) */
  partition: number;
  /** also list changed users for the per-user store's flusher */
  trackDirtyUsers: boolean;
}

/**
 * The engine's effects as the apply script's ops (grouped by command so the script runs flat
 * loops). Every number is sent as a string; every key comes from `keys`, so client values only
 * ever appear base64url-encoded inside keys, or as members, fields behind a tag, and values.
 */
export function encodeEffects(fx: Effects, opts: EncodeOptions): string {
  const k = opts.keys;
  const hi: string[] = [];
  const inc: string[] = [];
  const sa: string[][] = [];
  const set: string[][] = [];
  const zgt: string[][] = [];
  const ex: string[] = [];
  for (const [m, d] of fx.minutes) {
    const key = k.minute(m);
    for (const [name, field] of Object.entries(MINUTE_FIELDS) as [keyof typeof MINUTE_FIELDS, string][]) {
      const v = d[name];
      if (v !== 0) hi.push(key, field, String(v));
    }
    for (const [t, n] of d.byType) hi.push(key, `t:${t}`, String(n));
    for (const [c, f] of d.foreign) hi.push(key, `x:${c}`, String(f.minor), key, `xo:${c}`, String(f.orders));
    ex.push(key, String(MINUTE_TTL_S));
    if (d.products.size || d.countries.size) {
      const top = k.minuteTop(m);
      for (const kind of ['products', 'countries'] as const) {
        const tags = TOP_TAGS[kind];
        for (const [id, t] of d[kind]) {
          for (const field of ['revenueMinor', 'units', 'orders'] as const) if (t[field]) hi.push(top, tags[field] + id, String(t[field]));
        }
      }
      ex.push(top, String(MINUTE_TTL_S));
    }
    if (d.users.size) {
      const users = [...d.users];
      const mu = k.minuteUsers(m);
      // Lua's unpack has a stack limit: keep each SADD moderate
      for (let i = 0; i < users.length; i += 500) sa.push([mu, ...users.slice(i, i + 500)]);
      ex.push(mu, String(MINUTE_TTL_S));
    }
  }
  for (const [d, minor] of fx.days) {
    inc.push(k.dayRevenue(d), String(minor));
    ex.push(k.dayRevenue(d), String(DAY_RETENTION_MS / 1000 + 86_400));
  }
  for (const [d, byCurrency] of fx.daysForeign) {
    for (const [c, minor] of byCurrency) hi.push(k.dayForeign(d), c, String(minor));
    ex.push(k.dayForeign(d), String(DAY_RETENTION_MS / 1000 + 86_400));
  }
  // recent events: pushed oldest first so the newest ends at the head, trimmed once past the
  // bound; like the per-user record itself, the list has no expiry
  const lp: string[][] = [];
  for (const [id, events] of fx.recentEvents) lp.push([k.userRecent(id), ...events.map((e) => JSON.stringify(e)).reverse()]);
  const dirty: string[] = [k.usersDirty];
  for (const [id, record] of fx.users) {
    set.push([k.user(id), JSON.stringify(record), '']);
    if (opts.trackDirtyUsers) dirty.push(String(record.version), id);
  }
  if (dirty.length > 1) for (let i = 1; i < dirty.length; i += 1000) zgt.push([k.usersDirty, ...dirty.slice(i, i + 1000)]);
  for (const [key, s] of fx.sessions) {
    set.push([k.session(key), JSON.stringify(s), String(SESSION_TTL_S)]);
    if (s.sessionId !== null) set.push([k.sessionIndex(s.sessionId), key, String(SESSION_TTL_S)]);
  }
  const hs: string[] = [];
  const factBlocks = new Set<string>();
  for (const [offset, f] of fx.purchaseFacts) {
    const key = k.purchaseFacts(opts.partition, Math.floor(offset / FACTS_BLOCK));
    hs.push(key, String(offset), JSON.stringify([f.fraudScore, f.country, f.shopAmountMinor, f.lineRevenueMinor]));
    factBlocks.add(key);
  }
  for (const key of factBlocks) ex.push(key, String(FACTS_TTL_S));
  const stock: string[] = [k.stock];
  for (const [p, delta] of fx.stock) stock.push(p, String(delta));
  const alerts = fx.alerts.map((a) => [k.alertSeen(a.id), JSON.stringify(a)]);
  const dead = fx.deadLetters.map((d) => [
    k.dead,
    'eventId', d.eventId ?? '',
    'payload', d.payload,
    'error', d.error,
    'attempts', String(d.attempts),
    'failedAt', String(d.failedAt),
  ]);
  const newest = fx.newestEventTime === null ? ['', ''] : [String(fx.newestEventTime), String(fx.newestReceivedAt ?? fx.newestEventTime)];
  return JSON.stringify({
    hi,
    in: inc,
    hs,
    sa,
    lp,
    set,
    zgt,
    stock,
    alerts,
    sigk: k.alertSignals,
    dead,
    ex,
    newest,
    processed: String(fx.processed),
    lags: fx.lagsMs.slice(0, 64).map((l) => String(Math.round(l))),
  });
}
