'use client';

import { Trend } from '@/components/live/Trend';
import { Stat } from '@/components/ui/Stat';
import { formatNumber, formatPercent } from '@/lib/format';
import { formatMoney } from '@/lib/money';
import { conversionOf, readCarts, readFunnel, readRevenue } from './readViews';
import type { HistoryQueryState } from './useHistoryQuery';

export interface KpiQueries {
  revenue: HistoryQueryState;
  carts: HistoryQueryState;
  funnel: HistoryQueryState;
  previous: { revenue: HistoryQueryState; carts: HistoryQueryState; funnel: HistoryQueryState } | null;
}

const pending = <span className="hx-pending">…</span>;

/**
 * The range's totals: revenue, orders, average order, cart abandonment and conversion, each with
 * its change against the previous period when the comparison is on. Each tile waits for its own
 * query; the sections below say how those ran.
 */
export function KpiTotals(props: { queries: KpiQueries; currency: string; against: string }) {
  const { queries, currency, against } = props;
  const rev = queries.revenue.data ? readRevenue(queries.revenue.data) : null;
  const prevRev = queries.previous?.revenue.data ? readRevenue(queries.previous.revenue.data) : null;
  const carts = queries.carts.data ? readCarts(queries.carts.data) : null;
  const prevCarts = queries.previous?.carts.data ? readCarts(queries.previous.carts.data) : null;
  const funnel = queries.funnel.data ? readFunnel(queries.funnel.data) : null;
  const prevFunnel = queries.previous?.funnel.data ? readFunnel(queries.previous.funnel.data) : null;
  const aov = rev && rev.valuedOrders > 0 ? Math.round(rev.revenue / rev.valuedOrders) : null;
  const prevAov = prevRev && prevRev.valuedOrders > 0 ? Math.round(prevRev.revenue / prevRev.valuedOrders) : null;
  const conversion = funnel ? conversionOf(funnel) : null;
  const prevConversion = prevFunnel ? conversionOf(prevFunnel) : null;
  // a previous period without a single event is one the lake does not cover (yet): no "▲ from 0"
  const previousEmpty = prevRev !== null && prevRev.orders === 0 && prevFunnel !== null && (prevFunnel.sessions ?? prevFunnel.steps[0].count ?? 0) === 0;
  const trend = (current: number | null, previous: number | null | undefined, upIsGood = true) =>
    queries.previous && previous !== undefined && !previousEmpty ? <Trend current={current} previous={previous} against={against} upIsGood={upIsGood} /> : null;
  const money = (minor: number) => formatMoney(minor, currency);

  return (
    <div className="hx-kpis" data-testid="history-kpis">
      <Stat
        label={`Revenue, ${currency}`}
        display={rev ? money(rev.revenue) : pending}
        value={rev?.revenue}
        hint={
          <>
            {trend(rev?.revenue ?? null, prevRev ? prevRev.revenue : undefined)}
            {previousEmpty ? <span data-testid="kpi-previous-empty">no events in {against}</span> : prevRev && <span>{money(prevRev.revenue)} before</span>}
          </>
        }
        title={`Purchases in ${currency}, and in other currencies converted where a rate is set`}
        testId="kpi-revenue"
        size="lg"
        className="hx-kpi-lead"
      />
      <Stat
        label="Orders"
        display={rev ? formatNumber(rev.orders) : pending}
        value={rev?.orders}
        hint={
          <>
            {trend(rev?.orders ?? null, prevRev ? prevRev.orders : undefined)}
            {prevRev && !previousEmpty && <span>{formatNumber(prevRev.orders)} before</span>}
          </>
        }
        testId="kpi-orders"
        size="lg"
      />
      <Stat
        label="Average order"
        display={rev ? (aov === null ? '—' : money(aov)) : pending}
        value={aov}
        hint={
          <>
            {trend(aov, prevRev ? prevAov : undefined)}
            {prevRev && prevAov !== null && <span>{money(prevAov)} before</span>}
          </>
        }
        title={`Revenue ÷ orders with an amount in ${currency} (converted where a rate is set)`}
        testId="kpi-aov"
        size="lg"
      />
      <Stat
        label="Cart abandonment"
        display={carts ? formatPercent(carts.rate) : pending}
        value={carts?.rate}
        hint={
          <>
            {trend(carts?.rate ?? null, prevCarts ? prevCarts.rate : undefined, false)}
            {carts && (
              <span>
                {formatNumber(carts.abandoned)} of {formatNumber(carts.abandoned + carts.purchased)} decided carts
              </span>
            )}
          </>
        }
        title="Abandoned ÷ decided carts (carts still open at the end of the range are not in the rate)"
        testId="kpi-abandonment"
        size="lg"
      />
      <Stat
        label="Conversion"
        display={funnel ? formatPercent(conversion) : pending}
        value={conversion}
        hint={
          <>
            {trend(conversion, prevFunnel ? prevConversion : undefined)}
            {funnel && funnel.steps[2].count !== null && (
              <span>
                {formatNumber(funnel.steps[2].count)} of {formatNumber(funnel.sessions ?? funnel.steps[0].count ?? 0)} browsing sessions bought
              </span>
            )}
          </>
        }
        title="Sessions that viewed a page and went on to buy ÷ sessions with a page view (the funnel)"
        testId="kpi-conversion"
        size="lg"
      />
    </div>
  );
}
