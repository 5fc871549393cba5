import { z } from 'zod';
import { isWellFormed } from './events';

/**
 * Alerting's shapes, shared by the server (API, engine) and the browser (/alerts, the overview's
 * and the wall's firing alerts). Rules are data: an event rule is evaluated by the processing
 * engine on each event, a metric rule by the alert engine on the live state every second.
 *
 * Units: money in minor units of the shop currency (cents; none for JPY), rates as fractions
 * (0.02 = 2 %), lag in milliseconds, times as epoch milliseconds in API answers.
 */

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severitySchema = z.enum(SEVERITIES, { error: 'must be info, warning or critical' });

export const RULE_KINDS = ['event', 'metric'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

// ───────────────────────────── event rules ─────────────────────────────

/**
 * What an event rule's condition can compare. Purchase fields are absent on other events (a
 * condition on them is then false).
 * - fraud_score: 0–1, the score the purchase got from the user's history
 * - shop_amount_minor: the purchase amount converted into the shop currency (absent without a rate)
 * - quantity: units in the event (purchase items, or add_to_cart quantity)
 * - stock_after: a tracked product's stock after the purchase; fires when it crosses the
 *   threshold (from above it to at or below it), once per crossing, per product
 */
export const EVENT_FIELDS = ['fraud_score', 'shop_amount_minor', 'quantity', 'stock_after'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];
export const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const COMPARISON_SYMBOL: Record<Comparison, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };

export const eventConditionSchema = z
  .object({
    field: z.enum(EVENT_FIELDS, { error: `must be one of ${EVENT_FIELDS.join(', ')}` }),
    op: z.enum(COMPARISONS, { error: 'must be gt, gte, lt or lte' }),
    value: z.number({ error: 'must be a number' }).finite({ error: 'must be a finite number' }).min(-1e15, { error: 'is too small' }).max(1e15, { error: 'is too large' }),
  })
  .strict();
export type EventCondition = z.infer<typeof eventConditionSchema>;

/** what one incident of an event rule is: one per user, per product, or every event its own */
export const DEDUP_BY = ['user', 'product', 'event'] as const;
export type DedupBy = (typeof DEDUP_BY)[number];

const idText = (what: string, max: number) =>
  z
    .string({ error: `must be a ${what}` })
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => isWellFormed(s) && !s.includes('\u0000'), { error: 'must be well-formed text without NUL' });

export const eventRuleSpecSchema = z
  .object({
    /** the event types it looks at (e.g. ["purchase"]) */
    eventTypes: z.array(idText('event type', 100), { error: 'must be a list of event types' }).min(1, { error: 'name at least one event type' }).max(20, { error: 'at most 20 event types' }),
    /** only events from these countries (ISO 3166 alpha-2; the event's, else the user's last known); empty: any */
    countries: z.array(z.string().regex(/^[A-Z]{2}$/, { error: 'must be a two-letter country code such as DE' })).max(50, { error: 'at most 50 countries' }).default([]),
    /** all must hold (none: every event of the types and countries matches) */
    conditions: z.array(eventConditionSchema).max(5, { error: 'at most 5 conditions' }),
    dedupBy: z.enum(DEDUP_BY, { error: 'must be user, product or event' }),
    /** an open alert resolves after this long without another matching event */
    resolveAfterMinutes: z.number({ error: 'must be a number' }).int({ error: 'must be whole minutes' }).min(1, { error: 'must be at least 1 minute' }).max(10_080, { error: 'must be at most 7 days' }),
  })
  .strict();
export type EventRuleSpec = z.infer<typeof eventRuleSpecSchema>;

// ───────────────────────────── metric rules ─────────────────────────────

/**
 * Live metrics a metric rule can watch, each over a trailing window of whole minutes (a sliding
 * window: the oldest minute counts for the part of it still inside).
 * - revenue_per_minute: shop-currency minor units per minute (sample: orders)
 * - orders_per_minute: purchases per minute (sample: orders)
 * - conversion_rate: sessions with a purchase ÷ sessions, the snapshot's window (sample: sessions)
 * - cart_abandonment_rate: abandoned ÷ decided carts, the snapshot's window (sample: decided carts)
 * - events_per_second: accepted events per second, mean of per-second samples (sample: events)
 * - processing_lag_ms: p99 lag received → live, mean of per-second samples (sample: seconds sampled)
 * - dead_letters: events waiting in the dead-letter list, the latest value (sample: 1)
 * - active_users: users active in the live window (sample: 1)
 */
