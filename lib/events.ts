import { z } from 'zod';

/**
 * The wire format of one behaviour event (PRODUCT.md, "Events") and its normalised form.
 * Shared by the server (ingest), the simulator and tests; no Node imports here.
 */

export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
export const KNOWN_EVENT_TYPES = ['page_view', 'add_to_cart', 'purchase'] as const;

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const idString = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });

const money = z
  .number({ error: 'must be a number' })
  .refine(Number.isFinite, { error: 'must be a finite number' })
  .refine((n) => n >= 0, { error: 'must not be negative' })
  .refine((n) => n <= 1e9, { error: 'must be at most 1,000,000,000' });

const location = z.looseObject({
  country: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z]{2}$/, { error: 'must be a two-letter ISO country code' })
    .optional(),
  lat: z.number({ error: 'must be a number' }).min(-90).max(90).optional(),
  lon: z.number({ error: 'must be a number' }).min(-180).max(180).optional(),
});

const item = z.looseObject({
  product_id: idString(128),
  quantity: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1).max(100_000).optional(),
  price: money.optional(),
});

const properties = z.looseObject({
  amount: money.optional(),
  currency: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z]{3}$/, { error: 'must be a three-letter currency code' })
    .optional(),
  product_id: idString(128).optional(),
  quantity: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1).max(100_000).optional(),
  price: money.optional(),
  page: z.string({ error: 'must be a string' }).max(2048).optional(),
  page_url: z.string({ error: 'must be a string' }).max(2048).optional(),
  category: z.string({ error: 'must be a string' }).max(256).optional(),
  items: z.array(item, { error: 'must be an array' }).max(500, { error: 'must have at most 500 items' }).optional(),
  location: location.optional(),
});

export const wireEventSchema = z.object({
  event_id: idString(128).optional(),
  timestamp: z
    .string({ error: 'is required (ISO 8601 string)' })
    .regex(ISO_8601, { error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-25T12:00:00.000Z' }),
  user_id: idString(256),
  session_id: idString(256).optional(),
  event_type: z
    .string({ error: 'is required' })
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'must be 1-64 characters of letters, digits, _ . : -' }),
  properties: properties.optional(),
});

export type WireEvent = z.infer<typeof wireEventSchema>;

export interface EventItem {
  productId: string;
  quantity: number;
  priceCents: number | null;
}

export interface EventLocation {
  country: string | null;
  lat: number | null;
  lon: number | null;
}

/** An accepted event, normalised: epoch milliseconds, money in integer cents. */
export interface PulseEvent {
  eventId: string;
  /** true when the client sent the id (so retries can be recognised) */
  clientId: boolean;
  ts: number;
  userId: string;
  sessionId: string | null;
  type: string;
  amountCents: number | null;
  currency: string | null;
  productId: string | null;
  quantity: number | null;
  priceCents: number | null;
  page: string | null;
  category: string | null;
  items: EventItem[];
  location: EventLocation | null;
  /** the raw properties object, kept for the lake */
  properties: Record<string, unknown>;
  receivedAt: number;
}

/** Rounds a decimal amount to integer minor units without binary floating-point drift. */
export function toCents(amount: number): number {
  return Math.round(Number((amount * 100).toFixed(4)));
}

/** Deeper structures are refused: nothing a shop sends needs them, and they break serialisers. */
export const MAX_PROPERTIES_DEPTH = 16;

/** true when `value` nests objects/arrays deeper than `max` (checked without recursion) */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export type ValidationResult = { ok: true; event: PulseEvent } | { ok: false; error: string };

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) return `${path}: is required`;
  return path ? `${path}: ${issue.message}` : issue.message;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Date.parse rolls 30 February over to March; refuse impossible calendar dates instead. */
function parseTimestamp(text: string): number {
  // the schema's pattern already fixed the layout YYYY-MM-DDTHH:MM…
  const num = (from: number, to: number) => Number(text.slice(from, to));
  const year = num(0, 4);
  const month = num(5, 7);
  const day = num(8, 10);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return NaN;
  if (month === 2 && day === 29 && !leap) return NaN;
  if (num(11, 13) > 23 || num(14, 16) > 59) return NaN;
  return Date.parse(text);
}

/**
 * Checks one event and normalises it. `now` is the server clock at receipt; `newId` assigns an
 * id when the client sent none. Every failure names the field and the reason.
 */
export function validateEvent(raw: unknown, now: number, newId: () => string): ValidationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'event: must be a JSON object' };
  }
  const parsed = wireEventSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.slice(0, 3).map((i) => describeIssue(i, raw)).join('; ') };
  }
  const e = parsed.data;
  if (e.properties && nestsDeeperThan(e.properties, MAX_PROPERTIES_DEPTH)) {
    return { ok: false, error: `properties: nested deeper than ${MAX_PROPERTIES_DEPTH} levels` };
  }
  const ts = parseTimestamp(e.timestamp);
  if (!Number.isFinite(ts)) return { ok: false, error: 'timestamp: is not a valid date' };
  if (ts > now + MAX_FUTURE_SKEW_MS) {
    return { ok: false, error: 'timestamp: is more than 5 minutes in the future (check the sender clock)' };
  }
  const p = e.properties ?? {};
  if (e.event_type === 'purchase' && p.amount === undefined) {
    return { ok: false, error: 'properties.amount: is required for purchase events' };
  }
  const loc = p.location;
  const location: EventLocation | null =
    loc && (loc.country !== undefined || loc.lat !== undefined || loc.lon !== undefined)
      ? {
          country: loc.country ? loc.country.toUpperCase() : null,
          lat: loc.lat ?? null,
          lon: loc.lon ?? null,
        }
      : null;
  return {
    ok: true,
    event: {
      eventId: e.event_id ?? newId(),
      clientId: e.event_id !== undefined,
      ts,
      userId: e.user_id,
      sessionId: e.session_id ?? null,
      type: e.event_type,
      amountCents: p.amount !== undefined ? toCents(p.amount) : null,
      currency: p.currency ? p.currency.toUpperCase() : null,
      productId: p.product_id ?? null,
      quantity: p.quantity ?? null,
      priceCents: p.price !== undefined ? toCents(p.price) : null,
      page: p.page ?? p.page_url ?? null,
      category: p.category ?? null,
      items: (p.items ?? []).map((i) => ({
        productId: i.product_id,
        quantity: i.quantity ?? 1,
        priceCents: i.price !== undefined ? toCents(i.price) : null,
      })),
      location,
      properties: p as Record<string, unknown>,
      receivedAt: now,
    },
  };
}
