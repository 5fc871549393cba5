import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatDuration, formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';

/** Averages over the sessions active in the last 5 minutes: per session, never site totals. */
export function SessionsPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const { sessions } = snapshot;
  return (
    <Panel title="Sessions" meta="active in the last 5 minutes; averages per session" testId="sessions-panel">
      <div className="stat-grid stat-grid-2">
        <Stat label="Active sessions" display={formatNumber(sessions.active)} value={sessions.active} testId="sessions-active" />
        <Stat
          label="Average duration"
          display={formatDuration(sessions.avgDurationSeconds)}
          value={sessions.avgDurationSeconds}
          testId="sessions-avg-duration"
        />
        <Stat
          label="Unique pages per session"
          display={formatNumber(sessions.avgUniquePages, 1)}
          value={sessions.avgUniquePages}
          testId="sessions-avg-pages"
        />
        <Stat
          label="Page views per session per minute"
          display={formatNumber(sessions.pageViewsPerSessionPerMinute, 1)}
          value={sessions.pageViewsPerSessionPerMinute}
          title="The mean over active sessions of each session's page views per minute (not the site's total)"
          testId="page-views-per-session-per-minute"
        />
      </div>
    </Panel>
  );
}
