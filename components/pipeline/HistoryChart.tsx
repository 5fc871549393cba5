'use client';

import { CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis, type DotItemDotProps } from 'recharts';
import { maxOf, valueTicks, type HistoryRow, type HistoryView } from './historySeries';

const FEW_SAMPLES = 12;

export interface HistoryLine {
  key: keyof HistoryRow;
  label: string;
  color: string;
  dashed?: boolean;
}

export interface ChartClock {
  /** "18:48" (or "18:48:20" with seconds) in the shop's time zone */
  format: (ts: number, seconds?: boolean) => string;
  /** "UTC", "CET", "GMT-5" */
  zone: string;
  ticks: number[];
}

/**
 * One chart of the pipeline's last hour: a line per series over a fixed hour, with the time axis
 * in the shop's zone. A gap in a line is a sample without that figure (the first one after a
 * start has no rate yet), never a zero. Before history begins the plot is shaded.
 */
export function HistoryChart(props: {
  view: HistoryView;
  lines: HistoryLine[];
  clock: ChartClock;
  formatValue: (value: number) => string;
  formatAxis?: (value: number) => string;
  /** the y axis reaches at least this high, so an idle hour is a flat line at the bottom */
  minTop?: number;
  testId: string;
}) {
  const { view, lines, clock, formatValue } = props;
  const formatAxis = props.formatAxis ?? formatValue;
  const yTicks = valueTicks(maxOf(view.rows, lines.map((l) => l.key)), props.minTop ?? 4);
  return (
    <LineChart
      data={view.rows}
      responsive
      style={{ width: '100%', height: '100%' }}
      margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
      accessibilityLayer={false}
      data-testid={props.testId}
    >
      <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
      {view.historyBegins !== null && (
        <>
          <ReferenceArea x1={view.start} x2={view.historyBegins} fill="var(--chart-grid)" fillOpacity={0.7} ifOverflow="hidden" />
          <ReferenceLine x={view.historyBegins} stroke="var(--faint)" strokeDasharray="4 3" ifOverflow="hidden" />
        </>
      )}
      <XAxis
        dataKey="at"
        type="number"
        scale="time"
        domain={[view.start, view.end]}
        allowDataOverflow
        ticks={clock.ticks}
        interval="preserveStartEnd"
        minTickGap={8}
        tickFormatter={(ts: number) => clock.format(ts)}
        tick={{ fontSize: 11, fill: 'var(--muted)' }}
        tickLine={false}
        axisLine={{ stroke: 'var(--chart-grid)' }}
      />
      <YAxis
        width={56}
        domain={[0, yTicks.at(-1)!]}
        // the axis stands even when every value is unknown (lag in an idle hour)
        allowDataOverflow
        ticks={yTicks}
        interval={0}
        tickFormatter={formatAxis}
        tick={{ fontSize: 11, fill: 'var(--muted)' }}
        tickLine={false}
        axisLine={false}
      />
      <Tooltip
        isAnimationActive={false}
        cursor={{ stroke: 'var(--chart-grid)' }}
        content={({ active, payload }) => {
          const row = active ? (payload?.[0]?.payload as HistoryRow | undefined) : undefined;
          if (!row) return null;
          return (
            <div className="chart-tooltip">
              <div className="chart-tooltip-time">
                {clock.format(row.at, true)} {clock.zone}
              </div>
              {lines.map((line) => {
                const value = row[line.key];
                return (
                  <div key={line.key} className="history-tooltip-row">
                    <span className="history-swatch" style={{ background: line.color }} aria-hidden="true" />
                    {line.label}: <strong>{value === null || value === undefined ? '—' : formatValue(value)}</strong>
                  </div>
                );
              })}
            </div>
          );
        }}
      />
      {lines.map((line) => (
        <Line
          key={line.key}
          dataKey={line.key}
          name={line.label}
          stroke={line.color}
          strokeWidth={2}
          strokeDasharray={line.dashed ? '5 3' : undefined}
          // a value between two gaps (lag in an otherwise idle hour) has no neighbour to draw a
          // line to: it is drawn as a point, as is every sample while there are only a few
          dot={(dot: DotItemDotProps) =>
            view.rows.length <= FEW_SAMPLES || isolated(view.rows, line.key, dot.index) ? (
              <circle key={dot.key ?? dot.index} cx={dot.cx} cy={dot.cy} r={2.5} fill={line.color} className="history-dot" />
            ) : null
          }
          activeDot={{ r: 3 }}
          type="linear"
          connectNulls={false}
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  );
}

function isolated(rows: readonly HistoryRow[], key: keyof HistoryRow, i: number): boolean {
  const has = (j: number) => j >= 0 && j < rows.length && rows[j][key] !== null && rows[j][key] !== undefined;
  return has(i) && !has(i - 1) && !has(i + 1);
}
