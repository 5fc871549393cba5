'use client';

import { assessFreshness } from '@/components/hooks/freshness';
import { useLiveFeed } from '@/components/hooks/useLiveFeed';
import { useNow } from '@/components/hooks/useNow';
import { LiveHeader } from '@/components/live/LiveHeader';
import { PipelinePanel } from '@/components/live/PipelinePanel';
import { Panel } from '@/components/ui/Panel';
import { staleMessage } from '@/components/ui/staleMessage';
import { formatAge } from '@/lib/format';
import { formatTimeIn, zoneLabel } from '@/lib/shopTime';
import { DeadLettersPanel } from './DeadLettersPanel';
import { EventLogPanel } from './EventLogPanel';
import { failingDependencies, readableFetchError, UNREACHABLE } from './healthBody';
import { dependencyLabel, HealthPanel } from './HealthPanel';
import { HEALTH_POLL_MS, useHealth } from './healthQuery';
import { usePipelineHistory } from './historyQuery';
import { HistoryPanel } from './HistoryPanel';

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The operators' pipeline page: is the pipeline healthy, is it keeping up, and what failed.
 * Health and the last hour's samples are polled; the pipeline numbers come from the same live
 * snapshot as the overview.
 */
export function PipelineView() {
  const feed = useLiveFeed();
  const now = useNow();
  const health = useHealth();
  const history = usePipelineHistory();
  const { snapshot } = feed;
  // the shop's zone once a snapshot says it; UTC, labelled as such, until then
  const timeZone = snapshot?.shop.timeZone ?? 'UTC';
  const freshness = now === null ? null : assessFreshness({ ...feed, now });
  const stale = freshness ? staleMessage(freshness, feed.status) : null;
  const checkedAgoMs = health.dataUpdatedAt && now !== null ? Math.max(0, now - health.dataUpdatedAt) : null;
  const down = health.data ? failingDependencies(health.data) : [];
  const healthError = health.error ? readableFetchError(health.error.message) : null;
  const historyError = history.error ? readableFetchError(history.error.message) : null;
  // nothing answers: with the socket still delivering, the server is reachable after all and a
  // failing health check is said as such below
  const unreachable = feed.status !== 'live' && (healthError === UNREACHABLE || historyError === UNREACHABLE);
  const lastReceivedAt = Math.max(health.dataUpdatedAt, history.dataUpdatedAt, feed.receivedAt ?? 0) || null;

  return (
    <div className="overview">
      <LiveHeader snapshot={snapshot} status={feed.status} freshness={freshness} />
      <main className="overview-main pipeline-main">
        {unreachable && <Unreachable lastReceivedAt={lastReceivedAt} now={now} timeZone={timeZone} />}
        {!unreachable && health.data && health.isError && (
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
        {stale && !unreachable && (
          <div className={`notice notice-${stale.level}`} role="alert" data-testid="stale-banner" data-state={freshness?.state}>
            <strong>{stale.title}</strong>
            <span>{stale.detail}</span>
          </div>
        )}
        {snapshot ? (
          <PipelinePanel snapshot={snapshot} />
        ) : (
          <Panel title="Pipeline health" testId="pipeline-panel">
            <p className="muted">
              {feed.fetchError ? `Cannot load live metrics: ${readableFetchError(feed.fetchError)}. Retrying…` : 'Loading live metrics…'}
            </p>
          </Panel>
        )}
        <HistoryPanel history={history.data} error={historyError} timeZone={timeZone} now={now} />
        <div className="pipeline-grid">
          <div className="pipeline-col">
            <EventLogPanel health={health.data} error={healthError} />
            <DeadLettersPanel liveCount={snapshot?.pipeline.deadLetters} />
          </div>
          <HealthPanel health={health.data} checkedAgoMs={checkedAgoMs} error={healthError} />
        </div>
      </main>
    </div>
  );
}

/**
 * Nothing answers: not the socket, not the health check, not the history. Says when anything last came in (so
 * the figures below can be judged) and that the page recovers by itself.
 */
function Unreachable({ lastReceivedAt, now, timeZone }: { lastReceivedAt: number | null; now: number | null; timeZone: string }) {
  const last =
    lastReceivedAt === null
      ? 'Nothing has been received from it since this page was opened.'
      : `Data last received at ${formatTimeIn(timeZone, lastReceivedAt, { seconds: true })} ${zoneLabel(timeZone, lastReceivedAt)}${
          now === null ? '' : ` (${formatAge(Math.max(0, now - lastReceivedAt))})`
        }; what is shown is from then.`;
  return (
    <div className="notice notice-critical" role="alert" data-testid="server-unreachable" data-last-received={lastReceivedAt ?? undefined}>
      <strong>The server cannot be reached.</strong>
      <span>
        {last} This page tries again every {HEALTH_POLL_MS / 1000} s and catches up by itself once the server answers.
      </span>
    </div>
  );
}
