import { formatAge } from '@/lib/format';
import { formatDayIn, formatTimeIn, zoneLabel } from '@/lib/shopTime';

/** A moment on an id page: the shop's clock as the figure ("23:27:05 CET"), the day and age beside it. */
export function moment(timeZone: string, ts: number, now: number | null): { display: string; hint: string } {
  const day = formatDayIn(timeZone, ts);
  return {
    display: `${formatTimeIn(timeZone, ts, { seconds: true })} ${zoneLabel(timeZone, ts)}`,
    hint: now === null ? day : `${day} · ${formatAge(Math.max(0, now - ts))}`,
  };
}
