import type { Alert } from '@/lib/live';
import type { DeadLetterStore, EventLog, LiveStore, LogConsumer } from '@/server/ports';
import { log } from '@/server/log';
import type { PipelineStats } from './stats';

/** A record that fails processing this many times goes to the dead letters. */
export const MAX_ATTEMPTS = 3;

/**
 * The consumer of the event log: applies each delivered batch to the live store (which applies a
 * batch once, however often it is delivered), counts it and hands fired alerts and "state
 * changed" to live delivery. A batch that cannot even be decoded is retried, then dead-lettered.
 */
export function createProcessor(deps: {
  store: LiveStore;
  log: EventLog;
  deadLetters: DeadLetterStore;
  stats: PipelineStats;
  onAlerts: (alerts: Alert[]) => void;
  onApplied: () => void;
  now?: () => number;
}): LogConsumer {
  const now = deps.now ?? Date.now;
  return async (batch) => {
    const at = now();
    if (batch.malformed && batch.deliveries >= MAX_ATTEMPTS) {
      await deps.deadLetters.add([
        { payload: batch.malformed.raw, eventId: null, error: batch.malformed.error, attempts: batch.deliveries, failedAt: at },
      ]);
      await deps.log.ack(batch);
      deps.stats.deadLetters++;
      log.error('undecodable log entry moved to the dead letters', { batch: batch.id, error: batch.malformed.error });
      deps.onApplied();
      return;
    }
    const result = await deps.store.apply(batch, at, MAX_ATTEMPTS);
    if (!result.acked) await deps.log.ack(batch);
    deps.stats.recordProcessed(result.applied, result.lagsMs, at);
    if (result.deadLettered) {
      deps.stats.deadLetters += result.deadLettered;
      log.error('events failed processing and were moved to the dead letters', { batch: batch.id, count: result.deadLettered });
    }
    if (result.alerts.length) deps.onAlerts(result.alerts);
    deps.onApplied();
  };
}
