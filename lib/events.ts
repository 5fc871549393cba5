import { z } from 'zod';
import { isKnownCurrency, toMinor } from './money';

/**
 * The wire format of one behaviour event (PRODUCT.md, "Events") and its normalised form.
 * Shared by the server (ingest), the simulator and tests; no Node imports here.
 *
 * Identifiers are the client's data and stay exactly as sent ("__proto__", "*", NUL, emoji…):
 * only their length and Unicode well-formedness are checked. Every rule below has its own
 * message, so a reason always says what is wrong with the value, not just its type.
 */

export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Bounds that keep the work one accepted event can cause small and predictable (each event
 * becomes a handful of counter updates per item downstream). Real trackers stay far below them.
 */
/** Items in one purchase: a few dozen is a big basket; 100 still bounds per-item effects. */
export const MAX_ITEMS_PER_EVENT = 100;
/** `properties` serialised as JSON (UTF-8 bytes): trackers send well under 2 KB. */
export const MAX_PROPERTIES_BYTES = 16 * 1024;
/** Deeper structures are refused: nothing a shop sends needs them, and they break serialisers. */
export const MAX_PROPERTIES_DEPTH = 16;

/**
 * A lone UTF-16 surrogate survives JSON.parse but cannot be encoded as UTF-8: stores and
 * decoders downstream (Redis Lua cjson, Parquet) would fail on it long after the 202.
 */
const NOT_WELL_FORMED = 'must be well-formed Unicode (it contains a lone surrogate)';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
type Es2024String = string & { isWellFormed?: () => boolean };
/** the native ES2024 check where it exists (Node 20, current browsers; the TS lib here predates it) */
/** false for a string with a lone surrogate (shared by ingest and the processing engine) */
export const isWellFormed = (s: string): boolean => {
  const native = (s as Es2024String).isWellFormed;
  return native ? native.call(s) : !LONE_SURROGATE.test(s);
};

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const fmtLimit = (n: number) => n.toLocaleString('en-US');

/** A string checked for well-formedness first: the other reasons mean little on broken text. */
const text = (opts: { max?: number; min?: number; pattern?: RegExp; reason?: string }) => {
  let s = z
    .string({ error: 'must be a string' })
    .refine(isWellFormed, { error: NOT_WELL_FORMED, abort: true });
  if (opts.min) s = s.min(opts.min, { error: 'must not be empty', abort: true });
  if (opts.max) s = s.max(opts.max, { error: `must be at most ${fmtLimit(opts.max)} characters`, abort: true });
  if (opts.pattern) s = s.regex(opts.pattern, { error: opts.reason ?? 'has an invalid format', abort: true });
  return s;
};
const idString = (max: number) => text({ min: 1, max });

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number', abort: true })
    .min(min, { error: `must be at least ${fmtLimit(min)}` })
    .max(max, { error: `must be at most ${fmtLimit(max)}` });

const between = (limit: number) => {
  const reason = `must be between -${limit} and ${limit}`;
  return z.number({ error: 'must be a number' }).min(-limit, { error: reason }).max(limit, { error: reason });
};

const money = z
  .number({ error: 'must be a number' })
  .refine(Number.isFinite, { error: 'must be a finite number', abort: true })
  .refine((n) => n >= 0, { error: 'must not be negative' })
  .refine((n) => n <= 1e9, { error: 'must be at most 1,000,000,000' });

const location = z.looseObject({
  country: text({ pattern: /^[A-Za-z]{2}$/, reason: 'must be a two-letter ISO country code' }).optional(),
  lat: between(90).optional(),
  lon: between(180).optional(),
}, { error: 'must be an object' });

const quantity = wholeNumber(1, 100_000);

const item = z.looseObject({
  product_id: idString(128),
  quantity: quantity.optional(),
  price: money.optional(),
}, { error: 'must be an object' });

const properties = z.looseObject({
  amount: money.optional(),
  currency: text({ pattern: /^[A-Za-z]{3}$/, reason: 'must be a three-letter currency code' })
    .refine((c) => isKnownCurrency(c.toUpperCase()), { error: 'is not an ISO 4217 currency code' })
    .optional(),
  product_id: idString(128).optional(),
  quantity: quantity.optional(),
  price: money.optional(),
  page: text({ max: 2048 }).optional(),
  page_url: text({ max: 2048 }).optional(),
  category: text({ max: 256 }).optional(),
  items: z
    .array(item, { error: 'must be an array' })
    .max(MAX_ITEMS_PER_EVENT, { error: `must have at most ${MAX_ITEMS_PER_EVENT} items` })
    .optional(),
  location: location.optional(),
}, { error: 'must be an object' });