export const METRICS = [
  'revenue_per_minute',
  'orders_per_minute',
  'conversion_rate',
  'cart_abandonment_rate',
  'events_per_second',
  'processing_lag_ms',
  'dead_letters',
  'active_users',
] as const;
export type MetricName = (typeof METRICS)[number];

export const METRIC_LABELS: Record<MetricName, { label: string; unit: 'money' | 'count' | 'rate' | 'ms' | 'per_second' }> = {
  revenue_per_minute: { label: 'Revenue per minute', unit: 'money' },
  orders_per_minute: { label: 'Orders per minute', unit: 'count' },
  conversion_rate: { label: 'Conversion rate', unit: 'rate' },
  cart_abandonment_rate: { label: 'Cart abandonment', unit: 'rate' },
  events_per_second: { label: 'Events per second', unit: 'per_second' },
  processing_lag_ms: { label: 'Processing lag (p99)', unit: 'ms' },
  dead_letters: { label: 'Dead letters', unit: 'count' },
  active_users: { label: 'Active users', unit: 'count' },
};

/**
 * No data (the minimum sample not reached, or no value at all):
 * - keep: stay in the current state
 * - ok: treat as recovered
 * - alerting: treat as breaching ("silence is an incident": a shop with no orders)
 */
export const NO_DATA_POLICIES = ['keep', 'ok', 'alerting'] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

const seconds = (max: number) =>
  z.number({ error: 'must be a number' }).int({ error: 'must be whole seconds' }).min(0, { error: 'must not be negative' }).max(max, { error: `must be at most ${max} seconds` });

export const metricRuleSpecSchema = z
  .object({
    metric: z.enum(METRICS, { error: `must be one of ${METRICS.join(', ')}` }),
    /** fires when the value is above (or below) the threshold */
    comparator: z.enum(['above', 'below'], { error: 'must be above or below' }),
    threshold: z.number({ error: 'must be a number' }).finite({ error: 'must be a finite number' }).min(-1e15).max(1e15),
    windowMinutes: z.number({ error: 'must be a number' }).int({ error: 'must be whole minutes' }).min(1, { error: 'must be at least 1 minute' }).max(60, { error: 'must be at most 60 minutes' }),
    /** how long the condition must hold before the alert fires (pending until then) */
    pendingSeconds: seconds(86_400),
    /**
     * the value counts as recovered only past this (below it for `above`, above it for `below`);
     * null: the threshold itself. Between the two the alert keeps its state (hysteresis).
     */
    recoveryThreshold: z.number({ error: 'must be a number' }).finite().min(-1e15).max(1e15).nullable(),
    /** a firing alert resolves only after the value has stayed recovered this long (damps flapping) */
    recoverySeconds: seconds(86_400),
    /** below this many observations in the window the value is treated as no data */
    minSample: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).max(1e9),
    noData: z.enum(NO_DATA_POLICIES, { error: 'must be keep, ok or alerting' }),
    /** the wall's tile for this metric takes its bands from this rule */
    wallTile: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.recoveryThreshold === null) return;
    const wrongSide = s.comparator === 'above' ? s.recoveryThreshold > s.threshold : s.recoveryThreshold < s.threshold;
    if (wrongSide) {
      ctx.addIssue({
        code: 'custom',
        path: ['recoveryThreshold'],
        message: s.comparator === 'above' ? 'must be at or below the threshold (it is where the alert counts as recovered)' : 'must be at or above the threshold (it is where the alert counts as recovered)',
      });
    }
  });
export type MetricRuleSpec = z.infer<typeof metricRuleSpecSchema>;

// ───────────────────────────── rules (API) ─────────────────────────────

const nameSchema = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(120, { error: 'must be at most 120 characters' })
  .refine((s) => isWellFormed(s) && !/[\u0000-\u001f\u007f]/.test(s), { error: 'must be well-formed text without control characters' });

const channelIdsSchema = z.array(z.string().min(1).max(64), { error: 'must be a list of channel ids' }).max(20, { error: 'at most 20 channels' });

