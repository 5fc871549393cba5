import type { PulseEvent } from '@/lib/events';
import { MINUTE_MS, minuteOf } from '@/lib/metrics';
import type { SessionAggregates } from '@/server/ports';
import { fnv1a32 } from '@/server/log/partition';
import type { MinuteDelta, SessionRecord } from './effects';

/** distinct pages remembered per session; unique pages are exact up to this many */
export const MAX_PAGES_PER_SESSION = 500;
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
  };
}

export function cloneSession(s: SessionRecord): SessionRecord {
  return { ...s, pages: [...s.pages] };
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
  }
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
  }
  if (s.lastPurchaseTs !== null && minuteOf(s.lastPurchaseTs) >= floor) bucket(minuteOf(s.lastPurchaseTs)).sessionsWithPurchase += sign;
  if (s.lastCartTs !== null && minuteOf(s.lastCartTs) >= floor) {
    const b = bucket(minuteOf(s.lastCartTs));
    b.carts += sign;
    if (s.lastPurchaseTs !== null && s.lastPurchaseTs >= s.firstCartTs!) b.cartsPurchased += sign;
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
