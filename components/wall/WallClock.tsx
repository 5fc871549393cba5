import { formatMinute } from '@/lib/format';

const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
const dateFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });

/** Local wall-clock time, big, with the UTC time the metrics are bucketed by. */
export function WallClock({ now }: { now: number | null }) {
  if (now === null) return <div className="wall-clock" />;
  return (
    <div className="wall-clock" data-testid="wall-clock">
      <span className="wall-clock-time">{timeFormat.format(now)}</span>
      <span className="wall-clock-date">
        {dateFormat.format(now)} · {formatMinute(now)} UTC
      </span>
    </div>
  );
}
