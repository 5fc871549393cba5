import { Stat } from '@/components/ui/Stat';
import { formatNumber, formatPercent } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import { formatTimeIn, zoneLabel } from '@/lib/shopTime';
import { CountingSince, countingBeganAfter, windowFrom } from './countingSince';
import { Trend } from './Trend';

type Unconverted = LiveSnapshot['revenue']['unconverted'][number];

/** the revenue and orders tiles cover the same trailing window as the minute series */
const LAST_HOUR_MINUTES = 60;
const SHOWN_UNCONVERTED = 2;

/** The headline tiles: each figure once, each labelled with what it counts and over when. */
export function KpiRow({ snapshot }: { snapshot: LiveSnapshot }) {
  const { shop, activeUsers, revenue, orders, averageOrderValue: aov, conversion, cartAbandonment: carts } = snapshot;
  const money = (minor: number) => formatMoney(minor, shop.currency);
  const zone = zoneLabel(shop.timeZone, snapshot.computedAt);
  const lastHourFrom = windowFrom(snapshot, LAST_HOUR_MINUTES);
  const decided = carts.abandoned + carts.purchased;
  // After a restart (or just after midnight) both windows hold the same purchases: one figure, once.
  const sameAsToday = revenue.lastHourMinor === revenue.todayMinor;

  return (
    <div className="kpi-row" data-testid="kpi-row">
      <Stat
        className="kpi-revenue kpi-lead"
        label="Revenue today"
        display={money(revenue.todayMinor)}
        value={revenue.todayMinor}
        hint={
          <>
            <span data-testid="revenue-today-since">since {formatTimeIn(shop.timeZone, shop.todayStartsAt)} {zone}</span>
            <CountingSince shop={shop} from={shop.todayStartsAt} />
            <UnconvertedLines items={revenue.unconverted} pick={(u) => u.todayMinor} />
          </>
        }
        title={`Purchases since midnight in ${shop.timeZone}, in ${shop.currency} (other currencies converted where a rate is set)`}
        testId="revenue-today"
        size="lg"
      />
      <Stat
        className="kpi-revenue"
        label="Revenue, last 60 min"
        display={
          sameAsToday ? <span className="stat-value-note stat-value-same">Same as today</span> : money(revenue.lastHourMinor)
        }
        value={revenue.lastHourMinor}
        hint={
          <>
            {sameAsToday && countingBeganAfter(shop, lastHourFrom) === null && <span>every purchase today came in the last 60 min</span>}
            <Trend current={revenue.lastHourMinor} previous={revenue.previousHourMinor} against="the 60 min before" />
            <CountingSince shop={shop} from={lastHourFrom} />
            <UnconvertedLines items={revenue.unconverted} pick={(u) => u.lastHourMinor} />
          </>
        }
        testId="revenue-last-60"
        size="lg"
      />
      <Stat
        label="Orders, last 60 min"
        display={formatNumber(orders.lastHour)}
        value={orders.lastHour}
        hint={
          <>
            <Trend current={orders.lastHour} previous={orders.previousHour} against="the 60 min before" />
            <span>{formatNumber(orders.thisMinute)} this minute</span>
            <CountingSince shop={shop} from={lastHourFrom} />
          </>
        }
        title="Purchases in any currency"
        testId="orders-last-hour"
        size="lg"
      />
      <Stat
        label="Average order, last 60 min"
        display={aov.minor === null ? '—' : money(aov.minor)}
        value={aov.minor}
        hint={
          <>
            <Trend current={aov.minor} previous={aov.previousHourMinor} against="the 60 min before" />
            <span>{aov.orders === 0 ? `no orders in ${shop.currency} yet` : `over ${formatNumber(aov.orders)} orders`}</span>
            <CountingSince shop={shop} from={windowFrom(snapshot, aov.windowMinutes)} />
          </>
        }
        title={`Revenue ÷ orders over the last ${aov.windowMinutes} minutes, orders in ${shop.currency} or converted to it`}
        testId="average-order-value"
        data={{ orders: aov.orders }}
        size="lg"
      />
      <Stat
        label={`Conversion, last ${conversion.windowMinutes} min`}
        display={formatPercent(conversion.rate)}
        value={conversion.rate}
        hint={
          <>
            <span>
              {formatNumber(conversion.sessionsWithPurchase)} of {formatNumber(conversion.sessions)} sessions bought
            </span>
            <CountingSince shop={shop} from={windowFrom(snapshot, conversion.windowMinutes)} />
          </>
        }
        title={`Sessions with a purchase ÷ sessions with any event, last ${conversion.windowMinutes} min`}
        testId="conversion"
        data={{ sessions: conversion.sessions, 'sessions-with-purchase': conversion.sessionsWithPurchase }}
        size="lg"
      />
      <Stat
        label={`Cart abandonment, last ${carts.windowMinutes} min`}
        display={
          carts.rate === null ? (
            <span className="stat-value-note">
              Not enough data: {formatNumber(decided)} of {formatNumber(carts.minimumCarts)} decided carts
            </span>
          ) : (
            formatPercent(carts.rate)
          )
        }
        value={carts.rate}
        hint={
          <>
            {carts.rate !== null && (
              <span>
                {formatNumber(carts.abandoned)} of {formatNumber(decided)} decided carts abandoned
              </span>
            )}
            <span data-testid="carts-open" data-value={carts.open}>
              {formatNumber(carts.open)} {carts.open === 1 ? 'cart' : 'carts'} still open (decided after {carts.abandonAfterMinutes} min
              without purchase)
            </span>
            <CountingSince shop={shop} from={windowFrom(snapshot, carts.windowMinutes)} />
          </>
        }
        title={`Abandoned ÷ decided carts, last ${carts.windowMinutes} min. A cart is abandoned when no purchase follows within ${carts.abandonAfterMinutes} min of its last cart activity; shown from ${carts.minimumCarts} decided carts`}
        testId="cart-abandonment"
        data={{ decided, abandoned: carts.abandoned, purchased: carts.purchased, open: carts.open }}
        size="lg"
      />
      <Stat
        label={`Active users, last ${activeUsers.windowMinutes} min`}
        display={formatNumber(activeUsers.current)}
        value={activeUsers.current}
        hint={
          <>
            <span>distinct users with any event</span>
            <CountingSince shop={shop} from={windowFrom(snapshot, activeUsers.windowMinutes)} />
          </>
        }
        testId="active-users"
        size="lg"
      />
    </div>
  );
}

/**
 * Revenue in currencies without an exchange rate, shown beside the total and never added in:
 * "+ ¥1,200,000 in JPY, no exchange rate set".
 */
function UnconvertedLines({ items, pick }: { items: Unconverted[]; pick: (u: Unconverted) => number }) {
  const shown = items.filter((u) => pick(u) > 0);
  if (shown.length === 0) return null;
  const rest = shown.slice(SHOWN_UNCONVERTED);
  return (
    <>
      {shown.slice(0, SHOWN_UNCONVERTED).map((u) => (
        <span key={u.currency} className="unconverted" data-testid="unconverted" data-currency={u.currency} data-value={pick(u)}>
          + {formatMoney(pick(u), u.currency)} in {u.currency}, no exchange rate set
        </span>
      ))}
      {rest.length > 0 && (
        <span className="unconverted" title={rest.map((u) => `${formatMoney(pick(u), u.currency)} in ${u.currency}`).join('\n')}>
          + purchases in {rest.length} more {rest.length === 1 ? 'currency' : 'currencies'} without a rate
        </span>
      )}
    </>
  );
}
