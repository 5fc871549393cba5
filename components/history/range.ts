import { MAX_HOURLY_RANGE_DAYS, MAX_RANGE_DAYS, type Granularity } from '@/lib/history';
import { dayStartIn, hourStartIn, nextDayStartIn } from '@/lib/shopTime';

/**
 * The range an analyst looks at, as the URL holds it (?preset=7d, or ?from=2026-11-01&to=2026-12-01,
 * plus &g=day and &compare=0), and what it means in the shop's time zone. Days are calendar days
 * of the shop (`to` exclusive, as the API takes them); their instants come from lib/shopTime, so a
 * 23- or 25-hour DST day is one day, never 24 hours shifted.
 */

export const PRESETS = ['today', 'yesterday', '7d', '30d'] as const;
export type Preset = (typeof PRESETS)[number];
export const PRESET_LABELS: Record<Preset, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};
export const DEFAULT_PRESET: Preset = '7d';

/** a period counts as closed (and is cached for good) once its end is this far in the past: late events settle by then */
export const CLOSED_AFTER_MS = 5 * 60_000;
/** hourly buckets by default up to this many days */
const HOURLY_DEFAULT_DAYS = 2;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type RangeSpec = { kind: 'preset'; preset: Preset } | { kind: 'custom'; from: string; to: string };

export interface Selection {
  range: RangeSpec;
  /** as the URL asks; null: the default for the range */
  granularity: Granularity | null;
  compare: boolean;
}

/** A range made concrete: the API's parameters and the instants they stand for. */
export interface ResolvedRange {
  /** the first day, YYYY-MM-DD in the shop zone */
  fromDate: string;
  /** the day after the last one (exclusive) */
  toDate: string;
  fromMs: number;
  toMs: number;
  days: number;
  /** the range reaches into the last CLOSED_AFTER_MS (or the future): its figures still change */
  open: boolean;
  /** where its buckets stop: the range's end, or now for an open range */
  endMs: number;
  granularity: Granularity;
  /** hourly buckets may be asked for */
  hourAllowed: boolean;
}

/** The previous period of equal length, as the API's from/to (ISO instants when it is cut short). */
export interface PreviousPeriod {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
  /** how it is described: "the previous 7 days", "yesterday until 14:05" */
  cutAtMs: number | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whole days since 1970-01-01 of a YYYY-MM-DD date, or null for anything else (2026-02-30 included). */
export function dayNumber(date: string): number | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / DAY_MS;
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`"${date}" is not a date (YYYY-MM-DD)`);
  return dateOfDayNumber(day + n);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The shop's calendar date at instant `ts`, YYYY-MM-DD. */
export function localDateOf(tz: string, ts: number): string {
  let f = dateFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, calendar: 'gregory', numberingSystem: 'latn', year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(ts).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The first instant of calendar day `date` in `tz`. */
export function startOfDate(tz: string, date: string): number {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`"${date}" is not a date (YYYY-MM-DD)`);
  // UTC noon of the date is that date, or one next to it, in every zone (offsets lie within ±14 h)
  let probe = day * DAY_MS + 12 * HOUR_MS;
  for (let i = 0; i < 4; i++) {
    const local = dayNumber(localDateOf(tz, probe))!;
    if (local === day) return dayStartIn(tz, probe);
    probe += (day - local) * 12 * HOUR_MS;
  }
  return dayStartIn(tz, probe);
}

export function presetDates(preset: Preset, today: string): { from: string; to: string } {
  switch (preset) {
    case 'today':
      return { from: today, to: addDays(today, 1) };
    case 'yesterday':
      return { from: addDays(today, -1), to: today };
    case '7d':
      return { from: addDays(today, -6), to: addDays(today, 1) };
    case '30d':
      return { from: addDays(today, -29), to: addDays(today, 1) };
  }
}

export const defaultGranularity = (days: number): Granularity => (days <= HOURLY_DEFAULT_DAYS ? 'hour' : 'day');

export function resolveRange(selection: Selection, tz: string, now: number): ResolvedRange {
  const today = localDateOf(tz, now);
  const { from, to } = selection.range.kind === 'preset' ? presetDates(selection.range.preset, today) : selection.range;
  const fromMs = startOfDate(tz, from);
  const toMs = startOfDate(tz, to);
  const days = dayNumber(to)! - dayNumber(from)!;
  const hourAllowed = days <= MAX_HOURLY_RANGE_DAYS;
  const asked = selection.granularity;
  const granularity = asked === 'day' || (asked === 'hour' && hourAllowed) ? asked : defaultGranularity(days);
  return {
    fromDate: from,
    toDate: to,
    fromMs,
    toMs,
    days,
    open: toMs > now - CLOSED_AFTER_MS,
    endMs: Math.max(fromMs, Math.min(toMs, now)),
    granularity,
    hourAllowed,
  };
}

/** the comparison of an open period moves in steps this long, so its cache key stays put between them */
const CUT_STEP_MS = 5 * 60_000;

