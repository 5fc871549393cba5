import type { ReactNode } from 'react';

/**
 * One big number. The font size follows the tile's width divided by the text's length, so
 * "€1,234" and "€123.4k" both fill the tile on a laptop and on a 4K TV alike.
 */
export function WallTile(props: {
  label: string;
  display: string;
  value?: number | null;
  sub?: ReactNode;
  testId: string;
  className?: string;
  /** shown under the number, e.g. a sparkline */
  children?: ReactNode;
  data?: Record<string, string | number>;
}) {
  const chars = Math.max(props.display.length, 3);
  const extra = Object.fromEntries(Object.entries(props.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <section className={`wall-tile ${props.className ?? ''}`}>
      <h2 className="wall-tile-label">{props.label}</h2>
      <div
        className="wall-tile-value"
        style={{ ['--chars' as string]: chars }}
        data-testid={props.testId}
        data-value={props.value === undefined || props.value === null ? undefined : String(props.value)}
        {...extra}
      >
        {props.display}
      </div>
      {props.sub !== undefined && <div className="wall-tile-sub">{props.sub}</div>}
      {props.children}
    </section>
  );
}
