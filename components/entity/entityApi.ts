import { z } from 'zod';
import { goToSignIn } from '@/components/auth/redirect';
import { liveSnapshotSchema } from '@/lib/live';
import { sessionHref, userHref } from './links';

/**
 * The per-user and per-session lookups the id pages show: `GET /api/users/:id` and
 * `GET /api/sessions/:id`, parsed rather than trusted. Not found is an answer, not an error: the
 * page says so and keeps asking, so it fills in once the first event arrives.
 */

/**
 * Counts keyed by a client-chosen event type, as [type, count] pairs: a type may be spelled
 * `__proto__` or `constructor`, which a plain object (or a record schema) would lose or break on.
 */
const countPairs = z.unknown().transform((value, ctx): [string, number][] => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be an object of counts' });
    return z.NEVER;
  }
  const pairs: [string, number][] = [];
  for (const [key, count] of Object.entries(value)) {
    if (typeof count !== 'number' || !Number.isFinite(count)) {
      ctx.addIssue({ code: 'custom', message: `count of ${key} must be a number` });
      return z.NEVER;
    }
    pairs.push([key, count]);
  }
  return pairs.sort((a, b) => b[1] - a[1]);
});

const locationSchema = z.object({
  country: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  at: z.number(),
});

export const recentEventSchema = z.object({
  eventId: z.string(),
  ts: z.number(),
  type: z.string(),
  sessionId: z.string().nullable().default(null),
  amountMinor: z.number().int().nullable().default(null),
  currency: z.string().nullable().default(null),
  productId: z.string().nullable().default(null),
  page: z.string().nullable().default(null),
});
export type RecentEvent = z.infer<typeof recentEventSchema>;

export const userAnalyticsSchema = z.object({
  userId: z.string(),
  lastActivity: z.number(),
  totalEvents: z.number().int(),
  eventsByType: countPairs,
  purchaseCount: z.number().int(),
  lifetimeValueMinor: z.number().int(),
  averagePurchaseMinor: z.number().int().nullable(),
  lastLocation: locationSchema.nullable(),
  /** newest first; absent from servers that do not send it */
  recentEvents: z.array(recentEventSchema).optional(),
});
export type UserAnalyticsView = z.infer<typeof userAnalyticsSchema>;

export const sessionAggregatesSchema = z.object({
  sessionId: z.string(),
  userId: z.string(),
  startedAt: z.number(),
  lastEventAt: z.number(),
  durationSeconds: z.number(),
  pageViews: z.number().int(),
  pageViewsPerMinute: z.number(),
  uniquePages: z.number().int(),
  purchased: z.boolean(),
});
export type SessionAggregatesView = z.infer<typeof sessionAggregatesSchema>;

export type Lookup<T> =
  | { kind: 'found'; data: T }
  /** no event seen for the id (yet) */
  | { kind: 'not-found' }
  /** the server refused the id itself (say, longer than any id can be); asking again will not help */
  | { kind: 'refused'; message: string };

/** The server could not answer: unreachable, or it failed. Worth retrying. */
export class LookupUnavailable extends Error {}

const errorBody = z.object({ error: z.object({ message: z.string() }) });

async function lookup<T>(url: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<Lookup<T>> {
  let res: Response;
  try {
    res = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new LookupUnavailable('The Pulse server cannot be reached.');
  }
  if (res.status === 404) return { kind: 'not-found' };
  // signed out meanwhile (expired, revoked): sign in and come back here
  if (res.status === 401) {
    goToSignIn();
    throw new LookupUnavailable('You are signed out. Taking you to sign in…');
  }
  const body: unknown = await res.json().catch(() => null);
  // a plain Error, not LookupUnavailable: asking again will not change a role
  if (res.status === 403) {
    const parsed = errorBody.safeParse(body);
    throw new Error(`Your role may not see this${parsed.success ? `: ${parsed.data.error.message}` : '.'}`);
  }
  if (res.status === 400 || res.status === 414 || res.status === 422) {
    const parsed = errorBody.safeParse(body);
    return { kind: 'refused', message: parsed.success ? parsed.data.error.message : `the server answered ${res.status}` };
  }
  if (!res.ok) throw new LookupUnavailable(`The Pulse server answered ${res.status}${res.status >= 500 ? ' (a server error)' : ''}.`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new LookupUnavailable('The Pulse server sent an answer this page does not understand.');
  return { kind: 'found', data: parsed.data };
}

/** the API paths are the page paths under /api */
export const fetchUser = (userId: string, signal?: AbortSignal) => lookup(`/api${userHref(userId)}`, userAnalyticsSchema, signal);
export const fetchSession = (sessionId: string, signal?: AbortSignal) =>
  lookup(`/api${sessionHref(sessionId)}`, sessionAggregatesSchema, signal);

const shopOnly = z.object({ shop: liveSnapshotSchema.shape.shop });
export type ShopSettingsView = z.infer<typeof shopOnly>['shop'];

/** The shop's currency and time zone, from the live snapshot. */
export async function fetchShop(signal?: AbortSignal): Promise<ShopSettingsView> {
  let res: Response;
  try {
    res = await fetch('/api/metrics/live', { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new LookupUnavailable('The Pulse server cannot be reached.');
  }
  if (res.status === 401) {
    goToSignIn();
    throw new LookupUnavailable('You are signed out. Taking you to sign in…');
  }
  if (!res.ok) throw new LookupUnavailable(`The Pulse server answered ${res.status}.`);
  const parsed = shopOnly.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new LookupUnavailable('The Pulse server sent shop settings this page does not understand.');
  return parsed.data.shop;
}
