'use client';

import { assessFreshness } from '@/components/hooks/freshness';
import { useLiveFeed } from '@/components/hooks/useLiveFeed';
import { useNow } from '@/components/hooks/useNow';
import { LiveHeader } from '@/components/live/LiveHeader';
import { PipelinePanel } from '@/components/live/PipelinePanel';
import { Panel } from '@/components/ui/Panel';
import { staleMessage } from '@/components/ui/staleMessage';
import { formatAge } from '@/lib/format';
import { DeadLettersPanel } from './DeadLettersPanel';
import { EventLogPanel } from './EventLogPanel';
import { failingDependencies, readableFetchError } from './healthBody';
import { dependencyLabel, HealthPanel } from './HealthPanel';
import { useHealth } from './healthQuery';

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The operators' pipeline page: is the pipeline healthy, is it keeping up, and what failed.
 * Health is polled; the pipeline numbers come from the same live snapshot as the overview.
 */
export function PipelineView() {
  const feed = useLiveFeed();
  const now = useNow();
  const health = useHealth();
  const { snapshot } = feed;
  const freshness = now === null ? null : assessFreshness({ ...feed, now });
  const stale = freshness ? staleMessage(freshness, feed.status) : null;
  const checkedAgoMs = health.dataUpdatedAt && now !== null ? Math.max(0, now - health.dataUpdatedAt) : null;
  const down = health.data ? failingDependencies(health.data) : [];
  const healthError = health.error ? readableFetchError(health.error.message) : null;

  return (
    <div className="overview">
      <LiveHeader snapshot={snapshot} status={feed.status} freshness={freshness} />
      <main className="overview-main pipeline-main">
        {health.data && health.isError && (
          <div className="notice notice-critical" role="alert" data-testid="health-failing">
            <strong>Health check failing</strong>
            <span>
              {healthError && sentence(healthError)}
              {checkedAgoMs !== null && ` — what is shown was checked ${formatAge(checkedAgoMs)}.`}
            </span>
          </div>
        )}
        {health.data && health.data.status !== 'ok' && (
          <div className="notice notice-critical" role="alert" data-testid="health-degraded">
            <strong>Pipeline degraded: {down.map(([name]) => dependencyLabel(name)).join(', ') || 'a dependency'} down.</strong>
            <span>{down.map(([name, d]) => `${dependencyLabel(name)}: ${d.error ?? 'not answering'}`).join(' · ')}</span>
          </div>
        )}
        {stale && (
          <div className={`notice notice-${stale.level}`} role="alert" data-testid="stale-banner" data-state={freshness?.state}>
            <strong>{stale.title}</strong>
            <span>{stale.detail}</span>
          </div>
        )}
        <div className="pipeline-grid">
          <div className="pipeline-col">
            {snapshot ? (
              <PipelinePanel snapshot={snapshot} />
            ) : (
              <Panel title="Pipeline health" testId="pipeline-panel">
                <p className="muted">
                  {feed.fetchError ? `Cannot load live metrics: ${readableFetchError(feed.fetchError)}. Retrying…` : 'Loading live metrics…'}
                </p>
              </Panel>
            )}
            <EventLogPanel health={health.data} error={healthError} />
            <DeadLettersPanel liveCount={snapshot?.pipeline.deadLetters} />
          </div>
          <HealthPanel health={health.data} checkedAgoMs={checkedAgoMs} error={healthError} />
        </div>
      </main>
    </div>
  );
}
