import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatDuration, formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';

export function SessionsPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const { sessions } = snapshot;
  return (
    <Panel title="Sessions" meta="live sessions" testId="sessions-panel">
      <div className="stat-grid stat-grid-2">
        <Stat label="Active sessions" display={formatNumber(sessions.active)} value={sessions.active} testId="sessions-active" />
        <Stat
          label="Avg. duration"
          display={formatDuration(sessions.avgDurationSeconds)}
          value={sessions.avgDurationSeconds}
          testId="sessions-avg-duration"
        />
        <Stat
          label="Avg. unique pages"
          display={formatNumber(sessions.avgUniquePages, 1)}
          value={sessions.avgUniquePages}
          testId="sessions-avg-pages"
        />
        <Stat
          label="Page views / min"
          display={formatNumber(sessions.pageViewsPerMinute, 1)}
          value={sessions.pageViewsPerMinute}
          testId="page-views-per-minute"
        />
      </div>
    </Panel>
  );
}
