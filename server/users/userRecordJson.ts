import { z } from 'zod';
import type { RecentEvent, UserRecord } from '@/server/ports';

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** epoch milliseconds; z.number() already refuses NaN and ±Infinity */
const time = z.number();

const location = z.object({
  country: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  at: time,
});

/** one entry of a user's recent-activity list as the Redis live store keeps it */
export const recentEventSchema = z.object({
  eventId: z.string(),
  ts: time,
  type: z.string(),
  sessionId: z.string().nullable(),
  amountMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  productId: z.string().nullable(),
  page: z.string().nullable(),
}) satisfies z.ZodType<RecentEvent>;

/**
 * A UserRecord as the Redis live store stores it (`JSON.stringify` of the record). Everything
 * is checked, so a record that reaches a store is one the store can keep faithfully: a count
 * that is not a whole number, or a time that JSON turned into null, is refused here with the
 * field named, not half-written into DynamoDB.
 */
export const userRecordSchema = z.object({
  userId: z.string().min(1),
  version: count.min(1),
  lastActivity: time,
  totalEvents: count,
  eventsByType: z.array(z.tuple([z.string(), count])),
  purchaseCount: count,
  lifetimeValueMinor: count,
  valuedPurchaseCount: count.optional(),
  lastLocation: location.nullable(),
  recentPurchaseTimes: z.array(time),
}) satisfies z.ZodType<UserRecord>;

/** parses one stored record; throws an Error naming the first bad field */
export function parseUserRecordJson(json: string): UserRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = userRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.join('.') || 'record'}: ${issue.message}`);
  }
  return parsed.data;
}
