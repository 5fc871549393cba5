import { formatDayIn, formatTimeIn, zoneLabel } from '@/lib/shopTime';

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
        {formatDayIn(timeZone, now)} · {timeZone}
      </span>
    </div>
  );
}
