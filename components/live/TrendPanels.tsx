import { MinuteChart } from '@/components/charts/MinuteChart';
import { Panel } from '@/components/ui/Panel';
import { formatCompactMoney, formatCompactNumber, formatMoney, formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function RevenueChartPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const peak = Math.max(0, ...snapshot.series.map((p) => p.revenueMinor));
  return (
    <Panel title="Revenue per minute" meta={`last 60 min · peak ${formatMoney(peak)}`} testId="revenue-chart">
      <MinuteChart
        series={snapshot.series}
        metric="revenueMinor"
        kind="area"
        color="#4f46e5"
        label="Revenue"
        formatValue={formatMoney}
        formatAxis={(cents) => formatCompactMoney(cents).replace(/\.00$/, '')}
      />
    </Panel>
  );
}

export function OrdersChartPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const total = sum(snapshot.series.map((p) => p.orders));
  return (
    <Panel title="Orders per minute" meta={`last 60 min · ${formatNumber(total)} orders`} testId="orders-chart">
      <MinuteChart
        series={snapshot.series}
        metric="orders"
        kind="bar"
        color="#0d9488"
        label="Orders"
        formatValue={(n) => formatNumber(n)}
        formatAxis={formatCompactNumber}
      />
    </Panel>
  );
}

export function ActiveUsersChartPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  return (
    <Panel title="Active users per minute" meta="last 60 min" testId="active-users-chart">
      <MinuteChart
        series={snapshot.series}
        metric="activeUsers"
        kind="line"
        color="#2563eb"
        label="Active users"
        formatValue={(n) => formatNumber(n)}
        formatAxis={formatCompactNumber}
      />
    </Panel>
  );
}
