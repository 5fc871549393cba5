import type { Alert } from '@/lib/live';
import type { DeadLetterStore, EventLog, LiveStore, LogConsumer } from '@/server/ports';
import { log } from '@/server/log';
import type { PipelineStats } from './stats';

/** A record that fails processing this many times goes to the dead letters. */
export const MAX_ATTEMPTS = 3;

/**
 * The consumer of the event log: applies each delivered batch to the live store (which applies
 * an entry once, however often it is delivered), counts it and hands fired alerts and "state
 * changed" to live delivery. An entry that cannot even be decoded is left for redelivery until
 * its last attempt, then moved to the dead letters; its neighbours are applied meanwhile.
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
    const decoded = batch.entries.filter((e) => !e.malformed);
    for (const entry of batch.entries) {
      if (!entry.malformed || entry.deliveries < MAX_ATTEMPTS) continue;
      await deps.deadLetters.add([
        { payload: entry.malformed.raw, eventId: null, error: entry.malformed.error, attempts: entry.deliveries, failedAt: at },
      ]);
      await deps.log.ack([entry.id]);
      deps.stats.deadLetters++;
      log.error('undecodable log entry moved to the dead letters', { entry: entry.id, error: entry.malformed.error });
    }
    if (decoded.length === 0) return deps.onApplied();
    const result = await deps.store.apply({ entries: decoded }, at, MAX_ATTEMPTS);
    if (!result.acked) {
      const pending = new Set(result.leftPending);
      await deps.log.ack(decoded.map((e) => e.id).filter((id) => !pending.has(id)));
    }
    deps.stats.recordProcessed(result.applied, result.lagsMs, at);
    if (result.deadLettered) {
      deps.stats.deadLetters += result.deadLettered;
      log.error('events failed processing and were moved to the dead letters', { count: result.deadLettered });
    }
    if (result.alerts.length) deps.onAlerts(result.alerts);
    deps.onApplied();
  };
}