export const wireEventSchema = z.object({
  event_id: idString(128).optional(),
  timestamp: z
    .string({ error: 'must be an ISO 8601 string' })
    .regex(ISO_8601, { error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-25T12:00:00.000Z' }),
  user_id: idString(256),
  session_id: idString(256).optional(),
  event_type: text({ min: 1, max: 64, pattern: /^[A-Za-z0-9_.:-]*$/, reason: 'must be 1-64 characters of letters, digits, _ . : -' }),
  properties: properties.optional(),
});

export type WireEvent = z.infer<typeof wireEventSchema>;

export interface EventItem {
  productId: string;
  quantity: number;
  priceMinor: number | null;
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
  amountMinor: number | null;
  currency: string | null;
  productId: string | null;
  quantity: number | null;
  priceMinor: number | null;
  page: string | null;
  category: string | null;
  items: EventItem[];
  location: EventLocation | null;
  /**
   * the properties exactly as sent, kept for the lake. Client keys are own properties (JSON.parse
   * defines them so): one may be named "__proto__", so never merge this into another object
   * with Object.assign or a for-in copy.
   */
  properties: Record<string, unknown>;
  receivedAt: number;
}


/**
 * Walks `properties` without recursion (a hostile body may nest 100,000 levels) and returns the
 * first problem: too deep, a key or string that is not well-formed Unicode, or too large. The
 * size is checked last, by serialising once, which is safe only after the depth is known.
 */
function propertiesProblem(value: object): string | null {
  const stack: [unknown, string, number][] = [[value, 'properties', 1]];
  // UTF-16 units never exceed UTF-8 bytes, so this running count can stop a huge body early
  let units = 0;
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return `${path}: ${NOT_WELL_FORMED}`;
      units += v.length;
      if (units > MAX_PROPERTIES_BYTES) return tooLarge;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_PROPERTIES_DEPTH) return `properties: nested deeper than ${MAX_PROPERTIES_DEPTH} levels`;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((c, i) => [String(i), c]) : Object.entries(v);
    for (const [key, child] of entries) {
      if (!isWellFormed(key)) return `${path}: a key ${NOT_WELL_FORMED}`;
      units += key.length;
      stack.push([child, `${path}.${key}`, depth + 1]);
    }
    if (units > MAX_PROPERTIES_BYTES) return tooLarge;
  }
  return utf8Exceeds(JSON.stringify(value), MAX_PROPERTIES_BYTES) ? tooLarge : null;
}
const tooLarge = `properties: must be at most ${MAX_PROPERTIES_BYTES / 1024} KB as JSON`;

const utf8Buffer = new Uint8Array(MAX_PROPERTIES_BYTES + 4);
const utf8 = new TextEncoder();
/** true when `s` takes more than `max` bytes in UTF-8, without encoding past the limit */
function utf8Exceeds(s: string, max: number): boolean {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  const { read, written } = utf8.encodeInto(s, utf8Buffer.subarray(0, max + 4));
  return read < s.length || written > max;
}

export type ValidationResult = { ok: true; event: PulseEvent } | { ok: false; error: string };

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
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
export function validateEvent(raw: unknown, now: number, newId: () => string, shopCurrency = 'EUR'): ValidationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'event: must be a JSON object' };
  }
  const parsed = wireEventSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.slice(0, 3).map((i) => describeIssue(i, raw)).join('; ') };
  }
  const e = parsed.data;
  // zod's copy silently drops a "__proto__" key; the lake keeps what the client sent
  const sentProperties = Object.hasOwn(raw, 'properties') ? (raw as { properties?: unknown }).properties : undefined;
  if (typeof sentProperties === 'object' && sentProperties !== null) {
    const problem = propertiesProblem(sentProperties);
    if (problem) return { ok: false, error: problem };
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
  // money in minor units of its own currency (none for JPY); without one it is the shop's
  const currency = p.currency ? p.currency.toUpperCase() : shopCurrency;
  const carriesMoney = p.currency !== undefined || p.amount !== undefined || p.price !== undefined || (p.items ?? []).some((i) => i.price !== undefined);
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
      amountMinor: p.amount !== undefined ? toMinor(p.amount, currency) : null,
      currency: carriesMoney ? currency : null,
      productId: p.product_id ?? null,
      quantity: p.quantity ?? null,
      priceMinor: p.price !== undefined ? toMinor(p.price, currency) : null,
      page: p.page ?? p.page_url ?? null,
      category: p.category ?? null,
      items: (p.items ?? []).map((i) => ({
        productId: i.product_id,
        quantity: i.quantity ?? 1,
        priceMinor: i.price !== undefined ? toMinor(i.price, currency) : null,
      })),
      location,
      properties: (sentProperties ?? {}) as Record<string, unknown>,
      receivedAt: now,
    },
  };
}
