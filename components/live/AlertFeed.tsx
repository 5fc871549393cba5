'use client';

import { useState } from 'react';
import { UserLink } from '@/components/entity/EntityLinks';
import { alertKindLabel, SEVERITY_LABEL } from '@/components/ui/alertStyle';
import { groupAlerts, type AlertGroup } from '@/lib/alertGroups';
import { formatAge } from '@/lib/format';
import type { Alert, LiveSnapshot } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import { formatDateTimeIn, formatTimeIn, zoneLabel } from '@/lib/shopTime';

type Shop = LiveSnapshot['shop'];

/** On a phone the feed comes before the charts; past this many cards the rest wait behind a button. */
const SHOWN_ON_PHONE = 4;

/**
 * The most recent alerts, one card per triggering event (a purchase that tripped the fraud and
 * the high-value rule is one card), most severe first, then newest. `serverNow` is the server
 * clock, estimated.
 */
export function AlertFeed({ alerts, shop, serverNow }: { alerts: Alert[]; shop: Shop; serverNow: number | null }) {
  const groups = groupAlerts(alerts);
  const [expanded, setExpanded] = useState(false);
  const hidden = groups.length - SHOWN_ON_PHONE;
  return (
    <section className={`panel alert-panel ${expanded ? 'alert-panel-expanded' : ''}`} data-testid="alert-feed" aria-live="polite">
      <header className="panel-head">
        <h2 className="panel-title">Alerts</h2>
        <span className="panel-meta">
          {groups.length ? `${groups.length} most recent · times ${zoneLabel(shop.timeZone, serverNow ?? Date.now())}` : 'none yet'}
        </span>
      </header>
      {groups.length === 0 ? (
        <p className="muted alert-empty">Fraud, high-value and low-stock alerts appear here the moment they fire.</p>
      ) : (
        <>
          <ol className="alert-list">
            {groups.map((group, i) => (
              <AlertCard key={group.key} group={group} shop={shop} serverNow={serverNow} extra={i >= SHOWN_ON_PHONE} />
            ))}
          </ol>
          {hidden > 0 && (
            <button type="button" className="alert-more" onClick={() => setExpanded((e) => !e)} data-testid="alert-more">
              {expanded ? 'Show fewer alerts' : `Show ${hidden} more ${hidden === 1 ? 'alert' : 'alerts'}`}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function AlertCard({ group, shop, serverNow, extra }: { group: AlertGroup; shop: Shop; serverNow: number | null; extra: boolean }) {
  const { lead } = group;
  const score = Math.max(-1, ...group.alerts.map((a) => a.score ?? -1));
  const reasons = [...new Set(group.alerts.flatMap((a) => a.reasons))];
  const messages = distinctMessages(group.alerts.map((a) => a.message));
  const productId = group.alerts.find((a) => a.productId !== null)?.productId ?? null;
  const userId = group.alerts.find((a) => a.userId !== null)?.userId ?? null;
  const money = group.alerts.find((a) => a.amountMinor !== null) ?? null;
  return (
    <li
      className={`alert-item sev-${group.severity} ${extra ? 'alert-extra' : ''}`}
      data-testid="alert-item"
      data-kind={group.kinds.join(' ')}
      data-severity={group.severity}
      data-alert-id={lead.id}
      data-alerts={group.alerts.length}
    >
      <div className="alert-top">
        <span className={`sev-badge sev-badge-${group.severity}`}>
          {SEVERITY_LABEL[group.severity]} · {group.kinds.map(alertKindLabel).join(' + ')}
        </span>
        <time className="alert-time" dateTime={new Date(group.firedAt).toISOString()} title={formatDateTimeIn(shop.timeZone, group.firedAt)}>
          {formatTimeIn(shop.timeZone, group.firedAt, { seconds: true })}
          {serverNow !== null && <span className="muted"> · {formatAge(Math.max(0, serverNow - group.firedAt))}</span>}
        </time>
      </div>
      <div className="alert-title">{group.titles.join(' · ')}</div>
      {messages.map((message) => (
        <p key={message} className="alert-message">
          {message}
        </p>
      ))}
      <dl className="alert-facts">
        {money !== null && money.amountMinor !== null && <AmountFact alert={money} amountMinor={money.amountMinor} shop={shop} />}
        {score >= 0 && (
          <div>
            <dt>Fraud score</dt>
            <dd data-testid="alert-score">{score.toFixed(2)}</dd>
          </div>
        )}
        {userId !== null && (
          <div className="alert-fact-wide">
            <dt>User</dt>
            <dd data-testid="alert-user">
              <UserLink userId={userId} />
            </dd>
          </div>
        )}
        {productId !== null && (
          <div className="alert-fact-wide">
            <dt>Product</dt>
            <dd className="mono alert-id">{productId}</dd>
          </div>
        )}
        {group.eventId !== null && (
          <div className="alert-fact-wide">
            <dt>Event</dt>
            <dd className="mono alert-id" data-testid="alert-event">
              {group.eventId}
            </dd>
          </div>
        )}
      </dl>
      {reasons.length > 0 && (
        <ul className="reason-list" aria-label="Reasons">
          {reasons.map((reason) => (
            <li key={reason} className="reason">
              {reason}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/**
 * The messages of a group's alerts, each once: a rule's message that another one already says
 * in full (the high-value "Purchase of €4,800.00 by u1" inside the fraud message) is left out.
 */
function distinctMessages(messages: string[]): string[] {
  const unique = [...new Set(messages.filter((m) => m.length > 0))];
  return unique.filter((m) => !unique.some((other) => other !== m && other.startsWith(m)));
}

/** The event's own amount and currency; the shop-currency figure beside it when they differ. */
function AmountFact({ alert, amountMinor, shop }: { alert: Alert; amountMinor: number; shop: Shop }) {
  const currency = alert.currency ?? shop.currency;
  const foreign = currency !== shop.currency;
  return (
    <div>
      <dt>Amount</dt>
      <dd>
        <span className="alert-amount" data-testid="alert-amount" data-value={amountMinor} data-currency={currency}>
          {formatMoney(amountMinor, currency)}
        </span>
        {foreign &&
          (alert.shopAmountMinor !== null ? (
            <span className="alert-converted" data-testid="alert-shop-amount" data-value={alert.shopAmountMinor}>
              {' '}
              ≈ {formatMoney(alert.shopAmountMinor, shop.currency)}
            </span>
          ) : (
            <span className="alert-converted muted" data-testid="alert-shop-amount">
              {' '}
              (no exchange rate to {shop.currency})
            </span>
          ))}
      </dd>
    </div>
  );
}
