import { alertKindLabel } from '@/components/ui/alertStyle';
import { formatMoney, formatSpan } from '@/lib/format';
import { isKnownAlertKind, type Alert } from '@/lib/live';

const SHOWN = 3;
/** Alerts younger than this are drawn as new. */
const RECENT_MS = 5 * 60_000;

export function WallAlerts({ alerts, serverNow }: { alerts: Alert[]; serverNow: number | null }) {
  const latest = alerts.slice(0, SHOWN);
  return (
    <section className="wall-alerts" data-testid="alert-feed">
      {latest.length === 0 ? (
        <div className="wall-alerts-empty">No alerts</div>
      ) : (
        latest.map((alert) => {
          const ageMs = serverNow === null ? null : Math.max(0, serverNow - alert.firedAt);
          const recent = ageMs !== null && ageMs < RECENT_MS;
          // a kind this build does not know: its title and message, nothing read into its fields
          const known = isKnownAlertKind(alert.kind);
          return (
            <article
              key={alert.id}
              className={`wall-alert sev-${alert.severity} ${recent ? 'wall-alert-recent' : ''}`}
              data-testid="alert-item"
              data-kind={alert.kind}
              data-severity={alert.severity}
            >
              <div className="wall-alert-head">
                <span className="wall-alert-kind">{alertKindLabel(alert.kind)}</span>
                <span className="wall-alert-age">{ageMs === null ? '' : `${formatSpan(ageMs)} ago`}</span>
              </div>
              <div className="wall-alert-title">{alert.title}</div>
              {known && (
                <div className="wall-alert-facts">
                  {alert.kind !== 'low_stock' && alert.amountMinor !== null && (
                    <span className="wall-alert-amount">{formatMoney(alert.amountMinor)}</span>
                  )}
                  {alert.score !== null && (alert.kind === 'fraud' || alert.score > 0) && (
                    <span>fraud score {alert.score.toFixed(2)}</span>
                  )}
                  {alert.kind !== 'low_stock' && alert.userId !== null && <span className="mono">{alert.userId}</span>}
                </div>
              )}
              {!known || alert.kind === 'low_stock' || (alert.reasons.length === 0 && alert.amountMinor === null) ? (
                <div className="wall-alert-message">{alert.message}</div>
              ) : (
                alert.reasons.length > 0 && <div className="wall-alert-message">{alert.reasons.join(' · ')}</div>
              )}
            </article>
          );
        })
      )}
    </section>
  );
}
