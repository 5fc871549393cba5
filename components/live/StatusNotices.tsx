import type { Freshness } from '@/components/hooks/freshness';
import type { ConnectionStatus } from '@/components/hooks/useLiveFeed';
import { staleMessage } from '@/components/ui/staleMessage';
import type { LiveSnapshot } from '@/lib/live';
import { formatDateTimeIn, zoneLabel } from '@/lib/shopTime';

/** Banners above the panels: an untrustworthy-data warning, and the embedded-mode caveat. */
export function StatusNotices(props: {
  snapshot: LiveSnapshot | undefined;
  freshness: Freshness | null;
  status: ConnectionStatus;
}) {
  const { snapshot, freshness } = props;
  const stale = freshness ? staleMessage(freshness, props.status) : null;
  return (
    <>
      {stale && (
        <div className={`notice notice-${stale.level}`} role="alert" data-testid="stale-banner" data-state={freshness?.state}>
          <strong>{stale.title}</strong>
          <span>{stale.detail}</span>
        </div>
      )}
      {snapshot && !snapshot.durable && (
        <div className="notice notice-info" data-testid="durability-note">
          <strong>Embedded mode: live state is kept in memory only.</strong>
          <span>
            Live counters, sessions and recent alerts start again from zero when the server restarts
            {snapshot.shop.countingSince !== null && (
              <>
                {'; '}
                <span data-testid="counting-since-note">
                  this one has been counting since {formatDateTimeIn(snapshot.shop.timeZone, snapshot.shop.countingSince)}{' '}
                  {zoneLabel(snapshot.shop.timeZone, snapshot.shop.countingSince)}
                </span>
              </>
            )}
            .
          </span>
        </div>
      )}
    </>
  );
}
