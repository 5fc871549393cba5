import { alertKindLabel, SEVERITY_LABEL } from '@/components/ui/alertStyle';
import { formatAge, formatClock, formatMoney } from '@/lib/format';
import type { Alert } from '@/lib/live';

/** The most recent alerts, newest first. `serverNow` is the server clock, estimated. */
export function AlertFeed({ alerts, serverNow }: { alerts: Alert[]; serverNow: number | null }) {
  return (
    <section className="panel alert-panel" data-testid="alert-feed" aria-live="polite">
      <header className="panel-head">
        <h2 className="panel-title">Alerts</h2>
        <span className="panel-meta">{alerts.length ? `${alerts.length} most recent` : 'none yet'}</span>
      </header>
      {alerts.length === 0 ? (
        <p className="muted alert-empty">
          Fraud, high-value and low-stock alerts appear here the moment they fire.
        </p>
      ) : (
        <ol className="alert-list">
          {alerts.map((alert) => (
            <AlertItem key={alert.id} alert={alert} serverNow={serverNow} />
          ))}
        </ol>
      )}
    </section>
  );
}

function AlertItem({ alert, serverNow }: { alert: Alert; serverNow: number | null }) {
  return (
    <li
      className={`alert-item sev-${alert.severity}`}
      data-testid="alert-item"
      data-kind={alert.kind}
      data-severity={alert.severity}
      data-alert-id={alert.id}
    >
      <div className="alert-top">
        <span className={`sev-badge sev-badge-${alert.severity}`}>
          {SEVERITY_LABEL[alert.severity]} · {alertKindLabel(alert.kind)}
        </span>
        <time className="alert-time" dateTime={new Date(alert.firedAt).toISOString()} title={formatClock(alert.firedAt)}>
          {formatClock(alert.firedAt).replace(' UTC', '')}
          {serverNow !== null && <span className="muted"> · {formatAge(Math.max(0, serverNow - alert.firedAt))}</span>}
        </time>
      </div>
      <div className="alert-title">{alert.title}</div>
      <p className="alert-message">{alert.message}</p>
      <dl className="alert-facts">
        {alert.amountMinor !== null && (
          <div>
            <dt>Amount</dt>
            <dd className="alert-amount" data-testid="alert-amount" data-value={alert.amountMinor}>
              {formatMoney(alert.amountMinor)}
            </dd>
          </div>
        )}
        {alert.score !== null && (
          <div>
            <dt>Fraud score</dt>
            <dd data-testid="alert-score">{alert.score.toFixed(2)}</dd>
          </div>
        )}
        {alert.userId !== null && (
          <div>
            <dt>User</dt>
            <dd className="mono" data-testid="alert-user">{alert.userId}</dd>
          </div>
        )}
        {alert.productId !== null && (
          <div>
            <dt>Product</dt>
            <dd className="mono">{alert.productId}</dd>
          </div>
        )}
        {alert.eventId !== null && (
          <div className="alert-fact-wide">
            <dt>Event</dt>
            <dd className="mono truncate" title={alert.eventId} data-testid="alert-event">{alert.eventId}</dd>
          </div>
        )}
      </dl>
      {alert.reasons.length > 0 && (
        <ul className="reason-list" aria-label="Reasons">
          {alert.reasons.map((reason) => (
            <li key={reason} className="reason">{reason}</li>
          ))}
        </ul>
      )}
    </li>
  );
}
