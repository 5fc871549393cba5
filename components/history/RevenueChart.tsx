'use client';

import { Area, Bar, CartesianGrid, Cell, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCompactNumber, formatNumber } from '@/lib/format';
import { formatMoney } from '@/lib/money';
import type { BucketAxis } from './bucketAxis';

export interface RevenuePoint {
  at: number;
  next: number | undefined;
  /** the bucket still running (the last one of an open range) */
  partial: boolean;
  revenue: number | null;
  /** revenue of complete buckets (the area) */
  settled: number | null;
  /** the last complete bucket and the running one, drawn dashed so a bucket just begun does not read as a fall */
  partialLine: number | null;
  orders: number | null;
  /** the same bucket of the previous period (by position) */
  prevAt: number | null;
  prevRevenue: number | null;
}

const REVENUE = '#4f46e5';
const ORDERS = '#0d9488';
const PREVIOUS = '#9ca3af';

/**
 * Revenue (area, left axis, shop currency) and orders (bars, right axis) per bucket; with the
 * comparison on, the previous period's revenue as a dashed line over the same positions.
 */
export function RevenueChart(props: { points: RevenuePoint[]; axis: BucketAxis; currency: string; compare: boolean; prevLabel: (at: number) => string }) {
  const { points, axis, currency, compare } = props;
  return (
    <div className="hx-chart-block" data-testid="revenue-chart">
      <div className="hx-chart">
      <ComposedChart data={points} responsive style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 4, bottom: 0, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis
          dataKey="at"
          ticks={axis.ticks}
          interval="preserveStartEnd"
          tickFormatter={axis.tick}
          tick={{ fontSize: 11, fill: 'var(--muted)' }}
          tickLine={false}
          axisLine={{ stroke: 'var(--chart-grid)' }}
          minTickGap={10}
        />
        <YAxis
          yAxisId="money"
          width={64}
          tickFormatter={(minor: number) => formatMoney(minor, currency, { compact: true, compactFrom: 1_000, whole: true })}
          tick={{ fontSize: 11, fill: 'var(--muted)' }}
          tickLine={false}
          axisLine={false}
          allowDecimals={false}
        />
        <YAxis
          yAxisId="orders"
          orientation="right"
          width={40}
          tickFormatter={formatCompactNumber}
          tick={{ fontSize: 11, fill: ORDERS }}
          tickLine={false}
          axisLine={false}
          allowDecimals={false}
        />
        <Tooltip
          isAnimationActive={false}
          cursor={{ fill: 'var(--chart-cursor)' }}
          content={({ active, payload }) => {
            const p = active ? (payload?.[0]?.payload as RevenuePoint | undefined) : undefined;
            if (!p) return null;
            return (
              <div className="chart-tooltip">
                <div className="chart-tooltip-time">
                  {axis.full(p.at, p.next)}
                  {p.partial ? ' · so far' : ''}
                </div>
                <div>
                  <strong>{p.revenue === null ? '—' : formatMoney(p.revenue, currency)}</strong> revenue
                </div>
                <div>
                  <strong>{p.orders === null ? '—' : formatNumber(p.orders)}</strong> orders
                </div>
                {compare && p.prevAt !== null && (
                  <div className="muted">
                    {props.prevLabel(p.prevAt)}: <strong>{p.prevRevenue === null ? '—' : formatMoney(p.prevRevenue, currency)}</strong>
                  </div>
                )}
              </div>
            );
          }}
        />
        <defs>
          <linearGradient id="hx-revenue-fill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor={REVENUE} stopOpacity={0.26} />
            <stop offset="100%" stopColor={REVENUE} stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <Bar yAxisId="orders" dataKey="orders" fill={ORDERS} radius={[2, 2, 0, 0]} isAnimationActive={false} maxBarSize={28}>
          {points.map((p) => (
            <Cell key={p.at} fillOpacity={p.partial ? 0.12 : 0.28} />
          ))}
        </Bar>
        <Area
          yAxisId="money"
          dataKey="settled"
          stroke={REVENUE}
          strokeWidth={2}
          fill="url(#hx-revenue-fill)"
          type="linear"
          isAnimationActive={false}
          dot={points.length <= 2 ? { r: 3, fill: REVENUE } : false}
          connectNulls={false}
        />
        <Line yAxisId="money" dataKey="partialLine" stroke={REVENUE} strokeWidth={2} strokeDasharray="3 3" dot={false} type="linear" isAnimationActive={false} activeDot={false} />
        {compare && (
          <Line
            yAxisId="money"
            dataKey="prevRevenue"
            stroke={PREVIOUS}
            strokeWidth={2}
            strokeDasharray="5 4"
            dot={false}
            type="linear"
            isAnimationActive={false}
            connectNulls={false}
            data-testid="previous-line"
          />
        )}
      </ComposedChart>
      </div>
      <ul className="hx-legend" aria-label="Legend">
        <li>
          <span className="hx-swatch" style={{ background: REVENUE }} aria-hidden="true" /> Revenue, {currency}
        </li>
        <li>
          <span className="hx-swatch" style={{ background: ORDERS, opacity: 0.5 }} aria-hidden="true" /> Orders (right axis)
        </li>
        {compare && (
          <li>
            <span className="hx-swatch hx-swatch-dashed" aria-hidden="true" /> Previous period
          </li>
        )}
        {points.some((p) => p.partial) && (
          <li>
            <span className="hx-swatch hx-swatch-dashed hx-swatch-partial" aria-hidden="true" /> Still running (so far)
          </li>
        )}
      </ul>
    </div>
  );
}
