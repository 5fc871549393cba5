/**
 * Metric definitions shared by live panels and historical views (PRODUCT.md, "Live metrics").
 * Time is event time, bucketed by UTC minute. A trailing window of N minutes is the N most
 * recent UTC-minute buckets, the current (partial) minute included.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const ACTIVE_USERS_WINDOW_MIN = 5;
export const SERIES_MINUTES = 60;
export const CONVERSION_WINDOW_MIN = 60;
export const CART_WINDOW_MIN = 60;
export const CART_MINIMUM_SAMPLE = 20;

export const minuteOf = (ts: number): number => Math.floor(ts / MINUTE_MS) * MINUTE_MS;
export const hourOf = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;
export const dayOf = (ts: number): number => Math.floor(ts / DAY_MS) * DAY_MS;

/** First minute bucket inside a trailing window of `minutes` ending at `now`. */
export const windowStart = (now: number, minutes: number): number =>
  minuteOf(now) - (minutes - 1) * MINUTE_MS;

/** Sessions with a purchase ÷ sessions with any event; null when there are no sessions. */
export function conversionRate(sessionsWithPurchase: number, sessions: number): number | null {
  return sessions === 0 ? null : sessionsWithPurchase / sessions;
}

/**
 * Abandoned ÷ decided carts (decided = abandoned + purchased; open carts are in neither);
 * null ("not enough data") below the minimum sample of decided carts.
 */
export function cartAbandonmentRate(abandoned: number, decided: number, minimum = CART_MINIMUM_SAMPLE): number | null {
  if (decided < minimum || decided === 0) return null;
  return Math.min(abandoned, decided) / decided;
}
