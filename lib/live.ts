import { z } from 'zod';
import { activeAlertSchema, tileRuleSchema } from './alerting';

/**
 * Payloads of live delivery: the socket.io `metrics` and `alert` events and
 * `GET /api/metrics/live`. Times are epoch milliseconds (UTC); money is integer cents.
 */

/**
 * The kinds Pulse raises today. The schema accepts any kind: rules become data, and a screen
 * left open across an upgrade must show a kind it has never heard of (generically) rather
 * than refuse the snapshot carrying it.
 */
export const KNOWN_ALERT_KINDS = ['fraud', 'high_value', 'low_stock'] as const;
export type KnownAlertKind = (typeof KNOWN_ALERT_KINDS)[number];
export type AlertKind = string;
export const isKnownAlertKind = (kind: string): kind is KnownAlertKind => (KNOWN_ALERT_KINDS as readonly string[]).includes(kind);

export const alertSchema = z.object({
  id: z.string(),
  kind: z.string().min(1),
  severity: z.enum(['critical', 'warning', 'info']),
  title: z.string(),
  message: z.string(),
  /** the event that triggered the alert */
  eventId: z.string().nullable(),
  userId: z.string().nullable(),
  productId: z.string().nullable(),
  /** the event's own amount, in minor units of `currency` */
  amountMinor: z.number().int().nullable(),
  /** the event's currency (ISO 4217); null for alerts without money */
  currency: z.string().nullable().default(null),
  /** the amount converted into the shop currency (equal to amountMinor when it is the shop's); null without a rate */
  shopAmountMinor: z.number().int().nullable().default(null),
  score: z.number().nullable(),
  reasons: z.array(z.string()),
  eventTime: z.number().nullable(),
  firedAt: z.number(),
  /** the alert rule that raised it (null in alerts stored before rules were data) */
  ruleId: z.string().nullable().default(null),
  /** what one incident of the rule is: `user:<id>`, `product:<id>` or `event:<id>` */
  dedupKey: z.string().nullable().default(null),
  /** the value the rule's first condition compared (fraud score, shop-currency amount, stock left …) */
  value: z.number().nullable().default(null),
});
export type Alert = z.infer<typeof alertSchema>;

export const minutePointSchema = z.object({
  /** start of the UTC minute */
  minute: z.number(),
  activeUsers: z.number().int(),
  revenueMinor: z.number().int(),
  orders: z.number().int(),
  events: z.number().int(),
});
export type MinutePoint = z.infer<typeof minutePointSchema>;

/** Top products / countries over the trailing window: one line per id, money in shop-currency minor units. */
export const topLineSchema = z.object({
  id: z.string(),
  /** revenue in the shop currency (converted where a rate exists; unconverted purchases add none) */
  revenueMinor: z.number().int(),
  /** units sold (item quantities) */
  units: z.number().int(),
  /** purchases that included it */
  orders: z.number().int(),
});
export type TopLine = z.infer<typeof topLineSchema>;

export const topListsSchema = z.object({
  byRevenue: z.array(topLineSchema),
  byUnits: z.array(topLineSchema),
});

/** Revenue in a currency without a configured rate: kept apart, never added to the shop total. */
export const unconvertedRevenueSchema = z.object({
  currency: z.string(),
  lastHourMinor: z.number().int(),
  todayMinor: z.number().int(),
  ordersLastHour: z.number().int(),
});

