import type { PulseEvent } from '@/lib/events';
import type { SessionAggregates } from '@/server/ports';
import {
  ACTIVE_USERS_WINDOW_MIN,
  CART_WINDOW_MIN,
  CONVERSION_WINDOW_MIN,
  MINUTE_MS,
  sessionKey,
  windowStart,
} from '@/lib/metrics';

const MAX_PAGES_PER_SESSION = 500;
const SESSION_RETENTION_MS = 3 * 60 * MINUTE_MS;

interface SessionState {
  userId: string;
  sessionId: string | null;
  firstTs: number;
  lastTs: number;
  pageViews: number;
  pages: Set<string>;
  /** event time of the first add_to_cart, null without one */
  firstCartTs: number | null;
  lastCartTs: number | null;
  lastPurchaseTs: number | null;
}

export interface SessionSummary {
  sessions: number;
  sessionsWithPurchase: number;
  cartsCreated: number;
  cartsPurchased: number;
  active: number;
  avgDurationSeconds: number;
  avgUniquePages: number;
  pageViewsPerMinute: number;
}

/**
 * Sessions (or users, when events carry no session) keyed by `sessionKey`: the basis of
 * conversion, cart abandonment and per-session aggregates. Event time throughout.
 */
export class SessionTracker {
  private readonly sessions = new Map<string, SessionState>();

  add(e: PulseEvent): void {
    const key = sessionKey(e.userId, e.sessionId);
    let s = this.sessions.get(key);
    if (!s) {
      s = {
        userId: e.userId,
        sessionId: e.sessionId,
        firstTs: e.ts,
        lastTs: e.ts,
        pageViews: 0,
        pages: new Set(),
        firstCartTs: null,
        lastCartTs: null,
        lastPurchaseTs: null,
      };
      this.sessions.set(key, s);
    }
    s.firstTs = Math.min(s.firstTs, e.ts);
    s.lastTs = Math.max(s.lastTs, e.ts);
    if (e.type === 'page_view') {
      s.pageViews++;
      const page = e.page ?? (e.productId ? `product:${e.productId}` : null);
      if (page && s.pages.size < MAX_PAGES_PER_SESSION) s.pages.add(page);
    } else if (e.type === 'add_to_cart') {
      s.firstCartTs = s.firstCartTs === null ? e.ts : Math.min(s.firstCartTs, e.ts);
      s.lastCartTs = s.lastCartTs === null ? e.ts : Math.max(s.lastCartTs, e.ts);
    } else if (e.type === 'purchase') {
      s.lastPurchaseTs = s.lastPurchaseTs === null ? e.ts : Math.max(s.lastPurchaseTs, e.ts);
    }
  }

  summary(now: number): SessionSummary {
    const convStart = windowStart(now, CONVERSION_WINDOW_MIN);
    const cartStart = windowStart(now, CART_WINDOW_MIN);
    const activeStart = windowStart(now, ACTIVE_USERS_WINDOW_MIN);
    const out: SessionSummary = {
      sessions: 0,
      sessionsWithPurchase: 0,
      cartsCreated: 0,
      cartsPurchased: 0,
      active: 0,
      avgDurationSeconds: 0,
      avgUniquePages: 0,
      pageViewsPerMinute: 0,
    };
    let duration = 0;
    let pages = 0;
    let pvRate = 0;
    for (const s of this.sessions.values()) {
      if (s.lastTs >= convStart) {
        out.sessions++;
        if (s.lastPurchaseTs !== null && s.lastPurchaseTs >= convStart) out.sessionsWithPurchase++;
      }
      if (s.lastCartTs !== null && s.lastCartTs >= cartStart) {
        out.cartsCreated++;
        if (s.lastPurchaseTs !== null && s.lastPurchaseTs >= s.firstCartTs!) out.cartsPurchased++;
      }
      if (s.lastTs >= activeStart) {
        out.active++;
        const ms = s.lastTs - s.firstTs;
        duration += ms / 1000;
        pages += s.pages.size;
        pvRate += s.pageViews / Math.max(1, ms / MINUTE_MS);
      }
    }
    if (out.active > 0) {
      out.avgDurationSeconds = duration / out.active;
      out.avgUniquePages = pages / out.active;
      out.pageViewsPerMinute = pvRate / out.active;
    }
    return out;
  }

  get(sessionId: string): SessionAggregates | null {
    const s = this.sessions.get(`s:${sessionId}`);
    if (!s) return null;
    const ms = s.lastTs - s.firstTs;
    return {
      sessionId,
      userId: s.userId,
      startedAt: s.firstTs,
      lastEventAt: s.lastTs,
      durationSeconds: ms / 1000,
      pageViews: s.pageViews,
      pageViewsPerMinute: s.pageViews / Math.max(1, ms / MINUTE_MS),
      uniquePages: s.pages.size,
      purchased: s.lastPurchaseTs !== null,
    };
  }

  prune(now: number): void {
    const cutoff = now - SESSION_RETENTION_MS;
    for (const [k, s] of this.sessions) if (s.lastTs < cutoff) this.sessions.delete(k);
  }
}
