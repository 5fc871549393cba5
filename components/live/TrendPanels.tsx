import type { ReactNode } from 'react';
import { MinuteChart } from '@/components/charts/MinuteChart';
import { Panel } from '@/components/ui/Panel';
import { formatCompactNumber, formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import { zoneLabel } from '@/lib/shopTime';
import { CountingSince, countingBeganAfter } from './countingSince';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** "last 60 min · times CET · counting since 18:48" */
function ChartMeta({ snapshot, children }: { snapshot: LiveSnapshot; children?: ReactNode }) {
  const { shop, series } = snapshot;
  return (
    <>
      last 60 min{children} · {zoneLabel(shop.timeZone, snapshot.computedAt)}
      {series.length > 0 && countingBeganAfter(shop, series[0].minute) !== null && (
        <>
          {' · '}
          <CountingSince shop={shop} from={series[0].minute} />
        </>
      )}
    </>
  );
}

function chartTimes(snapshot: LiveSnapshot) {
  return { timeZone: snapshot.shop.timeZone, countingSince: snapshot.shop.countingSince };
}

export function RevenueChartPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const { currency } = snapshot.shop;
  const peak = Math.max(0, ...snapshot.series.map((p) => p.revenueMinor));
  return (
    <Panel
      title="Revenue per minute"
      meta={<ChartMeta snapshot={snapshot}>{` · peak ${formatMoney(peak, currency)}`}</ChartMeta>}
      testId="revenue-chart"
    >
      <MinuteChart
        series={snapshot.series}
        metric="revenueMinor"
        kind="area"
        color="#4f46e5"
        label="Revenue"
        formatValue={(minor) => formatMoney(minor, currency)}
        formatAxis={(minor) => formatMoney(minor, currency, { compact: true, compactFrom: 1_000, whole: true })}
        {...chartTimes(snapshot)}
      />
    </Panel>
  );
}

export function OrdersChartPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const total = sum(snapshot.series.map((p) => p.orders));
  return (
    <Panel title="Orders per minute" meta={<ChartMeta snapshot={snapshot}>{` · ${formatNumber(total)} orders`}</ChartMeta>} testId="orders-chart">
      <MinuteChart
        series={snapshot.series}
        metric="orders"
        kind="bar"
        color="#0d9488"
        label="Orders"
        formatValue={(n) => formatNumber(n)}
        formatAxis={formatCompactNumber}
        {...chartTimes(snapshot)}
      />
    </Panel>
  );
}

export function ActiveUsersChartPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  return (
    <Panel title="Active users per minute" meta={<ChartMeta snapshot={snapshot} />} testId="active-users-chart">
      <MinuteChart
        series={snapshot.series}
        metric="activeUsers"
        kind="line"
        color="#2563eb"
        label="Active users"
        formatValue={(n) => formatNumber(n)}
        formatAxis={formatCompactNumber}
        {...chartTimes(snapshot)}
      />
    </Panel>
  );
}