export const liveSnapshotSchema = z.object({
  /** when the server computed this snapshot */
  computedAt: z.number(),
  /** newest event time (event clock) included in this snapshot; null before any event */
  newestEventTime: z.number().nullable(),
  /** server receive time of the newest processed event: the freshness of the pipeline */
  newestReceivedAt: z.number().nullable(),
  mode: z.string(),
  durable: z.boolean(),
  /** the shop's settings every screen formats with */
  shop: z.object({
    /** ISO 4217; every *Minor figure without its own currency is in minor units of this */
    currency: z.string(),
    /** decimal digits of the shop currency (2 for EUR, 0 for JPY) */
    minorUnits: z.number().int(),
    /** IANA time zone: "today" and every time shown */
    timeZone: z.string(),
    /** the first instant of today in the shop time zone */
    todayStartsAt: z.number(),
    /**
     * when this live store began counting (epoch ms); a window starting before it is partial and
     * screens say "counting since …". Null when unknown.
     */
    countingSince: z.number().nullable(),
  }),
  activeUsers: z.object({ current: z.number().int(), windowMinutes: z.number().int() }),
  /** one point per UTC minute, oldest first, the last being the current (partial) minute */
  series: z.array(minutePointSchema),
  revenue: z.object({
    /** since the start of the current hour in the shop time zone */
    thisHourMinor: z.number().int(),
    /** since todayStartsAt */
    todayMinor: z.number().int(),
    /** the trailing 60 minutes */
    lastHourMinor: z.number().int(),
    /** the 60 minutes before those; null when counting began after they started */
    previousHourMinor: z.number().int().nullable(),
    /** purchases in currencies without a rate, per currency */
    unconverted: z.array(unconvertedRevenueSchema),
  }),
  orders: z.object({
    thisMinute: z.number().int(),
    /** trailing 60 minutes, every currency */
    lastHour: z.number().int(),
    /** the 60 minutes before; null when counting began after they started */
    previousHour: z.number().int().nullable(),
  }),
  /** revenue ÷ orders over the trailing 60 minutes, orders in the shop currency or converted */
  averageOrderValue: z.object({
    minor: z.number().int().nullable(),
    orders: z.number().int(),
    previousHourMinor: z.number().int().nullable(),
    windowMinutes: z.number().int(),
  }),
  conversion: z.object({
    rate: z.number().nullable(),
    sessionsWithPurchase: z.number().int(),
    sessions: z.number().int(),
    windowMinutes: z.number().int(),
  }),
  /**
   * abandoned ÷ decided carts in the trailing window: a cart is decided when a purchase follows
   * (purchased) or when none has followed `abandonAfterMinutes` after its last cart activity
   * (abandoned). Open carts are still inside that time and not in the rate.
   */
  cartAbandonment: z.object({
    rate: z.number().nullable(),
    abandoned: z.number().int(),
    purchased: z.number().int(),
    /** carts whose outcome is not decided yet */
    open: z.number().int(),
    minimumCarts: z.number().int(),
    windowMinutes: z.number().int(),
    abandonAfterMinutes: z.number().int(),
  }),
  /** sessions with any event in the trailing window → with a page view → an add-to-cart → a purchase */
  funnel: z.object({
    sessions: z.number().int(),
    viewed: z.number().int(),
    carted: z.number().int(),
    purchased: z.number().int(),
    windowMinutes: z.number().int(),
  }),
  /** top products and countries (by purchase location) over the trailing window */
  top: z.object({
    products: topListsSchema,
    countries: topListsSchema,
    windowMinutes: z.number().int(),
    /** when these lists were computed (they may trail the rest of the snapshot by a few seconds) */
    computedAt: z.number(),
  }),
  sessions: z.object({
    /** sessions with an event in the last 5 minutes */
    active: z.number().int(),
    avgDurationSeconds: z.number(),
    avgUniquePages: z.number(),
    /** the mean over active sessions of each session's page views per minute */
    pageViewsPerSessionPerMinute: z.number(),
  }),
  eventsByType: z.record(z.string(), z.number().int()),
  inventory: z.object({
    tracked: z.number().int(),
    lowStockThreshold: z.number().int(),
    lowStock: z.array(z.object({ productId: z.string(), stock: z.number().int() })),
  }),
  pipeline: z.object({
    eventsPerSecond: z.number(),
    acceptedTotal: z.number().int(),
    processedTotal: z.number().int(),
    rejectedTotal: z.number().int(),
    duplicatesTotal: z.number().int(),
    deadLetters: z.number().int(),
    backlog: z.number().int(),
    lagMsP50: z.number().nullable(),
    lagMsP99: z.number().nullable(),
  }),
  alerts: z.array(alertSchema),
  /**
   * the alert engine's open alerts (pending and firing; firing first, most severe first, newest
   * first, at most 50): what the overview and the wall show as firing, with acknowledgements
   */
  activeAlerts: z.array(activeAlertSchema).default([]),
  /** metric rules marked for the wall: its tiles for those metrics take their bands from them */
  tileRules: z.array(tileRuleSchema).default([]),
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;

/** socket.io event names */
export const SOCKET_EVENTS = { metrics: 'metrics', alert: 'alert' } as const;

/**
 * What the socket.io `metrics` event carries: a LiveSnapshot with its slowly changing parts
 * (settled minutes, alerts, top lists) split off. Under load a snapshot goes out up to 20 times a second to every screen, yet the 59
 * settled minutes of the series and the alert list change rarely, and were most of its bytes.
 * Each part travels with a version; its content travels only when it differs from the previous
 * `metrics` message, and always in the first message a socket receives after (re)connecting.
 * A client rebuilds the full LiveSnapshot from the newest content it holds per part
 * (components/hooks/liveWire.ts). `GET /api/metrics/live` still answers the full snapshot.
 */
export const liveWireSnapshotSchema = liveSnapshotSchema.omit({ series: true, alerts: true, top: true }).extend({
  /** the series' last point, the current (partial) minute; null when the series is empty */
  currentMinute: minutePointSchema.nullable(),
  /** version of the series' points before the current minute */
  earlierMinutesVersion: z.string(),
  /** those points, oldest first, when they changed since the previous message */
  earlierMinutes: z.array(minutePointSchema).optional(),
  alertsVersion: z.string(),
  /** the alert list, when it changed since the previous message; parsed one by one by clients */
  alerts: z.array(z.unknown()).optional(),
  /** version of the top lists (recomputed every few seconds), and the lists when they changed */
  topVersion: z.string(),
  top: liveSnapshotSchema.shape.top.optional(),
});
export type LiveWireSnapshot = z.infer<typeof liveWireSnapshotSchema>;
