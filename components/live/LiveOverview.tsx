'use client';

import Link from 'next/link';
import { assessFreshness } from '@/components/hooks/freshness';
import { useLiveFeed } from '@/components/hooks/useLiveFeed';
import { useNow } from '@/components/hooks/useNow';
import { AlertFeed } from './AlertFeed';
import { EmptyState } from './EmptyState';
import { EventsByTypePanel } from './EventsByTypePanel';
import { FunnelPanel } from './FunnelPanel';
import { InventoryPanel } from './InventoryPanel';
import { KpiRow } from './KpiRow';
import { LiveHeader } from './LiveHeader';
import { PipelinePanel } from './PipelinePanel';
import { SessionsPanel } from './SessionsPanel';
import { StatusNotices } from './StatusNotices';
import { TopCountriesPanel, TopProductsPanel } from './TopListsPanels';
import { ActiveUsersChartPanel, OrdersChartPanel, RevenueChartPanel } from './TrendPanels';

/**
 * The analysts' live overview: every live metric of the shop on one page. The alert feed comes
 * first in the document so that on a phone it sits right under the headline tiles; on wider
 * screens the grid puts it in a column of its own beside the panels.
 */
export function LiveOverview() {
  const feed = useLiveFeed();
  const now = useNow();
  const { snapshot, receivedAt } = feed;
  const freshness = now === null ? null : assessFreshness({ ...feed, now });
  // The server's clock, estimated: the snapshot's time plus what has passed here since.
  const serverNow = snapshot && receivedAt !== null && now !== null ? snapshot.computedAt + Math.max(0, now - receivedAt) : null;
  const noEventsYet = snapshot !== undefined && snapshot.newestReceivedAt === null;
  const untrusted = freshness !== null && (freshness.state === 'stale' || freshness.state === 'disconnected');

  return (
    <div className="overview page-scaled">
      <LiveHeader snapshot={snapshot} status={feed.status} freshness={freshness} />
      <main className={`overview-main ${untrusted ? 'overview-untrusted' : ''}`}>
        <StatusNotices snapshot={snapshot} freshness={freshness} status={feed.status} />
        {!snapshot ? (
          <div className="loading" data-testid="loading">
            {feed.fetchError ? `Cannot load live metrics: ${readableFetchError(feed.fetchError)}. Retrying…` : 'Loading live metrics…'}
          </div>
        ) : (
          <>
            {noEventsYet ? <EmptyState /> : <KpiRow snapshot={snapshot} />}
            <Link href="/history?preset=7d" className="overview-history-link small" data-testid="history-link">
              See the last 7 days →
            </Link>
            <div className="overview-grid">
              <AlertFeed alerts={snapshot.alerts} shop={snapshot.shop} serverNow={serverNow} />
              <div className="overview-panels">
                {!noEventsYet && (
                  <>
                    <RevenueChartPanel snapshot={snapshot} />
                    <OrdersChartPanel snapshot={snapshot} />
                    <ActiveUsersChartPanel snapshot={snapshot} />
                    <FunnelPanel snapshot={snapshot} />
                    <TopProductsPanel snapshot={snapshot} />
                    <TopCountriesPanel snapshot={snapshot} />
                    <SessionsPanel snapshot={snapshot} />
                    <EventsByTypePanel snapshot={snapshot} />
                    <InventoryPanel snapshot={snapshot} />
                  </>
                )}
                <PipelinePanel snapshot={snapshot} />
              </div>
            </div>
          </>
        )}
      </main>
    </div>
  );
}

/** A browser's network failure ("Failed to fetch", "NetworkError…") says nothing to a person. */
function readableFetchError(message: string): string {
  return message.startsWith('GET ') ? message : 'the Pulse server cannot be reached';
}
