'use client';

import { Bar, BarChart, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { formatShare } from '@/components/ui/numbers';
import { formatCompactNumber, formatEventType, formatNumber, formatPercent } from '@/lib/format';
import { formatMoney } from '@/lib/money';
import type { BucketAxis } from './bucketAxis';
import { HistorySection, SectionPlaceholder } from './HistorySection';
import { readCarts, readEventsByType, readRevenue } from './readViews';
import { RevenueChart, type RevenuePoint } from './RevenueChart';
import type { HistoryQueryState } from './useHistoryQuery';

export interface Buckets {
  starts: number[];
  axis: BucketAxis;
}

const TYPE_COLORS = ['#4f46e5', '#0d9488', '#f59e0b', '#db2777', '#2563eb', '#65a30d', '#9333ea'];
const SHOWN_TYPES = 6;
const OTHER = 'other types';

function Notes({ notes }: { notes: readonly string[] | undefined }) {
  if (!notes || notes.length === 0) return null;
  return (
    <ul className="hx-notes">
      {notes.map((n) => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

export function RevenueSection(props: {
  query: HistoryQueryState;
  previous: HistoryQueryState | null;
  buckets: Buckets;
  previousStarts: number[];
  currency: string;
  /** the range is still running until this instant: its last bucket is not complete */
  openUntil: number | null;
  csvUrl: string;
  prevLabel: (at: number) => string;
}) {
  const { query, previous, buckets, currency } = props;
  const current = query.data ? readRevenue(query.data) : null;
  const prev = previous?.data ? readRevenue(previous.data) : null;
  const last = buckets.starts.length - 1;
  const points: RevenuePoint[] = buckets.starts.map((at, i) => {
    const b = current?.buckets.get(at);
    const prevAt = props.previousStarts[i] ?? null;
    const pb = prevAt !== null ? prev?.buckets.get(prevAt) : undefined;
    const revenue = current ? (b?.revenue ?? 0) : null;
    const partial = props.openUntil !== null && i === last;
    return {
      at,
      next: buckets.starts[i + 1],
      partial,
      revenue,
      settled: partial ? null : revenue,
      partialLine: props.openUntil !== null && i >= last - 1 ? revenue : null,
      orders: current ? (b?.orders ?? 0) : null,
      prevAt,
      prevRevenue: prev && prevAt !== null && prevAt < previous!.data!.to ? (pb?.revenue ?? 0) : null,
    };
  });
  const peak = current ? Math.max(0, ...[...current.buckets.values()].map((b) => b.revenue ?? 0)) : null;
  return (
    <HistorySection
      title="Revenue and orders"
      meta={peak !== null && peak > 0 ? `peak ${formatMoney(peak, currency)} per ${query.data?.granularity ?? 'bucket'}` : undefined}
      query={query}
      previous={previous}
      csvUrl={props.csvUrl}
      testId="section-revenue"
      className="hx-wide"
    >
      {current ? (
        <RevenueChart points={points} axis={buckets.axis} currency={currency} compare={previous !== null} prevLabel={props.prevLabel} />
      ) : (
        <SectionPlaceholder query={query} empty="" />
      )}
      <Notes notes={query.data?.notes} />
    </HistorySection>
  );
}

export function EventsSection({ query, buckets, csvUrl }: { query: HistoryQueryState; buckets: Buckets; csvUrl: string }) {
  const data = query.data ? readEventsByType(query.data) : null;
  const shown = data ? data.types.slice(0, data.types.length > SHOWN_TYPES + 1 ? SHOWN_TYPES : SHOWN_TYPES + 1) : [];
  const others = data ? data.types.slice(shown.length) : [];
  const series = [...shown.map((t) => t.type), ...(others.length > 0 ? [OTHER] : [])];
  const key = (type: string) => `t${series.indexOf(type)}`;
  const points = data
    ? buckets.starts.map((at, i) => {
        const b = data.buckets.get(at);
        const row: Record<string, number | undefined> = { at, next: buckets.starts[i + 1] };
        for (const t of shown) row[key(t.type)] = b?.get(t.type) ?? 0;
        if (others.length > 0) row[key(OTHER)] = others.reduce((s, t) => s + (b?.get(t.type) ?? 0), 0);
        return row;
      })
    : [];
  const otherTotal = others.reduce((s, t) => s + t.total, 0);
  return (
    <HistorySection
      title="Events by type"
      meta={data ? `${formatNumber(data.total)} events` : undefined}
      query={query}
      csvUrl={csvUrl}
      testId="section-events"
    >
      {data && data.total > 0 ? (
        <>
          <div className="hx-chart hx-chart-small">
            <BarChart data={points} responsive style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 4, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
              <XAxis dataKey="at" ticks={buckets.axis.ticks} interval="preserveStartEnd" minTickGap={10} tickFormatter={buckets.axis.tick} tick={{ fontSize: 11, fill: 'var(--muted)' }} tickLine={false} axisLine={{ stroke: 'var(--chart-grid)' }} />
              <YAxis width={44} tickFormatter={formatCompactNumber} tick={{ fontSize: 11, fill: 'var(--muted)' }} tickLine={false} axisLine={false} allowDecimals={false} />
              <Tooltip
                isAnimationActive={false}
                cursor={{ fill: 'var(--chart-cursor)' }}
                content={({ active, payload }) => {
                  const p = active ? (payload?.[0]?.payload as Record<string, number> | undefined) : undefined;
                  if (!p) return null;
                  return (
                    <div className="chart-tooltip">
                      <div className="chart-tooltip-time">{buckets.axis.full(p.at, p.next)}</div>
                      {series.map((type) => (
                        <div key={type}>
                          {type === OTHER ? OTHER : formatEventType(type)}: <strong>{formatNumber(p[key(type)] ?? 0)}</strong>
                        </div>
                      ))}
                    </div>
                  );
                }}
              />
              {series.map((type, i) => (
                <Bar key={type} dataKey={key(type)} stackId="types" fill={TYPE_COLORS[i % TYPE_COLORS.length]} isAnimationActive={false} maxBarSize={28} />
              ))}
            </BarChart>
          </div>
          <table className="table hx-type-table" data-testid="events-table">
            <tbody>
              {[...shown, ...(others.length > 0 ? [{ type: OTHER, total: otherTotal }] : [])].map((t, i) => (
                <tr key={t.type} data-type={t.type} data-value={t.total}>
                  <td className="hx-type-name">
                    <span className="hx-swatch" style={{ background: TYPE_COLORS[i % TYPE_COLORS.length] }} aria-hidden="true" />
                    <span className="hx-id" title={t.type === OTHER ? others.map((o) => o.type).join('\n') : t.type}>
                      {t.type === OTHER ? `${others.length} other types` : t.type}
                    </span>
                  </td>
                  <td className="num">{formatNumber(t.total)}</td>
                  <td className="num hx-share">{formatShare(t.total, data.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <SectionPlaceholder query={query} empty="No events in this range." />
      )}
    </HistorySection>
  );
}

export function CartsSection({ query, buckets, csvUrl }: { query: HistoryQueryState; buckets: Buckets; csvUrl: string }) {
  const data = query.data ? readCarts(query.data) : null;
  const points = data
    ? buckets.starts.map((at, i) => {
        const b = data.buckets.get(at);
        return { at, next: buckets.starts[i + 1], abandoned: b?.abandoned ?? 0, purchased: b?.purchased ?? 0, rate: b?.rate ?? null };
      })
    : [];
  const decided = data ? data.abandoned + data.purchased : 0;
  return (
    <HistorySection
      title="Cart abandonment"
      meta={data ? `${formatPercent(data.rate)} of ${formatNumber(decided)} decided carts abandoned` : undefined}
      query={query}
      csvUrl={csvUrl}
      testId="section-carts"
    >
      {data && decided > 0 ? (
        <div className="hx-chart-block">
          <div className="hx-chart hx-chart-small">
          <ComposedChart data={points} responsive style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 4, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
            <XAxis dataKey="at" ticks={buckets.axis.ticks} interval="preserveStartEnd" minTickGap={10} tickFormatter={buckets.axis.tick} tick={{ fontSize: 11, fill: 'var(--muted)' }} tickLine={false} axisLine={{ stroke: 'var(--chart-grid)' }} />
            <YAxis yAxisId="carts" width={40} tickFormatter={formatCompactNumber} tick={{ fontSize: 11, fill: 'var(--muted)' }} tickLine={false} axisLine={false} allowDecimals={false} />
            <YAxis yAxisId="rate" orientation="right" width={44} domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => formatPercent(v, 0)} tick={{ fontSize: 11, fill: '#dc2626' }} tickLine={false} axisLine={false} />
            <Tooltip
              isAnimationActive={false}
              cursor={{ fill: 'var(--chart-cursor)' }}
              content={({ active, payload }) => {
                const p = active ? (payload?.[0]?.payload as (typeof points)[number] | undefined) : undefined;
                if (!p) return null;
                return (
                  <div className="chart-tooltip">
                    <div className="chart-tooltip-time">{buckets.axis.full(p.at, p.next)}</div>
                    <div>
                      Abandoned: <strong>{formatNumber(p.abandoned)}</strong>
                    </div>
                    <div>
                      Purchased: <strong>{formatNumber(p.purchased)}</strong>
                    </div>
                    <div>
                      Rate: <strong>{formatPercent(p.rate)}</strong>
                    </div>
                  </div>
                );
              }}
            />
            <Bar yAxisId="carts" dataKey="purchased" stackId="carts" fill="#0d9488" fillOpacity={0.55} isAnimationActive={false} maxBarSize={28} />
            <Bar yAxisId="carts" dataKey="abandoned" stackId="carts" fill="#f59e0b" fillOpacity={0.7} isAnimationActive={false} maxBarSize={28} />
            {/* a bucket without decided carts has no rate: a gap, not a line drawn through it */}
            <Line yAxisId="rate" dataKey="rate" stroke="#dc2626" strokeWidth={2} dot={points.length <= 48 ? { r: 2.5, fill: '#dc2626' } : false} type="linear" connectNulls={false} isAnimationActive={false} />
          </ComposedChart>
          </div>
          <ul className="hx-legend">
            <li>
              <span className="hx-swatch" style={{ background: '#f59e0b' }} aria-hidden="true" /> Abandoned
            </li>
            <li>
              <span className="hx-swatch" style={{ background: '#0d9488', opacity: 0.6 }} aria-hidden="true" /> Purchased
            </li>
            <li>
              <span className="hx-swatch" style={{ background: '#dc2626' }} aria-hidden="true" /> Abandonment rate (right axis)
            </li>
          </ul>
        </div>
      ) : (
        <SectionPlaceholder query={query} empty="No cart was decided in this range." />
      )}
      <Notes notes={query.data?.notes} />
    </HistorySection>
  );
}

export { Notes };
