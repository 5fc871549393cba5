import { Stat } from '@/components/ui/Stat';
import { formatMinute, formatMoney, formatNumber, formatPercent } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { hourOf } from '@/lib/metrics';

export function KpiRow({ snapshot }: { snapshot: LiveSnapshot }) {
  const { activeUsers, revenue, orders, conversion, cartAbandonment } = snapshot;
  return (
    <div className="kpi-row">
      <Stat
        label="Active users"
        display={formatNumber(activeUsers.current)}
        value={activeUsers.current}
        hint={`distinct users, last ${activeUsers.windowMinutes} min`}
        testId="active-users"
        size="lg"
      />
      <Stat
        label="Revenue today"
        display={formatMoney(revenue.todayMinor)}
        value={revenue.todayMinor}
        hint="since 00:00 UTC"
        testId="revenue-today"
        size="lg"
      />
      <Stat
        label="Revenue this hour"
        display={formatMoney(revenue.thisHourMinor)}
        value={revenue.thisHourMinor}
        hint={`since ${formatMinute(hourOf(snapshot.computedAt))} UTC`}
        testId="revenue-hour"
        size="lg"
      />
      <Stat
        label="Revenue, last 60 min"
        display={formatMoney(revenue.lastHourMinor)}
        value={revenue.lastHourMinor}
        hint="trailing 60 minutes"
        testId="revenue-last-60"
        size="lg"
      />
      <Stat
        label="Orders, last 60 min"
        display={formatNumber(orders.lastHour)}
        value={orders.lastHour}
        hint={`${formatNumber(orders.thisMinute)} this minute`}
        testId="orders-last-hour"
        size="lg"
      />
      <Stat
        label="Conversion"
        display={formatPercent(conversion.rate)}
        value={conversion.rate}
        hint={`${formatNumber(conversion.sessionsWithPurchase)} of ${formatNumber(conversion.sessions)} sessions`}
        title={`Sessions with a purchase ÷ sessions with any event, last ${conversion.windowMinutes} min`}
        testId="conversion"
        data={{ sessions: conversion.sessions, 'sessions-with-purchase': conversion.sessionsWithPurchase }}
        size="lg"
      />
      <Stat
        label="Cart abandonment"
        display={
          cartAbandonment.rate === null ? (
            <span className="stat-value-note">
              Not enough data ({formatNumber(cartAbandonment.cartsCreated)} of {formatNumber(cartAbandonment.minimumCarts)} carts)
            </span>
          ) : (
            formatPercent(cartAbandonment.rate)
          )
        }
        value={cartAbandonment.rate}
        hint={
          cartAbandonment.rate === null
            ? `shown from ${cartAbandonment.minimumCarts} carts · ${cartAbandonment.windowMinutes} min`
            : `${formatNumber(Math.max(0, cartAbandonment.cartsCreated - cartAbandonment.cartsPurchased))} of ${formatNumber(cartAbandonment.cartsCreated)} carts left`
        }
        title={`1 − carts that purchased ÷ carts created, last ${cartAbandonment.windowMinutes} min; shown from ${cartAbandonment.minimumCarts} carts`}
        testId="cart-abandonment"
        data={{ 'carts-created': cartAbandonment.cartsCreated, 'carts-purchased': cartAbandonment.cartsPurchased }}
        size="lg"
      />
    </div>
  );
}
