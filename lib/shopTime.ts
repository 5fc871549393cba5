/**
 * Calendar days, hours and clock labels in the shop's IANA time zone, from Intl alone so the
 * browser and the server agree. A local day is not always 24 h long (23 h and 25 h on DST days)
 * and does not always start at 00:00 (America/Santiago and America/Havana skip midnight when
 * DST starts), so day starts are found by asking Intl for the local date, never by adding hours.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// no zone is further than 14 h from UTC; with slack, local time at (UTC midnight − 16 h) is on the
// day before, and at (UTC midnight + 16 h) on the day itself or later
const SEARCH_MS = 16 * HOUR_MS;

const zoneValidity = new Map<string, boolean>();

/** True when Intl knows `tz` as a time zone ("Europe/Berlin", "UTC", "Asia/Kolkata"). */
export function isValidTimeZone(tz: string): boolean {
  let ok = zoneValidity.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      ok = tz !== '';
    } catch {
      ok = false;
    }
    if (zoneValidity.size > 1_000) zoneValidity.clear();
    zoneValidity.set(tz, ok);
  }
  return ok;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: string, tz: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${kind}|${tz}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(kind === 'parts' ? 'en-US' : 'en-GB', { calendar: 'gregory', numberingSystem: 'latn', ...options, timeZone: tz });
    formatters.set(key, f);
  }
  return f;
}

const PARTS_OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
};

interface LocalInstant {
  /** The local calendar date as whole days since 1970-01-01. */
  day: number;
  /** Local wall time minus UTC at this instant, in ms (whole seconds). */
  offset: number;
}

// "3/29/2026, 14:05:09" from the en-US pattern; format() plus this is several times faster than
// formatToParts, which stays as the fallback for an engine that spells the pattern differently
const NUMERIC_DATE_TIME = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

/** The local date and UTC offset of instant `ts` in zone `tz`. */
function localAt(tz: string, ts: number): LocalInstant {
  const f = formatter('parts', tz, PARTS_OPTIONS);
  let year: number, month: number, day: number, hour: number, minute: number, second: number;
  const m = NUMERIC_DATE_TIME.exec(f.format(ts));
  if (m) {
    month = Number(m[1]);
    day = Number(m[2]);
    year = Number(m[3]);
    hour = Number(m[4]);
    minute = Number(m[5]);
    second = Number(m[6]);
  } else {
    const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const p of f.formatToParts(ts)) parts[p.type] = Number(p.value);
    year = parts.year ?? NaN;
    month = parts.month ?? NaN;
    day = parts.day ?? NaN;
    hour = parts.hour ?? NaN;
    minute = parts.minute ?? NaN;
    second = parts.second ?? NaN;
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0–99 as written
  wall.setUTCHours(hour % 24, minute, second, 0); // some engines print midnight as 24
  const local = wall.getTime();
  return { day: Math.floor(local / DAY_MS), offset: local - Math.floor(ts / 1000) * 1000 };
}

function localDay(tz: string, ts: number): number {
  return localAt(tz, ts).day;
}

/**
 * The first instant whose local date in `tz` is `day` or later. `offsetGuess` (the offset near
 * that instant) usually lands on it at once; otherwise a binary search over the ±16 h around UTC
 * midnight of that date, where local dates only move forward, finds it to the millisecond.
 */
function firstInstantOfDay(tz: string, day: number, offsetGuess: number): number {
  const utcMidnight = day * DAY_MS;
  let lo = utcMidnight - SEARCH_MS; // local date before `day`
  let hi = utcMidnight + SEARCH_MS; // local date `day` or later
  let offset = offsetGuess;
  for (let attempt = 0; attempt < 3; attempt++) {
    const candidate = utcMidnight - offset;
    if (candidate <= lo || candidate >= hi) break;
    const at = localAt(tz, candidate);
    if (at.day >= day) {
      const before = localAt(tz, candidate - 1);
      if (before.day < day) return candidate;
      // the day began earlier: the guess came from after a clock change, or midnight happened twice
      hi = candidate;
      if (before.offset === offset) break;
      offset = before.offset;
    } else {
      lo = candidate;
      if (at.offset === offset) break; // midnight does not exist at this offset: search
      offset = at.offset;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(tz, mid) >= day) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The first instant (epoch ms) of the local calendar day in `tz` that contains `ts`. */
export function dayStartIn(tz: string, ts: number): number {
  const { day, offset } = localAt(tz, ts);
  return firstInstantOfDay(tz, day, offset);
}

/** The first instant of the local calendar day after the one in `tz` that contains `ts`. */
export function nextDayStartIn(tz: string, ts: number): number {
  const { day, offset } = localAt(tz, ts);
  return firstInstantOfDay(tz, day + 1, offset);
}

/**
 * The start of the local hour containing `ts`: a whole local hour in every zone, so it is
 * hh:30 UTC in Asia/Kolkata. When the clock changed within that hour, the change itself starts
 * the hour (Australia/Lord_Howe's 30-minute shifts).
 */
export function hourStartIn(tz: string, ts: number): number {
  const { offset } = localAt(tz, ts);
  const candidate = Math.floor((ts + offset) / HOUR_MS) * HOUR_MS - offset;
  if (localAt(tz, candidate).offset === offset) return candidate;
  // the offset changed between the candidate and ts: the hour starts at that change
  let lo = candidate;
  let hi = ts;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localAt(tz, mid).offset === offset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Local days of one zone for the per-event hot path: remembers the current [start, next) range,
 * so a timestamp inside it costs two comparisons instead of Intl calls.
 */
export class DayCalendar {
  private start = 0;
  private next = 0; // start === next: nothing remembered yet

  constructor(readonly timeZone: string) {
    if (!isValidTimeZone(timeZone)) throw new RangeError(`"${timeZone}" is not an IANA time zone Intl knows`);
  }

  /** The first instant of the local day containing `ts`. */
  dayStart(ts: number): number {
    if (ts < this.start || ts >= this.next) this.load(ts);
    return this.start;
  }

  /** The first instant of the local day after the one containing `ts`. */
  nextDayStart(ts: number): number {
    if (ts < this.start || ts >= this.next) this.load(ts);
    return this.next;
  }

  private load(ts: number): void {
    const { day, offset } = localAt(this.timeZone, ts);
    this.start = firstInstantOfDay(this.timeZone, day, offset);
    this.next = firstInstantOfDay(this.timeZone, day + 1, offset);
  }
}

/** "18:48", or "18:48:05" with `seconds`: the 24-hour local clock in `tz`. */
export function formatTimeIn(tz: string, ts: number, opts: { seconds?: boolean } = {}): string {
  return opts.seconds
    ? formatter('hms', tz, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ts)
    : formatter('hm', tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ts);
}

/** "1 Dec 2026, 18:48" in `tz`. */
export function formatDateTimeIn(tz: string, ts: number): string {
  return formatter('datetime', tz, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ts);
}

/** "Tue 1 Dec" in `tz`. */
export function formatDayIn(tz: string, ts: number): string {
  return formatter('day', tz, { weekday: 'short', day: 'numeric', month: 'short' }).format(ts);
}

/** The zone's short name at that instant, as Intl gives it in en-GB: "UTC", "CET"/"CEST", "GMT-5", "GMT+5:30". */
export function zoneLabel(tz: string, ts: number): string {
  const parts = formatter('zone', tz, { timeZoneName: 'short' }).formatToParts(ts);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? tz;
}
