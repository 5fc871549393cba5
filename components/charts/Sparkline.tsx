'use client';

import { Bar, BarChart, YAxis } from 'recharts';

/** A bare bar sparkline for wall displays: no axes, no tooltip, no animation. */
export function Sparkline(props: { values: number[]; color: string; className?: string }) {
  const data = props.values.map((value, index) => ({ index, value }));
  return (
    <div className={props.className} aria-hidden="true">
      <BarChart
        data={data}
        responsive
        style={{ width: '100%', height: '100%' }}
        margin={{ top: 2, right: 0, bottom: 0, left: 0 }}
        barCategoryGap="18%"
        accessibilityLayer={false}
      >
        <YAxis hide domain={[0, (max: number) => Math.max(1, max)]} />
        <Bar dataKey="value" fill={props.color} radius={[2, 2, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
