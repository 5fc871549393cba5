import type { Granularity } from '@/lib/history';
import { dayStartIn, formatDayIn, formatTimeIn, zoneLabel } from '@/lib/shopTime';

/** How the bucket charts label time: the shop's clock and calendar. */
export interface BucketAxis {
  /** the tick text: "06:00", "Tue 1 Dec" */
  tick: (at: number) => string;
  /** a bucket in full for a tooltip: "Tue 1 Dec, 14:00–15:00 CET", "Tue 1 Dec" */
  full: (at: number, next?: number) => string;
  ticks: number[];
}

export function bucketAxis(buckets: readonly number[], granularity: Granularity, tz: string): BucketAxis {
  const days = new Set(buckets.map((b) => dayStartIn(tz, b))).size;
  const isDayStart = (at: number) => dayStartIn(tz, at) === at;
  if (granularity === 'day') {
    // about a dozen labels at most, whatever the range
    const step = Math.max(1, Math.ceil(buckets.length / 12));
    return {
      tick: (at) => formatDayIn(tz, at),
      full: (at) => formatDayIn(tz, at),
      ticks: buckets.filter((_, i) => i % step === 0),
    };
  }
  const everyHours = days <= 1 ? 3 : days <= 3 ? 6 : 24;
  const hourOf = (at: number) => Number(formatTimeIn(tz, at).slice(0, 2));
  const dayStep = Math.max(1, Math.ceil(days / 10));
  let dayIndex = -1;
  const ticks = buckets.filter((at) => {
    if (everyHours === 24) {
      if (!isDayStart(at)) return false;
      dayIndex++;
      return dayIndex % dayStep === 0;
    }
    return hourOf(at) % everyHours === 0;
  });
  return {
    tick: (at) => (isDayStart(at) && days > 1 ? formatDayIn(tz, at) : formatTimeIn(tz, at)),
    full: (at, next) => `${formatDayIn(tz, at)}, ${formatTimeIn(tz, at)}${next ? `–${formatTimeIn(tz, next)}` : ''} ${zoneLabel(tz, at)}`,
    ticks,
  };
}