/** The fields a person writes (POST /api/alert-rules). `spec` is checked against `kind`. */
export const ruleInputSchema = z
  .object({
    name: nameSchema,
    description: z.string({ error: 'must be text' }).max(2000, { error: 'must be at most 2000 characters' }).refine((s) => isWellFormed(s) && !s.includes('\u0000'), { error: 'must be well-formed text without NUL' }).default(''),
    kind: z.enum(RULE_KINDS, { error: 'must be event or metric' }),
    severity: severitySchema,
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    spec: z.unknown(),
    channelIds: channelIdsSchema.default([]),
    renotifyMinutes: z.number({ error: 'must be a number' }).int({ error: 'must be whole minutes' }).min(0, { error: 'must not be negative' }).max(10_080, { error: 'must be at most 7 days' }).default(0),
  })
  .strict();
export type RuleInput = z.infer<typeof ruleInputSchema>;

/** a rule's state now, as the alert engine last saw it */
export const ruleStatusSchema = z.object({
  /** ok, pending, firing (some alert open), disabled, or no_data (metric rules) */
  status: z.enum(['ok', 'pending', 'firing', 'disabled', 'no_data']),
  /** open (pending or firing) alerts of the rule */
  openAlerts: z.number().int(),
  /** metric rules: the last evaluated value (null: no data) and when */
  value: z.number().nullable(),
  evaluatedAt: z.number().nullable(),
});
export type RuleStatus = z.infer<typeof ruleStatusSchema>;

/** GET /api/alert-rules(/:id): what a rule is. PATCH takes any subset; read-only fields must come back unchanged. */
export interface AlertRuleOut {
  id: string;
  builtin: string | null;
  name: string;
  description: string;
  kind: RuleKind;
  severity: Severity;
  enabled: boolean;
  spec: EventRuleSpec | MetricRuleSpec;
  channelIds: string[];
  renotifyMinutes: number;
  version: number;
  createdAt: number;
  createdBy: string | null;
  updatedAt: number;
  updatedBy: string | null;
  state: RuleStatus;
}
export const RULE_READ_ONLY_FIELDS = ['id', 'builtin', 'version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'state'] as const;

/** POST /api/alert-rules/preview: a draft (the fields of a rule) → how often it would have fired */
export interface RulePreviewOut {
  /** incidents it would have opened (each would notify once) */
  fires: number;
  /** events (event rules) or evaluations (metric rules) that matched */
  matches: number;
  /** where the answer came from: the lake (24 hours) or the live window (the last hour) */
  source: 'lake' | 'live';
  from: number;
  to: number;
  /** in words, e.g. "would have fired 3 times in the last 24 hours (12 matching purchases)" */
  summary: string;
}

// ───────────────────────────── alerts (API) ─────────────────────────────

export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertTimelineOut {
  at: number;
  /** pending, firing, notified, renotified, suppressed, acknowledged, unacknowledged, resolved */
  kind: string;
  actor: string | null;
  comment: string | null;
  value: number | null;
}

export interface AlertOut {
  id: string;
  ruleId: string | null;
  ruleName: string;
  ruleKind: RuleKind;
  severity: Severity;
  state: AlertState;
  dedupKey: string;
  title: string;
  message: string;
  value: number | null;
  threshold: number | null;
  /** the event that triggered it (event rules) */
  eventId: string | null;
  userId: string | null;
  productId: string | null;
  matches: number;
  startedAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  lastMatchAt: number;
  lastNotifiedAt: number | null;
  acknowledged: { at: number; by: string; comment: string } | null;
  /** the silence covering it now, if any */
  silencedBy: string | null;
  /** GET /api/alerts/:id only */
  timeline?: AlertTimelineOut[];
}

export const ackInputSchema = z
  .object({
    comment: z.string({ error: 'must be text' }).trim().min(1, { error: 'say what you are doing about it' }).max(1000, { error: 'must be at most 1000 characters' }).refine((s) => isWellFormed(s) && !s.includes('\u0000'), { error: 'must be well-formed text without NUL' }),
  })
  .strict();

/**
 * What screens show of the open alerts (in the live snapshot, `activeAlerts`): firing first, most
 * severe first, newest first, at most 50.
 */
export const activeAlertSchema = z.object({
  id: z.string(),
  ruleId: z.string().nullable(),
  ruleName: z.string(),
  severity: severitySchema,
  state: z.enum(['pending', 'firing']),
  title: z.string(),
  message: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  eventId: z.string().nullable(),
  userId: z.string().nullable(),
  productId: z.string().nullable(),
  matches: z.number().int(),
  startedAt: z.number(),
  firedAt: z.number().nullable(),
  acknowledged: z.object({ at: z.number(), by: z.string(), comment: z.string() }).nullable(),
  silenced: z.boolean(),
});
export type ActiveAlert = z.infer<typeof activeAlertSchema>;

/** a metric rule marked `wallTile`: the wall's tile for its metric follows it */
export const tileRuleSchema = z.object({
  ruleId: z.string(),
  metric: z.enum(METRICS),
  comparator: z.enum(['above', 'below']),
  threshold: z.number(),
  recoveryThreshold: z.number().nullable(),
  severity: severitySchema,
  state: z.enum(['ok', 'pending', 'firing', 'no_data']),
});
export type TileRule = z.infer<typeof tileRuleSchema>;

// ───────────────────────────── silences (API) ─────────────────────────────

export const silenceInputSchema = z
  .object({
    /** scope: any of these may be null (matches every rule / severity / key); at least one must be set */
    ruleId: z.string().min(1).max(64).nullable().default(null),
    severity: severitySchema.nullable().default(null),
    dedupKey: z.string().min(1).max(2100).refine((s) => isWellFormed(s) && !s.includes('\u0000'), { error: 'must be well-formed text without NUL' }).nullable().default(null),
    /** default: now */
    startsAt: z.number({ error: 'must be epoch milliseconds' }).int().min(0).max(8.64e15).optional(),
    endsAt: z.number({ error: 'must be epoch milliseconds' }).int().min(0).max(8.64e15),
    reason: z.string({ error: 'must be text' }).trim().min(1, { error: 'say why' }).max(1000, { error: 'must be at most 1000 characters' }).refine((s) => isWellFormed(s) && !s.includes('\u0000'), { error: 'must be well-formed text without NUL' }),
  })
  .strict();
export type SilenceInput = z.infer<typeof silenceInputSchema>;

export interface SilenceOut {
  id: string;
  ruleId: string | null;
  severity: Severity | null;
  dedupKey: string | null;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdAt: number;
  createdBy: string | null;
  endedAt: number | null;
  endedBy: string | null;
  /** active now, scheduled (starts later) or expired (ended, or its end passed) */
  status: 'active' | 'scheduled' | 'expired';
}

// ───────────────────────────── channels (API) ─────────────────────────────

export const CHANNEL_KINDS = ['webhook', 'slack', 'sns'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const httpUrl = z
  .string({ error: 'must be a URL' })
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  }, { error: 'must be an http(s) URL without a user name or password' });

