import type { LiveSnapshot } from '@/lib/live';
import type { ActiveAlert, TileRule } from '@/lib/alerting';
import type { DeadLetterStore, EventLog, LiveStore } from '@/server/ports';
import type { PipelineStats } from '@/server/pipeline/stats';

/** Builds the full snapshot: live store metrics plus this process's pipeline health. */
export function createSnapshotSource(deps: { store: LiveStore; log: EventLog; stats: PipelineStats; deadLetters: DeadLetterStore; mode: string;
  /** the alert engine's open alerts and the wall's rule-following tiles (web processes) */
  alerting?: () => { activeAlerts: ActiveAlert[]; tileRules: TileRule[] } }) {
  return async function snapshot(now = Date.now()): Promise<LiveSnapshot> {
    const [metrics, backlogs, deadLetters] = await Promise.all([deps.store.snapshot(now), deps.log.backlog(), deps.deadLetters.count()]);
    // screens show how far the live panels are behind: the live consumer's backlog (the lake
    // writer buffers up to LAKE_FLUSH_INTERVAL_MS on purpose; /pipeline shows every consumer's)
    const backlog = backlogs.live ?? Math.max(0, ...Object.values(backlogs));
    const s = deps.stats;
    return {
      computedAt: now,
      mode: deps.mode,
      durable: deps.store.durable && deps.log.durable,
      ...metrics,
      ...(deps.alerting?.() ?? { activeAlerts: [], tileRules: [] }),
      // shared stores count the pipeline of every process; the backlog always comes from the log
      pipeline: metrics.pipeline ? { ...metrics.pipeline, backlog } : {
        eventsPerSecond: s.eventsPerSecond(now),
        acceptedTotal: s.acceptedTotal,
        processedTotal: s.processedTotal,
        rejectedTotal: s.rejectedTotal,
        duplicatesTotal: s.duplicatesTotal,
        deadLetters,
        backlog,
        lagMsP50: s.lagPercentile(50),
        lagMsP99: s.lagPercentile(99),
      },
    };
  };
}
