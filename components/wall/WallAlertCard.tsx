import { SEVERITY_LABEL, alertKindLabel } from '@/components/ui/alertStyle';
import type { AlertGroup } from '@/lib/alertGroups';
import { formatSpan } from '@/lib/format';
import { isKnownAlertKind, type Alert, type LiveSnapshot } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import { shopClock } from './wallTiles';

const SEVERITY_ICON: Record<Alert['severity'], string> = { critical: '✕', warning: '!', info: 'i' };

/** Kinds whose alerts are about the purchase's money (a low-stock alert is about a product). */
const MONEY_KINDS = new Set(['fraud', 'high_value']);

/**
 * One card per triggering purchase, however many rules it tripped: the kinds it raised, each
 * alert's title, the purchase's own amount and currency (with the shop-currency figure when it
 * differs), who bought, the fraud score and its reasons. Nothing is clamped: the alert column
 * shows only the cards that fit whole.
 */
export function WallAlertCard({ group, shop, serverNow, recent }: { group: AlertGroup; shop: LiveSnapshot['shop']; serverNow: number | null; recent: boolean }) {
  const lead = group.lead;
  const ageMs = serverNow === null ? null : Math.max(0, serverNow - group.firedAt);
  const money = group.alerts.find((a) => MONEY_KINDS.has(a.kind) && a.amountMinor !== null);
  const scored = group.alerts.find((a) => a.score !== null && (a.kind === 'fraud' || a.score > 0));
  const reasons = [...new Set(group.alerts.filter((a) => isKnownAlertKind(a.kind) && a.kind !== 'low_stock').flatMap((a) => a.reasons))];
  // alerts whose message carries what matters: low stock, and kinds this build does not know
  const messages = group.alerts.filter((a) => !isKnownAlertKind(a.kind) || a.kind === 'low_stock' || (a.reasons.length === 0 && a.amountMinor === null));
  // alerts from before shop currencies carry no currency: their amounts are the shop's
  const currency = money ? (money.currency ?? shop.currency) : null;
  const userId = group.alerts.find((a) => a.kind !== 'low_stock' && a.userId !== null)?.userId ?? null;

  return (
    <article
      className={`wall-alert sev-${group.severity} ${recent ? 'wall-alert-recent' : ''}`}
      data-testid="alert-item"
      data-kind={lead.kind}
      data-kinds={group.kinds.join(' ')}
      data-severity={group.severity}
      data-event={group.eventId ?? undefined}
      data-alerts={group.alerts.length}
    >
      <div className="wall-alert-head">
        <span className="wall-alert-severity">
          <span aria-hidden="true" className="wall-alert-icon">{SEVERITY_ICON[group.severity]}</span> {SEVERITY_LABEL[group.severity]}
        </span>
        <span className="wall-alert-kinds">{group.kinds.map(alertKindLabel).join(' + ')}</span>
        <span className="wall-alert-age" data-testid="alert-time">
          {shopClock(shop, group.firedAt)}
          {ageMs !== null && ` · ${formatSpan(ageMs)} ago`}
        </span>
      </div>
      {group.titles.map((title) => (
        <div key={title} className="wall-alert-title">
          {title}
        </div>
      ))}
      {(money || scored || userId) && (
        <div className="wall-alert-facts">
          {money && money.amountMinor !== null && currency !== null && (
            <span className="wall-alert-amount" data-testid="alert-amount" data-currency={currency}>
              {formatMoney(money.amountMinor, currency)}
            </span>
          )}
          {money && currency !== null && currency !== shop.currency && (
            <span className="wall-alert-converted" data-testid="alert-converted">
              {money.shopAmountMinor !== null ? `≈ ${formatMoney(money.shopAmountMinor, shop.currency)}` : `no ${shop.currency} rate`}
            </span>
          )}
          {scored && scored.score !== null && <span>fraud score {scored.score.toFixed(2)}</span>}
          {userId !== null && <span className="mono wall-alert-user">{userId}</span>}
        </div>
      )}
      {reasons.length > 0 && <div className="wall-alert-message">{reasons.join(' · ')}</div>}
      {messages.map((a) => (
        <div key={a.id} className="wall-alert-message">
          {a.message}
        </div>
      ))}
    </article>
  );
}
