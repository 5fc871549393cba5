import type { LiveSnapshot } from '@/lib/live';

/**
 * What the alerting API (server/http/alerting.ts) asks of the alert engine in its process
 * (server/alerts/engine.ts). The database is the truth; these only make changes take effect now
 * instead of at the engine's next poll.
 */
export interface AlertingHooks {
  /** a rule was created, changed or deleted: reload it and hand it to every process now */
  rulesChanged(): void;
  /** notifications were written outside the engine (a channel test): deliver them now */
  outboxChanged(): void;
  /** an alert was acknowledged, or a silence created or ended: refresh screens now */
  alertsChanged(): void;
  /**
   * the latest evaluation of a metric rule by this process's engine; null when this process does
   * not evaluate it (another process holds the engine's lease, or the rule is not a metric rule)
   */
  evaluation(ruleId: string): { value: number | null; evaluatedAt: number; noData: boolean } | null;
  /** the live snapshot (a preview without a lake uses its last hour) */
  liveSnapshot(): Promise<LiveSnapshot>;
}
