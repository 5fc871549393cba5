import { Panel } from '@/components/ui/Panel';
import { formatShare } from '@/components/ui/numbers';
import { formatEventType, formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { WindowMeta } from './WindowMeta';

const KNOWN_COLORS: Record<string, string> = {
  page_view: '#6366f1',
  add_to_cart: '#f59e0b',
  purchase: '#0d9488',
};
const MAX_ROWS = 8;

export function EventsByTypePanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const rows = Object.entries(snapshot.eventsByType).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const shown = rows.slice(0, MAX_ROWS);
  const others = rows.slice(MAX_ROWS).reduce((sum, [, n]) => sum + n, 0);
  const max = Math.max(1, ...shown.map(([, n]) => n));
  return (
    <Panel title="Events by type" meta={<WindowMeta snapshot={snapshot} minutes={60}>{` · ${formatNumber(total)} total`}</WindowMeta>} testId="events-by-type">
      {rows.length === 0 ? (
        <p className="muted">No events in the last 60 minutes.</p>
      ) : (
        <ul className="bar-list">
          {shown.map(([type, count]) => (
            <li key={type} className="bar-row" data-testid="event-type-row" data-type={type} data-value={count}>
              <span className="bar-label">{formatEventType(type)}</span>
              <span className="bar-track">
                <span
                  className="bar-fill"
                  style={{ width: `${(count / max) * 100}%`, background: KNOWN_COLORS[type] ?? '#94a3b8' }}
                />
              </span>
              <span className="bar-value">{formatNumber(count)}</span>
              <span className="bar-share" data-testid="event-type-share">{formatShare(count, total) ?? ''}</span>
            </li>
          ))}
          {others > 0 && (
            <li className="bar-row bar-row-others">
              <span className="bar-label">{rows.length - MAX_ROWS} other types</span>
              <span className="bar-track" />
              <span className="bar-value">{formatNumber(others)}</span>
              <span className="bar-share">{formatShare(others, total) ?? ''}</span>
            </li>
          )}
        </ul>
      )}
    </Panel>
  );
}
