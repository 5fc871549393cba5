import type { PulseEvent } from '@/lib/events';
import { MINUTE_MS, minuteOf } from '@/lib/metrics';
import type { SessionAggregates } from '@/server/ports';
import { fnv1a32 } from '@/server/log/partition';
import { DEFAULT_CART_ABANDON_AFTER_MINUTES } from '@/server/shop';
import type { MinuteDelta, SessionRecord } from './effects';

/** distinct pages remembered per session; unique pages are exact up to this many */
export const MAX_PAGES_PER_SESSION = 500;
/** purchase times remembered per session (what decides whether a purchase followed its cart) */
export const MAX_PURCHASES_PER_SESSION = 16;
/** sessions not seen for this long are forgotten, and events older than this leave them alone */
export const SESSION_RETENTION_MS = 3 * 60 * MINUTE_MS;

export function newSession(key: string, e: PulseEvent): SessionRecord {
  return {
    key,
    userId: e.userId,
    sessionId: e.sessionId,
    firstTs: e.ts,
    lastTs: e.ts,
    pageViews: 0,
    pages: [],
    firstCartTs: null,
    lastCartTs: null,
    lastPurchaseTs: null,
    purchaseTimes: [],
  };
}

export function cloneSession(s: SessionRecord): SessionRecord {
  return { ...s, pages: [...s.pages], purchaseTimes: [...(s.purchaseTimes ?? [])] };
}

export function addEventToSession(s: SessionRecord, e: PulseEvent): void {
  if (e.ts < s.firstTs) s.firstTs = e.ts;
  if (e.ts > s.lastTs) s.lastTs = e.ts;
  if (e.type === 'page_view') {
    s.pageViews++;
    const page = e.page ?? (e.productId !== null ? `product:${e.productId}` : null);
    if (page !== null && s.pages.length < MAX_PAGES_PER_SESSION) {
      // short and stable; collisions among 500 pages are negligible
      const print = fnv1a32(page).toString(36);
      if (!s.pages.includes(print)) s.pages.push(print);
    }
  } else if (e.type === 'add_to_cart') {
    s.firstCartTs = s.firstCartTs === null ? e.ts : Math.min(s.firstCartTs, e.ts);
    s.lastCartTs = s.lastCartTs === null ? e.ts : Math.max(s.lastCartTs, e.ts);
  } else if (e.type === 'purchase') {
    s.lastPurchaseTs = s.lastPurchaseTs === null ? e.ts : Math.max(s.lastPurchaseTs, e.ts);
    const times = (s.purchaseTimes ??= []);
    times.push(e.ts);
    times.sort((a, b) => a - b);
    if (times.length > MAX_PURCHASES_PER_SESSION) times.splice(0, times.length - MAX_PURCHASES_PER_SESSION);
  }
}

export type CartOutcome = { outcome: 'purchased' | 'abandoned'; minute: number };

/**
 * What became of a session's cart (PRODUCT.md, cart abandonment): purchased when a purchase
 * follows its last cart activity within the abandonment delay — decided at that purchase's
 * minute; otherwise abandoned, decided at the first minute boundary at or after the deadline, so
 * a cart is never counted as abandoned before its time is up. Null without cart activity.
 * A bucket after the current minute is thus an open cart.
 */
export function cartOutcome(s: SessionRecord, abandonAfterMs: number): CartOutcome | null {
  if (s.lastCartTs === null) return null;
  const deadline = s.lastCartTs + abandonAfterMs;
  const times = s.purchaseTimes ?? (s.lastPurchaseTs !== null ? [s.lastPurchaseTs] : []);
  const followed = times.find((t) => t >= s.lastCartTs!);
  if (followed !== undefined && followed <= deadline) return { outcome: 'purchased', minute: minuteOf(followed) };
  return { outcome: 'abandoned', minute: Math.ceil(deadline / MINUTE_MS) * MINUTE_MS };
}

/** page views per minute of one session, in thousandths */
function pvRateMilli(s: SessionRecord): number {
  const ms = s.lastTs - s.firstTs;
  return Math.round((1000 * s.pageViews) / Math.max(1, ms / MINUTE_MS));
}

/**
 * Adds (`sign` 1) or removes (−1) what one session contributes to the per-minute buckets:
 * sessions and their averages at the minute of its last event, "with purchase" at the minute of
 * its last purchase, the cart at the minute of its last cart activity. Buckets below `floor` are
 * past retention and left alone.
 */
export function sessionContribution(s: SessionRecord, sign: 1 | -1, floor: number, bucket: (minute: number) => MinuteDelta): void {
  const last = minuteOf(s.lastTs);
  if (last >= floor) {
    const b = bucket(last);
    b.sessions += sign;
    b.sessionDurationMs += sign * (s.lastTs - s.firstTs);
    b.sessionPages += sign * s.pages.length;
    b.sessionPvRateMilli += sign * pvRateMilli(s);
    // the funnel's steps, each within the one before
    if (s.pageViews > 0) {
      b.funnelViewed += sign;
      if (s.lastCartTs !== null) {
        b.funnelCarted += sign;
        if (s.lastPurchaseTs !== null) b.funnelBought += sign;
      }
    }
  }
  if (s.lastPurchaseTs !== null && minuteOf(s.lastPurchaseTs) >= floor) bucket(minuteOf(s.lastPurchaseTs)).sessionsWithPurchase += sign;
  const cart = cartOutcome(s, s.cartAbandonAfterMs ?? DEFAULT_CART_ABANDON_AFTER_MINUTES * MINUTE_MS);
  if (cart && cart.minute >= floor) {
    if (cart.outcome === 'purchased') bucket(cart.minute).cartsPurchased += sign;
    else bucket(cart.minute).cartsAbandoned += sign;
  }
}

export function toSessionAggregates(s: SessionRecord): SessionAggregates {
  const ms = s.lastTs - s.firstTs;
  return {
    sessionId: s.sessionId ?? '',
    userId: s.userId,
    startedAt: s.firstTs,
    lastEventAt: s.lastTs,
    durationSeconds: ms / 1000,
    pageViews: s.pageViews,
    pageViewsPerMinute: s.pageViews / Math.max(1, ms / MINUTE_MS),
    uniquePages: s.pages.length,
    purchased: s.lastPurchaseTs !== null,
  };
}
