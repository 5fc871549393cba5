import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatLag, formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';

/** Backlog above this many events is worth a look; it should drain within seconds. */
const BACKLOG_WARNING = 1_000;

export function PipelinePanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const p = snapshot.pipeline;
  return (
    <Panel title="Pipeline health" meta="throughput, totals and processing lag" testId="pipeline-panel">
      <div className="stat-grid stat-grid-3">
        <Stat label="Events / s" display={formatNumber(p.eventsPerSecond, 1)} value={p.eventsPerSecond} testId="events-per-second" />
        <Stat label="Accepted" display={formatNumber(p.acceptedTotal)} value={p.acceptedTotal} testId="events-accepted" />
        <Stat label="Processed" display={formatNumber(p.processedTotal)} value={p.processedTotal} testId="events-processed" />
        <Stat
          label="Rejected"
          display={formatNumber(p.rejectedTotal)}
          value={p.rejectedTotal}
          testId="events-rejected"
          tone={p.rejectedTotal > 0 ? 'warning' : 'neutral'}
        />
        <Stat label="Duplicates" display={formatNumber(p.duplicatesTotal)} value={p.duplicatesTotal} testId="events-duplicates" />
        <Stat
          label="Dead letters"
          display={formatNumber(p.deadLetters)}
          value={p.deadLetters}
          testId="dead-letters"
          tone={p.deadLetters > 0 ? 'critical' : 'neutral'}
        />
        <Stat
          label="Backlog"
          display={formatNumber(p.backlog)}
          value={p.backlog}
          testId="backlog"
          tone={p.backlog > BACKLOG_WARNING ? 'warning' : 'neutral'}
        />
        <Stat label="Lag p50" display={formatLag(p.lagMsP50)} value={p.lagMsP50} testId="lag-p50" />
        <Stat label="Lag p99" display={formatLag(p.lagMsP99)} value={p.lagMsP99} testId="lag-p99" />
      </div>
    </Panel>
  );
}
