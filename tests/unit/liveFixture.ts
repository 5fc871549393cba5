import type { Alert, LiveSnapshot } from '@/lib/live';

/** A plausible full snapshot for delivery tests: 60 minutes of traffic ending at `now`. */
export function liveSnapshot(now: number, over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  const minute = Math.floor(now / 60_000) * 60_000;
  return {
    computedAt: now,
    newestEventTime: now - 100,
    newestReceivedAt: now - 100,
    mode: 'embedded',
    durable: false,
    shop: { currency: 'EUR', minorUnits: 2, timeZone: 'Europe/Berlin', todayStartsAt: now - 10 * 3_600_000, countingSince: now - 3 * 3_600_000 },
    activeUsers: { current: 120, windowMinutes: 5 },
    series: Array.from({ length: 60 }, (_, i) => ({ minute: minute - (59 - i) * 60_000, activeUsers: 100 + i, revenueMinor: 123_456 + i, orders: 12, events: 2_000 + i })),
    revenue: { thisHourMinor: 9_000_000, todayMinor: 90_000_000, lastHourMinor: 9_100_000, previousHourMinor: 8_700_000, unconverted: [{ currency: 'JPY', lastHourMinor: 1_200_000, todayMinor: 4_500_000, ordersLastHour: 9 }] },
    orders: { thisMinute: 12, lastHour: 720, previousHour: 700 },
    averageOrderValue: { minor: 12_638, orders: 720, previousHourMinor: 12_428, windowMinutes: 60 },
    conversion: { rate: 0.031, sessionsWithPurchase: 31, sessions: 1000, windowMinutes: 60 },
    cartAbandonment: { rate: 0.5, abandoned: 40, purchased: 40, open: 25, minimumCarts: 20, windowMinutes: 60, abandonAfterMinutes: 30 },
    funnel: { sessions: 1000, viewed: 950, carted: 120, purchased: 31, windowMinutes: 60 },
    top: {
      products: {
        byRevenue: [{ id: 'prod_123', revenueMinor: 1_299_900, units: 100, orders: 90 }, { id: 'prod_7', revenueMinor: 500_000, units: 250, orders: 200 }],
        byUnits: [{ id: 'prod_7', revenueMinor: 500_000, units: 250, orders: 200 }, { id: 'prod_123', revenueMinor: 1_299_900, units: 100, orders: 90 }],
      },
      countries: {
        byRevenue: [{ id: 'DE', revenueMinor: 4_000_000, units: 300, orders: 280 }, { id: 'FR', revenueMinor: 2_000_000, units: 150, orders: 140 }],
        byUnits: [{ id: 'DE', revenueMinor: 4_000_000, units: 300, orders: 280 }, { id: 'FR', revenueMinor: 2_000_000, units: 150, orders: 140 }],
      },
      windowMinutes: 60,
      computedAt: now,
    },
    sessions: { active: 900, avgDurationSeconds: 312.5, avgUniquePages: 3.2, pageViewsPerSessionPerMinute: 1.8 },
    eventsByType: { page_view: 100_000, add_to_cart: 20_000, purchase: 3_000 },
    inventory: { tracked: 0, lowStockThreshold: 5, lowStock: [] },
    pipeline: { eventsPerSecond: 2000, acceptedTotal: 1, processedTotal: 1, rejectedTotal: 0, duplicatesTotal: 0, deadLetters: 0, backlog: 0, lagMsP50: 3, lagMsP99: 9 },
    alerts: [alert('a1', minute - 5_000)],
    activeAlerts: [],
    tileRules: [],
    ...over,
  };
}

export function alert(id: string, firedAt: number, over: Partial<Alert> = {}): Alert {
  return {
    id,
    kind: 'high_value',
    severity: 'warning',
    title: 'High-value purchase',
    message: 'A purchase of €2,500.00',
    eventId: `e-${id}`,
    userId: 'u1',
    productId: null,
    amountMinor: 250_000,
    currency: 'EUR',
    shopAmountMinor: 250_000,
    score: null,
    reasons: [],
    eventTime: firedAt,
    firedAt,
    ruleId: 'high_value',
    dedupKey: 'user:u1',
    value: 250_000,
    ...over,
  };
}
