import type { Alert } from '@/lib/live';

export type AlertSeverity = Alert['severity'];

/** Higher is more severe. */
export const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 3, warning: 2, info: 1 };

/**
 * The alerts one triggering event raised: a purchase that trips both the fraud and the
 * high-value rule is one thing that happened, and shows as one card.
 */
export interface AlertGroup {
  /** stable key for rendering: `event:<eventId>`, or `alert:<id>` for an alert without an event */
  key: string;
  /** the triggering event; null for an alert raised without one (it is alone in its group) */
  eventId: string | null;
  /** the highest severity among the alerts */
  severity: AlertSeverity;
  /** the group's alerts, most severe first, then newest first */
  alerts: Alert[];
  /** the first of `alerts`: the one whose facts (user, amount, currency) a card leads with */
  lead: Alert;
  /** distinct kinds, in the order of `alerts` */
  kinds: string[];
  /** distinct titles, in the order of `alerts` */
  titles: string[];
  /** the latest firedAt of the alerts */
  firedAt: number;
}

function byAlertOrder(a: Alert, b: Alert): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.firedAt - a.firedAt || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * One group per triggering event (same non-null `eventId`); an alert without an event stays
 * alone. An alert id seen twice (a pushed alert that is also in the snapshot) counts once.
 * Groups are ordered by severity, then newest first (ties by key, so the order is stable
 * between renders).
 */
export function groupAlerts(alerts: readonly Alert[]): AlertGroup[] {
  const seen = new Set<string>();
  const byKey = new Map<string, Alert[]>();
  for (const alert of alerts) {
    if (seen.has(alert.id)) continue;
    seen.add(alert.id);
    const key = alert.eventId === null ? `alert:${alert.id}` : `event:${alert.eventId}`;
    const members = byKey.get(key);
    if (members) members.push(alert);
    else byKey.set(key, [alert]);
  }

  const groups: AlertGroup[] = [];
  for (const [key, members] of byKey) {
    const sorted = [...members].sort(byAlertOrder);
    const lead = sorted[0];
    groups.push({
      key,
      eventId: lead.eventId,
      severity: lead.severity,
      alerts: sorted,
      lead,
      kinds: distinct(sorted.map((a) => a.kind)),
      titles: distinct(sorted.map((a) => a.title)),
      firedAt: Math.max(...sorted.map((a) => a.firedAt)),
    });
  }
  return groups.sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.firedAt - a.firedAt || compareText(a.key, b.key),
  );
}
