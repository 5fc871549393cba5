'use client';

import { Area, Bar, CartesianGrid, Cell, ComposedChart, Line, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { MinutePoint } from '@/lib/live';
import { minuteOf } from '@/lib/metrics';
import { formatTimeIn, zoneLabel } from '@/lib/shopTime';

type Metric = Exclude<keyof MinutePoint, 'minute'>;

interface ChartPoint {
  minute: number;
  value: number;
  /** the value for complete minutes; null for the current one */
  settled: number | null;
  /** the last complete minute and the current one, drawn dashed */
  partial: number | null;
  isPartial: boolean;
}

/**
 * A per-minute series of the last hour (lib/live.ts `series`). The last point is the current,
 * unfinished minute: it is drawn dashed (lines) or pale (bars) so that a minute that has only
 * just begun does not read as a sudden drop. Times are shown in `timeZone` (the shop's). When
 * counting began inside the hour (`countingSince`), a marker line says so and the minutes before
 * it are shaded: their zeros are "not counted", not "no sales".
 */
export function MinuteChart(props: {
  series: MinutePoint[];
  metric: Metric;
  kind: 'area' | 'bar' | 'line';
  color: string;
  label: string;
  formatValue: (value: number) => string;
  formatAxis?: (value: number) => string;
  height?: number;
  /** IANA zone the times are shown in; UTC by default */
  timeZone?: string;
  /** when the live store began counting (epoch ms); null when unknown */
  countingSince?: number | null;
}) {
  const { series, metric, kind, color, label, formatValue } = props;
  const formatAxis = props.formatAxis ?? formatValue;
  const last = series.length - 1;
  const data: ChartPoint[] = series.map((p, i) => ({
    minute: p.minute,
    value: p[metric],
    settled: i === last ? null : p[metric],
    partial: i >= last - 1 ? p[metric] : null,
    isPartial: i === last,
  }));
  const timeZone = props.timeZone ?? 'UTC';
  const clock = (ts: number) => formatTimeIn(timeZone, ts);
  // Label round ten-minute marks of the shop's clock rather than wherever Recharts would land.
  const ticks = series.filter((p) => clock(p.minute).endsWith('0')).map((p) => p.minute);
  const marker = countingMarker(series, props.countingSince ?? null);

  return (
    <ComposedChart
      data={data}
      responsive
      style={{ width: '100%', height: props.height ?? 180 }}
      margin={{ top: 8, right: 18, bottom: 0, left: 0 }}
      accessibilityLayer={false}
    >
      <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
      <XAxis
        dataKey="minute"
        ticks={ticks}
        interval={0}
        tickFormatter={clock}
        tick={{ fontSize: 11, fill: 'var(--muted)' }}
        tickLine={false}
        axisLine={{ stroke: 'var(--chart-grid)' }}
      />
      <YAxis
        width={52}
        tickFormatter={formatAxis}
        tick={{ fontSize: 11, fill: 'var(--muted)' }}
        tickLine={false}
        axisLine={false}
        allowDecimals={false}
      />
      <Tooltip
        isAnimationActive={false}
        cursor={{ fill: 'var(--chart-cursor)', stroke: 'var(--chart-grid)' }}
        content={({ active, payload }) => {
          const point = active ? (payload?.[0]?.payload as ChartPoint | undefined) : undefined;
          if (!point) return null;
          return (
            <div className="chart-tooltip">
              <div className="chart-tooltip-time">
                {clock(point.minute)} {zoneLabel(timeZone, point.minute)}
                {point.isPartial ? ' · so far' : ''}
                {marker && point.minute < marker.minute ? ' · not counted (before the server started)' : ''}
              </div>
              <div>
                <strong>{formatValue(point.value)}</strong> {label.toLowerCase()}
              </div>
            </div>
          );
        }}
      />
      {marker && marker.index > 0 && (
        <ReferenceArea x1={series[0].minute} x2={marker.minute} fill="var(--muted)" fillOpacity={0.08} ifOverflow="hidden" />
      )}
      {marker && (
        <ReferenceLine
          x={marker.minute}
          stroke="var(--muted)"
          strokeDasharray="4 3"
          ifOverflow="hidden"
          label={{
            value: `counting since ${clock(marker.since)}`,
            position: marker.index < series.length * 0.6 ? 'insideTopLeft' : 'insideTopRight',
            fill: 'var(--muted)',
            fontSize: 11,
          }}
          className="counting-since-marker"
        />
      )}
      {kind === 'bar' && (
        <Bar dataKey="value" fill={color} radius={[2, 2, 0, 0]} isAnimationActive={false}>
          {data.map((point) => (
            <Cell key={point.minute} fillOpacity={point.isPartial ? 0.4 : 1} />
          ))}
        </Bar>
      )}
      {kind === 'area' && (
        <defs>
          <linearGradient id={`fill-${metric}`} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor={color} stopOpacity={0.28} />
            <stop offset="100%" stopColor={color} stopOpacity={0.02} />
          </linearGradient>
        </defs>
      )}
      {kind === 'area' && (
        <Area
          dataKey="settled"
          stroke={color}
          strokeWidth={2}
          fill={`url(#fill-${metric})`}
          type="monotone"
          isAnimationActive={false}
          activeDot={false}
        />
      )}
      {kind === 'line' && (
        <Line dataKey="settled" stroke={color} strokeWidth={2} dot={false} type="monotone" isAnimationActive={false} activeDot={false} />
      )}
      {kind !== 'bar' && (
        <Line
          dataKey="partial"
          stroke={color}
          strokeWidth={2}
          strokeDasharray="3 3"
          dot={false}
          type="linear"
          isAnimationActive={false}
          activeDot={false}
        />
      )}
    </ComposedChart>
  );
}

/** Where counting began on the chart: the minute bucket holding it, if that is on the chart. */
function countingMarker(series: MinutePoint[], since: number | null): { minute: number; since: number; index: number } | null {
  if (since === null || series.length === 0) return null;
  const minute = minuteOf(since);
  const index = series.findIndex((p) => p.minute === minute);
  if (index < 0) return null;
  return { minute, since, index };
}
