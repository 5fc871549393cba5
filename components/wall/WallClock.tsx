import { formatTimeIn, zoneLabel } from '@/lib/shopTime';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateIn(timeZone: string, ts: number): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone });
    dateFormats.set(timeZone, f);
  }
  return f.format(ts);
}

/**
 * The shop's time, big, with its zone: every time on the wall is in the shop's time zone,
 * whatever the zone of the computer driving the screen.
 */
export function WallClock({ now, timeZone }: { now: number | null; timeZone: string | null }) {
  if (now === null || timeZone === null) return <div className="wall-clock" />;
  return (
    <div className="wall-clock" data-testid="wall-clock" data-time-zone={timeZone}>
      <span className="wall-clock-time">
        {formatTimeIn(timeZone, now)}
        <span className="wall-clock-zone"> {zoneLabel(timeZone, now)}</span>
      </span>
      <span className="wall-clock-date">
        {dateIn(timeZone, now)} · {timeZone}
      </span>
    </div>
  );
}
