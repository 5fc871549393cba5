import { alertSchema, type LiveSnapshot } from '@/lib/live';
import { assembleMetrics, type LiveMetrics } from '@/server/pipeline/assembleMetrics';

/** Turns the snapshot script's JSON into the live metrics and the shared pipeline counters. */
export function parseSnapshot(raw: RawSnapshot, lowStockThreshold: number): LiveMetrics & { pipeline: LiveSnapshot['pipeline'] } {
  const series = list(raw.series).map(([minute, events, orders, revenueCents, activeUsers]) => ({ minute, events, orders, revenueCents, activeUsers }));
  const active = raw.activeSessions;
  const low = list(raw.low);
  const lowStock: { productId: string; stock: number }[] = [];
  for (let i = 0; i + 1 < low.length; i += 2) lowStock.push({ productId: String(low[i]), stock: Number(low[i + 1]) });
  const [accepted, duplicates, rejected, processed, dead] = list(raw.stats).map((v) => Number(v || 0));
  const lags = list(raw.lags).map(Number).sort((a, b) => a - b);
  const pct = (p: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] : null);
  const newest = list(raw.newest);
  const byType = Array.isArray(raw.byType) ? {} : raw.byType;
  return {
    ...assembleMetrics({
      newestEventTime: newest[0] ? Number(newest[0]) : null,
      newestReceivedAt: newest[1] ? Number(newest[1]) : null,
      activeUsers: raw.active,
      series,
      revenueThisHourCents: raw.revHour,
      revenueTodayCents: raw.revDay,
      sessions: {
        sessions: raw.sessions,
        sessionsWithPurchase: raw.sessionsBuy,
        cartsCreated: raw.carts,
        cartsPurchased: raw.cartsBought,
        active,
        avgDurationSeconds: active ? raw.sessDur / active : 0,
        avgUniquePages: active ? raw.sessPages / active : 0,
        pageViewsPerMinute: active ? raw.sessPv / active : 0,
      },
      eventsByType: byType,
      inventory: { tracked: raw.tracked, lowStockThreshold: lowStockThreshold, lowStock },
      alerts: list(raw.alerts).map((a) => alertSchema.parse(JSON.parse(String(a)))),
    }),
    pipeline: {
      eventsPerSecond: raw.rate,
      acceptedTotal: accepted,
      processedTotal: processed,
      rejectedTotal: rejected,
      duplicatesTotal: duplicates,
      deadLetters: dead,
      backlog: raw.backlog,
      lagMsP50: pct(50),
      lagMsP99: pct(99),
    } satisfies LiveSnapshot['pipeline'],
  };
}

export interface RawSnapshot {
  heavy?: boolean;
  series: [number, number, number, number, number][] | Record<string, never>;
  byType: Record<string, number> | never[];
  active: number;
  revHour: number;
  revDay: number;
  sessions: number;
  sessionsBuy: number;
  carts: number;
  cartsBought: number;
  activeSessions: number;
  sessDur: number;
  sessPages: number;
  sessPv: number;
  tracked: number;
  low: (string | number)[] | Record<string, never>;
  alerts: string[] | Record<string, never>;
  newest: (string | false)[] | Record<string, never>;
  stats: (string | false)[] | Record<string, never>;
  backlog: number;
  rate: number;
  lags: string[] | Record<string, never>;
}

/** cjson encodes an empty Lua table as {} */
function list<T>(v: T[] | Record<string, never>): T[] {
  return Array.isArray(v) ? v : [];
}