/**
 * The same number of calendar days just before the range. A range still running (today, the last
 * 7 days) is compared up to the same point: today until 14:05 with yesterday until 14:05, not
 * with all of yesterday.
 */
export function previousPeriod(range: ResolvedRange, tz: string, now: number): PreviousPeriod {
  const from = addDays(range.fromDate, -range.days);
  const fromMs = startOfDate(tz, from);
  if (!range.open || now >= range.toMs) {
    return { from, to: range.fromDate, fromMs, toMs: range.fromMs, cutAtMs: null };
  }
  const elapsed = Math.max(0, Math.floor((now - range.fromMs) / CUT_STEP_MS) * CUT_STEP_MS);
  const toMs = Math.min(range.fromMs, fromMs + elapsed);
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), fromMs, toMs, cutAtMs: toMs };
}

/** The bucket starts of [fromMs, endMs): local hours or local days of the shop. */
export function bucketStarts(tz: string, fromMs: number, endMs: number, granularity: Granularity): number[] {
  const out: number[] = [];
  let t = granularity === 'day' ? dayStartIn(tz, fromMs) : hourStartIn(tz, fromMs);
  // bounded: 93 days of hours at most
  for (let i = 0; t < endMs && i < 24 * 100; i++) {
    out.push(t);
    const next = granularity === 'day' ? nextDayStartIn(tz, t) : hourStartIn(tz, t + HOUR_MS);
    t = next > t ? next : t + HOUR_MS;
  }
  return out;
}

/** The selection in a URL: an unknown or broken parameter falls back to the default, and `problem` says why. */
export function parseSelection(params: URLSearchParams): { selection: Selection; problem: string | null } {
  const g = params.get('g');
  const granularity: Granularity | null = g === 'hour' || g === 'day' ? g : null;
  const compare = params.get('compare') !== '0';
  const preset = params.get('preset');
  const from = params.get('from');
  const to = params.get('to');
  let problem: string | null = g !== null && granularity === null ? `"${g}" is not a granularity (hour or day)` : null;
  if (from !== null || to !== null) {
    const checked = checkCustomRange(from ?? '', to ?? '');
    if (checked.ok) return { selection: { range: { kind: 'custom', from: checked.from, to: checked.to }, granularity, compare }, problem };
    problem = `The link's range is not valid: ${checked.error}. Showing ${PRESET_LABELS[DEFAULT_PRESET].toLowerCase()} instead.`;
  } else if (preset !== null && !(PRESETS as readonly string[]).includes(preset)) {
    problem = `"${preset}" is not a preset this page knows. Showing ${PRESET_LABELS[DEFAULT_PRESET].toLowerCase()} instead.`;
  }
  const chosen = preset !== null && (PRESETS as readonly string[]).includes(preset) ? (preset as Preset) : DEFAULT_PRESET;
  return { selection: { range: { kind: 'preset', preset: chosen }, granularity, compare }, problem };
}

export function selectionParams(selection: Selection): URLSearchParams {
  const p = new URLSearchParams();
  if (selection.range.kind === 'preset') p.set('preset', selection.range.preset);
  else {
    p.set('from', selection.range.from);
    p.set('to', selection.range.to);
  }
  if (selection.granularity) p.set('g', selection.granularity);
  if (!selection.compare) p.set('compare', '0');
  return p;
}

export type RangeCheck = { ok: true; from: string; to: string } | { ok: false; error: string };

/** A custom range from the URL (`to` exclusive). */
export function checkCustomRange(from: string, to: string): RangeCheck {
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (a === null) return { ok: false, error: from ? `the start "${from}" is not a date` : 'the start date is missing' };
  if (b === null) return { ok: false, error: to ? `the end "${to}" is not a date` : 'the end date is missing' };
  if (b <= a) return { ok: false, error: 'the end must come after the start' };
  if (b - a > MAX_RANGE_DAYS) return { ok: false, error: `a range covers at most ${MAX_RANGE_DAYS} days; this one has ${b - a}` };
  return { ok: true, from, to };
}

/**
 * The date inputs' values (both days included, as a person picks them) to a range; `today` keeps
 * a range from starting in the future.
 */
export function checkPickedDays(first: string, last: string, today: string): RangeCheck {
  if (!first) return { ok: false, error: 'Choose the first day.' };
  if (!last) return { ok: false, error: 'Choose the last day.' };
  const a = dayNumber(first);
  const b = dayNumber(last);
  if (a === null) return { ok: false, error: `“${first}” is not a date.` };
  if (b === null) return { ok: false, error: `“${last}” is not a date.` };
  if (b < a) return { ok: false, error: 'The last day comes before the first one.' };
  if (a > dayNumber(today)!) return { ok: false, error: 'The range starts in the future; there is nothing there yet.' };
  if (b > dayNumber(today)!) return { ok: false, error: `The last day is after today (${today}); choose today or earlier.` };
  if (b - a + 1 > MAX_RANGE_DAYS) return { ok: false, error: `Choose at most ${MAX_RANGE_DAYS} days (this is ${b - a + 1}).` };
  return { ok: true, from: first, to: addDays(last, 1) };
}
