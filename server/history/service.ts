import { z } from 'zod';
import {
  BUCKETED_VIEWS,
  DEFAULT_TOP_ROWS,
  HISTORY_VIEWS,
  MAX_HOURLY_RANGE_DAYS,
  MAX_RANGE_DAYS,
  MAX_TOP_ROWS,
  VIEW_LABELS,
  isHistoryView,
  type Granularity,
  type HistoryIndex,
  type HistoryResult,
  type HistoryView,
} from '@/lib/history';
import { DAY_MS, HOUR_MS } from '@/lib/metrics';
import { dayStartIn, nextDayStartIn } from '@/lib/shopTime';
import { HttpError, excerpt } from '@/server/http/errors';
import type { HistoryEngine } from '@/server/history/port';
import { VIEW_DEFINITIONS, type ViewParams } from '@/server/history/views';
import type { ShopSettings } from '@/server/shop';

/**
 * The history API's logic, between the HTTP handler and an engine: checks the query string,
 * builds the view's query for the engine's dialect, runs it and shapes the answer.
 *
 * Results of closed periods — whose whole scan ended at least twice the lake writer's buffering
 * ago, so everything sent on time is in the lake — are kept in an LRU for 10 minutes (a late
 * event for such a period shows after at most that long); identical queries running at the same
 * time share one run.
 */

export interface HistoryService {
  index(): HistoryIndex;
  query(view: string, rawParams: URLSearchParams, signal?: AbortSignal): Promise<HistoryResult>;
  close(): Promise<void>;
}

export interface HistoryServiceOptions {
  engine: HistoryEngine;
  shop: ShopSettings;
  lake: { kind: 'local' | 's3'; location: string; visibleWithinMs: number };
  now?: () => number;
  /** cache of closed periods (default 200 entries, 10 minutes) */
  cache?: { maxEntries: number; ttlMs: number };
}

export type HistoryFormat = 'json' | 'csv';

export interface HistoryParams extends ViewParams {
  format: HistoryFormat;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// an instant: date, time to the minute at least, and a zone (Z or ±hh:mm)
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const localDateFormatters = new Map<string, Intl.DateTimeFormat>();
/** "2026-03-29": the local calendar date of `ts` in `tz` */
function localDate(tz: string, ts: number): string {
  let f = localDateFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' });
    localDateFormatters.set(tz, f);
  }
  return f.format(ts);
}

/** the first instant of local date `date` (YYYY-MM-DD) in `tz`: its day start, DST and all */
export function shopDayStart(tz: string, date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  // UTC noon of that date is on the local date before, on it, or after (zones are within ±14 h)
  let start = dayStartIn(tz, Date.UTC(y, m - 1, d, 12));
  const here = localDate(tz, start);
  if (here < date) start = nextDayStartIn(tz, start);
  else if (here > date) start = dayStartIn(tz, start - 1);
  return start;
}

/** a time parameter: an ISO 8601 instant, or a date meaning that day's start in the shop zone */
const timeParam = (tz: string) =>
  z
    .string()
    .max(40, { error: 'must be at most 40 characters' })
    .transform((s, ctx) => {
      const date = DATE_ONLY.exec(s);
      if (date) {
        if (!validDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
          ctx.addIssue({ code: 'custom', message: 'is not a calendar date' });
          return z.NEVER;
        }
        return shopDayStart(tz, s);
      }
      const m = INSTANT.exec(s);
      if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 instant with a zone (2026-12-01T09:00:00Z) or a date (2026-12-01)' });
        return z.NEVER;
      }
      const ms = Date.parse(s);
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: 'is not a valid instant' });
        return z.NEVER;
      }
      return ms;
    });

const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

const scoreParam = z
  .string()
  .regex(/^(0(\.\d{1,17})?|1(\.0{1,17})?|\.\d{1,17})$/, { error: 'must be a number from 0 to 1' })
  .transform(Number);

function paramsSchema(tz: string) {
  return z.strictObject({
    from: timeParam(tz).optional(),
    to: timeParam(tz).optional(),
    granularity: z.enum(['hour', 'day'], { error: 'must be hour or day' }).optional(),
    limit: intParam(1, MAX_TOP_ROWS).optional(),
    min_score: scoreParam.optional(),
    format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).optional(),
  });
}

