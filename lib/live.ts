import { z } from 'zod';

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
  amountMinor: z.number().int().nullable(),
  score: z.number().nullable(),
  reasons: z.array(z.string()),
  eventTime: z.number().nullable(),
  firedAt: z.number(),
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

export const liveSnapshotSchema = z.object({
  /** when the server computed this snapshot */
  computedAt: z.number(),
  /** newest event time (event clock) included in this snapshot; null before any event */
  newestEventTime: z.number().nullable(),
  /** server receive time of the newest processed event: the freshness of the pipeline */
  newestReceivedAt: z.number().nullable(),
  mode: z.string(),
  durable: z.boolean(),
  activeUsers: z.object({ current: z.number().int(), windowMinutes: z.number().int() }),
  /** one point per UTC minute, oldest first, the last being the current (partial) minute */
  series: z.array(minutePointSchema),
  revenue: z.object({
    thisHourMinor: z.number().int(),
    todayMinor: z.number().int(),
    lastHourMinor: z.number().int(),
  }),
  orders: z.object({ thisMinute: z.number().int(), lastHour: z.number().int() }),
  conversion: z.object({
    rate: z.number().nullable(),
    sessionsWithPurchase: z.number().int(),
    sessions: z.number().int(),
    windowMinutes: z.number().int(),
  }),
  cartAbandonment: z.object({
    rate: z.number().nullable(),
    cartsCreated: z.number().int(),
    cartsPurchased: z.number().int(),
    minimumCarts: z.number().int(),
    windowMinutes: z.number().int(),
  }),
  sessions: z.object({
    active: z.number().int(),
    avgDurationSeconds: z.number(),
    avgUniquePages: z.number(),
    pageViewsPerMinute: z.number(),
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
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;

/** socket.io event names */
export const SOCKET_EVENTS = { metrics: 'metrics', alert: 'alert' } as const;

/**
 * What the socket.io `metrics` event carries: a LiveSnapshot with its two slowly changing parts
 * split off. Under load a snapshot goes out up to 20 times a second to every screen, yet the 59
 * settled minutes of the series and the alert list change rarely, and were most of its bytes.
 * Each part travels with a version; its content travels only when it differs from the previous
 * `metrics` message, and always in the first message a socket receives after (re)connecting.
 * A client rebuilds the full LiveSnapshot from the newest content it holds per part
 * (components/hooks/liveWire.ts). `GET /api/metrics/live` still answers the full snapshot.
 */
export const liveWireSnapshotSchema = liveSnapshotSchema.omit({ series: true, alerts: true }).extend({
  /** the series' last point, the current (partial) minute; null when the series is empty */
  currentMinute: minutePointSchema.nullable(),
  /** version of the series' points before the current minute */
  earlierMinutesVersion: z.string(),
  /** those points, oldest first, when they changed since the previous message */
  earlierMinutes: z.array(minutePointSchema).optional(),
  alertsVersion: z.string(),
  /** the alert list, when it changed since the previous message; parsed one by one by clients */
  alerts: z.array(z.unknown()).optional(),
});
export type LiveWireSnapshot = z.infer<typeof liveWireSnapshotSchema>;
