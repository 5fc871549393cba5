'use client';

import { Bar, BarChart, ReferenceLine, XAxis, YAxis } from 'recharts';

/**
 * A bare bar sparkline for wall displays: no axes, no tooltip, no animation. `markerIndex`
 * draws a dashed line at that bar, where counting began: the bars before it were not counted.
 */
export function Sparkline(props: { values: number[]; color: string; className?: string; markerIndex?: number | null }) {
  const data = props.values.map((value, index) => ({ index, value }));
  return (
    <div className={props.className} aria-hidden="true" data-testid="sparkline" data-marker={props.markerIndex ?? undefined}>
      <BarChart
        data={data}
        responsive
        style={{ width: '100%', height: '100%' }}
        margin={{ top: 2, right: 0, bottom: 0, left: 0 }}
        barCategoryGap="18%"
        accessibilityLayer={false}
      >
        <XAxis dataKey="index" hide />
        <YAxis hide domain={[0, (max: number) => Math.max(1, max)]} />
        <Bar dataKey="value" fill={props.color} radius={[2, 2, 0, 0]} isAnimationActive={false} />
        {props.markerIndex != null && (
          <ReferenceLine x={props.markerIndex} stroke="#fbbf24" strokeWidth={2} strokeDasharray="4 3" ifOverflow="visible" />
        )}
      </BarChart>
    </div>
  );
}
