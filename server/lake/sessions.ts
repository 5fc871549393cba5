/**
 * Session rows: the per-session facts the funnel and cart-abandonment views need, in one shape
 * whatever they are read from.
 *
 *   session_key, first_ts, last_ts, viewed, carted, bought (0/1), last_cart_ts (null without an
 *   add-to-cart), purchase_ts (the session's purchase times, null without one)
 *
 * An event is one session row of its own (`SESSION_ROW_OF_EVENT`); compaction also writes, per
 * compacted hour, `_sessions-G.parquet` with one row per session of that hour
 * (`SESSION_SUMMARY_OF_EVENTS`). Both merge the same way (max, min, concatenating the purchase
 * times), so a view grouping session rows by session_key gets the same answer from summaries as
 * from the events — 2.6 M summary rows instead of 11 M events for a month of the demo shop.
 * The SQL is the same in DuckDB and Trino (Athena reads events only: it never sees the summaries,
 * whose names start with `_`).
 */

export const SESSIONS_PLACEHOLDER = '{{sessions}}';

export const SESSION_COLUMNS = 'session_key, first_ts, last_ts, viewed, carted, bought, last_cart_ts, purchase_ts';

/** one event as a session row */
export const SESSION_ROW_OF_EVENT = `session_key, ts_ms AS first_ts, ts_ms AS last_ts,
    CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END AS viewed,
    CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END AS carted,
    CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END AS bought,
    CASE WHEN event_type = 'add_to_cart' THEN ts_ms END AS last_cart_ts,
    CASE WHEN event_type = 'purchase' THEN ARRAY[ts_ms] END AS purchase_ts`;

/** the session rows of a set of events, one per session (DuckDB; what compaction writes) */
export const SESSION_SUMMARY_OF_EVENTS = `session_key, min(ts_ms) AS first_ts, max(ts_ms) AS last_ts,
    max(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END) AS viewed,
    max(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS carted,
    max(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS bought,
    max(CASE WHEN event_type = 'add_to_cart' THEN ts_ms END) AS last_cart_ts,
    list(ts_ms ORDER BY ts_ms) FILTER (WHERE event_type = 'purchase') AS purchase_ts`;
