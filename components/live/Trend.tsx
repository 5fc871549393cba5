import { trendOf } from '@/components/ui/numbers';

/**
 * "▲ 4.6% vs previous 60 min" under a tile: green when the change is good for the shop, red when
 * bad. Nothing when there is no previous window to compare with (counting began inside it).
 */
export function Trend(props: { current: number | null; previous: number | null; against: string; upIsGood?: boolean }) {
  const change = trendOf(props.current, props.previous);
  if (!change) return null;
  const upIsGood = props.upIsGood ?? true;
  const tone = change.direction === 'flat' ? 'flat' : (change.direction === 'up') === upIsGood ? 'good' : 'bad';
  return (
    <span className={`trend trend-${tone}`} data-testid="trend" data-direction={change.direction} data-previous={props.previous ?? undefined}>
      {change.text} <span className="trend-against">vs {props.against}</span>
    </span>
  );
}