export const channelConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('webhook'), url: httpUrl }).strict(),
  z.object({ kind: z.literal('slack'), url: httpUrl }).strict(),
  z
    .object({
      kind: z.literal('sns'),
      topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, { error: 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)' }),
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as eu-west-1' }),
    })
    .strict(),
]);
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

export const channelInputSchema = z
  .object({
    name: nameSchema,
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    config: channelConfigSchema,
  })
  .strict();
export type ChannelInput = z.infer<typeof channelInputSchema>;

export interface ChannelOut {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  /** URLs are secrets (a Slack webhook URL is its own key): shown as scheme://host/…last 4 */
  config: { url?: string; topicArn?: string; region?: string };
  /** webhook: whether it signs (always) and the secret's first characters */
  secretPrefix: string | null;
  createdAt: number;
  createdBy: string | null;
  updatedAt: number;
  lastDelivery: { at: number; status: 'pending' | 'delivered' | 'failed'; error: string | null } | null;
  /** POST only: the signing secret, shown this once */
  secret?: string;
}

export interface DeliveryOut {
  id: string;
  alertId: string | null;
  channelId: string;
  kind: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

// ───────────────────────────── notifications (what channels receive) ─────────────────────────────

/**
 * The JSON body of a webhook notification (Slack and SNS carry the same facts as text). The
 * headers `Pulse-Delivery-Id` (= deliveryId, the same on every retry) and
 * `Pulse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` come with it.
 */
export interface NotificationPayload {
  deliveryId: string;
  /** firing, resolved, renotify (still firing), or test */
  kind: 'firing' | 'resolved' | 'renotify' | 'test';
  sentAt: number;
  alert: {
    id: string;
    ruleId: string | null;
    ruleName: string;
    severity: Severity;
    state: AlertState;
    title: string;
    message: string;
    value: number | null;
    threshold: number | null;
    eventId: string | null;
    userId: string | null;
    productId: string | null;
    startedAt: number;
    firedAt: number | null;
    resolvedAt: number | null;
    /** the alert's page */
    url: string | null;
  } | null;
  shop: { currency: string; timeZone: string };
}