/**
 * Checks the query string of `GET /api/history/<view>`; every refusal names the parameter.
 * Defaults: the last 7 shop days including today (`from` the start of the day 6 days ago, `to`
 * the start of tomorrow), granularity hour for ranges up to 2 days and day otherwise, limit
 * DEFAULT_TOP_ROWS, min_score 0.5, format json.
 */
export function parseHistoryParams(raw: URLSearchParams, shop: ShopSettings, now: number): HistoryParams {
  const seen = new Set<string>();
  const obj: Record<string, string> = Object.create(null);
  for (const [k, v] of raw) {
    if (seen.has(k)) throw new HttpError('bad_request', `${excerpt(k)}: given more than once`);
    seen.add(k);
    obj[k] = v;
  }
  const parsed = paramsSchema(shop.timeZone).safeParse({ ...obj });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      throw new HttpError('bad_request', `${excerpt(issue.keys[0])}: unknown parameter (use from, to, granularity, limit, min_score, format)`);
    }
    throw new HttpError('bad_request', `${String(issue.path[0] ?? 'query')}: ${issue.message}`);
  }
  const p = parsed.data;
  const tz = shop.timeZone;
  const to = p.to ?? nextDayStartIn(tz, now);
  const from = p.from ?? dayStartIn(tz, dayStartIn(tz, now) - 6 * DAY_MS + 12 * HOUR_MS);
  if (to <= from) throw new HttpError('bad_request', 'to: must be after from');
  // a range of N local days may be an hour longer than N × 24 h (a DST day)
  const span = to - from;
  if (span > MAX_RANGE_DAYS * DAY_MS + HOUR_MS) throw new HttpError('bad_request', `to: the range may cover at most ${MAX_RANGE_DAYS} days`);
  if (to > now + DAY_MS) throw new HttpError('bad_request', 'to: may be at most 1 day in the future');
  const granularity: Granularity = p.granularity ?? (span <= 2 * DAY_MS + HOUR_MS ? 'hour' : 'day');
  if (granularity === 'hour' && span > MAX_HOURLY_RANGE_DAYS * DAY_MS + HOUR_MS) {
    throw new HttpError('bad_request', `granularity: hourly buckets cover at most ${MAX_HOURLY_RANGE_DAYS} days; use granularity=day`);
  }
  return { from, to, granularity, limit: p.limit ?? DEFAULT_TOP_ROWS, minScore: p.min_score ?? 0.5, format: p.format ?? 'json', now };
}

interface CacheEntry {
  result: HistoryResult;
  expires: number;
}

interface SharedRun {
  promise: Promise<HistoryResult>;
  controller: AbortController;
  waiting: number;
}

const isAbort = (err: unknown) => (err as { name?: string } | null)?.name === 'AbortError';

function abortError(): Error {
  const err = new Error('the history query was cancelled');
  err.name = 'AbortError';
  return err;
}

