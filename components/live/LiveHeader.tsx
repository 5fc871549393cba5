import type { Freshness } from '@/components/hooks/freshness';
import type { ConnectionStatus } from '@/components/hooks/useLiveFeed';
import { ConnectionBadge } from '@/components/ui/ConnectionBadge';
import { AppHeader } from '@/components/ui/AppHeader';
import { formatAge } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { formatDateTimeIn, zoneLabel } from '@/lib/shopTime';

export function LiveHeader(props: {
  snapshot: LiveSnapshot | undefined;
  status: ConnectionStatus;
  freshness: Freshness | null;
}) {
  const { snapshot, status, freshness } = props;
  return (
    <AppHeader>
      <>
        {snapshot && <ShopChip shop={snapshot.shop} at={snapshot.computedAt} />}
        {snapshot && (
          <span className="chip chip-mode" data-testid="mode" title={snapshot.durable ? 'Live state is durable' : 'Live state is kept in memory only'}>
            Mode: <strong>{snapshot.mode}</strong>
          </span>
        )}
        <ConnectionBadge status={status} />
        <FreshnessLabel snapshot={snapshot} freshness={freshness} />
      </>
    </AppHeader>
  );
}

/** The currency and time zone every figure on the page is in. */
export function ShopChip({ shop, at }: { shop: Pick<LiveSnapshot['shop'], 'currency' | 'timeZone'>; at: number }) {
  return (
    <span className="chip" data-testid="shop-settings" title={`Money in ${shop.currency}; days and times in ${shop.timeZone}`}>
      <strong>{shop.currency}</strong> · {zoneLabel(shop.timeZone, at)}
    </span>
  );
}

function FreshnessLabel({ snapshot, freshness }: { snapshot: LiveSnapshot | undefined; freshness: Freshness | null }) {
  if (!snapshot || !freshness || freshness.dataAgeMs === null) {
    return (
      <span className="freshness" data-testid="freshness">
        Waiting for data…
      </span>
    );
  }
  const warn = freshness.state !== 'fresh';
  return (
    <span
      className={`freshness ${warn ? 'freshness-warn' : ''}`}
      data-testid="freshness"
      data-age-ms={Math.round(freshness.dataAgeMs)}
      data-state={freshness.state}
      title={`Snapshot computed at ${formatDateTimeIn(snapshot.shop.timeZone, snapshot.computedAt)} ${zoneLabel(snapshot.shop.timeZone, snapshot.computedAt)}`}
    >
      Updated {formatAge(freshness.dataAgeMs)}
      {freshness.eventAgeMs !== null && <span className="freshness-sub"> · last event {formatAge(freshness.eventAgeMs)}</span>}
    </span>
  );
}
