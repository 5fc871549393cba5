import { formatNumber } from '@/lib/format';

/**
 * A share of a whole for lists and funnels: whole percents, but one decimal under 1 % so a small
 * share never reads as none ("0.4%", not "0%"). Null when there is no whole.
 */
export function formatShare(part: number, whole: number): string | null {
  if (whole <= 0) return null;
  const pct = (part / whole) * 100;
  if (pct === 0) return '0%';
  if (pct < 1) return `${formatNumber(Math.max(pct, 0.1), 1)}%`;
  // 99.6 % is not everything
  if (pct < 100 && pct >= 99.5) return '99%';
  return `${formatNumber(Math.round(pct))}%`;
}

export type TrendDirection = 'up' | 'down' | 'flat';

export interface TrendChange {
  direction: TrendDirection;
  /** "▲ 4.6%", "▼ 12%", "no change" */
  text: string;
  /** the relative change (0.046); null when the previous value was zero */
  ratio: number | null;
}

/**
 * The change from `previous` to `current`, or null when there is nothing to compare with
 * (previous unknown). From zero, there is no percentage: "▲ from 0".
 */
export function trendOf(current: number | null, previous: number | null): TrendChange | null {
  if (current === null || previous === null) return null;
  if (current === previous) return { direction: 'flat', text: 'no change', ratio: 0 };
  const direction: TrendDirection = current > previous ? 'up' : 'down';
  const arrow = direction === 'up' ? '▲' : '▼';
  if (previous === 0) return { direction, text: `${arrow} from 0`, ratio: null };
  const ratio = (current - previous) / previous;
  const pct = Math.abs(ratio) * 100;
  const shown = pct < 10 ? formatNumber(pct, 1) : formatNumber(Math.round(pct));
  // a rounded "0.0%" beside an arrow contradicts itself
  return { direction, text: shown === '0.0' ? `${arrow} <0.1%` : `${arrow} ${shown}%`, ratio };
}