export function createHistoryService(opts: HistoryServiceOptions): HistoryService {
  const { engine, shop, lake } = opts;
  const now = opts.now ?? Date.now;
  const cacheLimits = opts.cache ?? { maxEntries: 200, ttlMs: 10 * 60_000 };
  const cache = new Map<string, CacheEntry>();
  const running = new Map<string, SharedRun>();
  const shopInfo = { currency: shop.currency, minorUnits: shop.minorUnits, timeZone: shop.timeZone };
  let newest: { at: number; value: Promise<number | null> } | null = null;

  const newestEventTime = (): Promise<number | null> => {
    const t = now();
    if (!newest || t - newest.at > 5_000) {
      const value = engine.newestEventTime().catch(() => null);
      newest = { at: t, value };
    }
    return newest.value;
  };

  const cached = (key: string): HistoryResult | null => {
    const hit = cache.get(key);
    if (!hit) return null;
    cache.delete(key);
    if (hit.expires <= now()) return null;
    cache.set(key, hit); // most recently used last
    return hit.result;
  };

  const remember = (key: string, result: HistoryResult) => {
    cache.set(key, { result, expires: now() + cacheLimits.ttlMs });
    while (cache.size > cacheLimits.maxEntries) cache.delete(cache.keys().next().value!);
  };

  const compute = async (view: HistoryView, p: ViewParams, signal: AbortSignal): Promise<HistoryResult> => {
    const def = VIEW_DEFINITIONS[view];
    const started = performance.now();
    const query = def.build(engine.dialect, p, shop);
    const [result, lakeNewest] = await Promise.all([engine.run(query, { signal }), newestEventTime()]);
    const out = def.finish(result, p, shop);
    return {
      view,
      from: p.from,
      to: p.to,
      granularity: p.granularity,
      shop: shopInfo,
      columns: def.columns,
      rows: out.rows,
      stats: {
        engine: engine.kind,
        elapsedMs: Math.round((performance.now() - started) * 10) / 10,
        bytesScanned: result.bytesScanned,
        filesScanned: result.filesScanned,
        queryId: result.queryId,
      },
      cached: false,
      computedAt: now(),
      lakeNewestEventTime: lakeNewest,
      notes: out.notes,
    };
  };

  /** waits for a shared run; when every waiter has given up, the run is cancelled */
  const join = (run: SharedRun, signal: AbortSignal | undefined): Promise<HistoryResult> => {
    run.waiting++;
    if (!signal) return run.promise.finally(() => run.waiting--);
    return new Promise<HistoryResult>((resolve, reject) => {
      let done = false;
      const leave = () => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        run.waiting--;
      };
      const onAbort = () => {
        leave();
        if (run.waiting === 0) run.controller.abort();
        reject(abortError());
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      run.promise.then(
        (r) => {
          if (done) return;
          leave();
          resolve(r);
        },
        (err) => {
          if (done) return;
          leave();
          reject(err);
        },
      );
    });
  };

  return {
    index(): HistoryIndex {
      return {
        views: HISTORY_VIEWS.map((view) => ({ view, label: VIEW_LABELS[view], bucketed: BUCKETED_VIEWS.includes(view) })),
        shop: shopInfo,
        engine: engine.kind,
        lake: { kind: lake.kind, location: lake.location, visibleWithinMs: lake.visibleWithinMs },
        limits: { maxRangeDays: MAX_RANGE_DAYS, maxHourlyRangeDays: MAX_HOURLY_RANGE_DAYS, maxTopRows: MAX_TOP_ROWS },
      };
    },

    async query(view, rawParams, signal) {
      if (!isHistoryView(view)) throw new HttpError('not_found', `no history view "${excerpt(view)}" (views: ${HISTORY_VIEWS.join(', ')})`);
      if (signal?.aborted) throw abortError();
      const t = now();
      const p = parseHistoryParams(rawParams, shop, t);
      const def = VIEW_DEFINITIONS[view];
      const key = JSON.stringify([
        view,
        p.from,
        p.to,
        def.bucketed ? p.granularity : null,
        def.uses.includes('limit') ? p.limit : null,
        def.uses.includes('minScore') ? p.minScore : null,
      ]);
      // closed: everything sent on time for the event times the query reads is in the lake
      const scanEnd = def.build(engine.dialect, p, shop).scan.toMs;
      const closed = scanEnd <= t - 2 * lake.visibleWithinMs;
      if (closed) {
        const hit = cached(key);
        if (hit) return { ...hit, cached: true };
      }
      // open periods share a run only with queries of the same minute (the clock is a parameter)
      const runKey = closed ? key : `${key}|${Math.floor(t / 60_000)}`;
      let run = running.get(runKey);
      if (!run) {
        const controller = new AbortController();
        const shared: SharedRun = { controller, waiting: 0, promise: null as unknown as Promise<HistoryResult> };
        shared.promise = compute(view, p, controller.signal).then(
          (result) => {
            if (running.get(runKey) === shared) running.delete(runKey);
            if (closed) remember(key, result);
            return result;
          },
          (err) => {
            if (running.get(runKey) === shared) running.delete(runKey);
            throw err;
          },
        );
        shared.promise.catch(() => undefined);
        running.set(runKey, shared);
        run = shared;
        // a run every waiter left is forgotten at once, so the next query starts afresh
        controller.signal.addEventListener('abort', () => {
          if (running.get(runKey) === shared) running.delete(runKey);
        });
      }
      try {
        return await join(run, signal);
      } catch (err) {
        if (isAbort(err)) throw abortError();
        throw err;
      }
    },

    close: () => engine.close(),
  };
}
