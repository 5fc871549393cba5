import type { Alert } from '@/lib/live';
import type { LiveStore, LogConsumer } from '@/server/ports';
import { log } from '@/server/log';
import type { PipelineStats } from './stats';

/**
 * The consumer of the event log: applies each delivered batch to the live store, counts it and
 * hands fired alerts and "state changed" to live delivery.
 */
export function createProcessor(deps: {
  store: LiveStore;
  stats: PipelineStats;
  onAlerts: (alerts: Alert[]) => void;
  onApplied: () => void;
  now?: () => number;
}): LogConsumer {
  const now = deps.now ?? Date.now;
  return async (records) => {
    const at = now();
    const result = await deps.store.apply(records, at);
    deps.stats.recordProcessed(records.length - result.failed.length, result.lagsMs, at);
    for (const f of result.failed) {
      deps.stats.deadLetters++;
      log.error('event failed processing and was set aside as a dead letter', {
        eventId: f.record.event.eventId,
        error: f.error,
      });
    }
    if (result.alerts.length) deps.onAlerts(result.alerts);
    deps.onApplied();
  };
}
