import { formatLag, formatNumber, formatPercent } from '@/lib/format';

/**
 * Whether a live figure looks healthy, for the wall's green / amber / red tiles. Pure functions
 * of the snapshot's numbers, each returning a level and the reason in words (a tile shows the
 * word and an icon beside the colour, and the reason when it is not good).
 *
 * The defaults below are starting points for a typical online shop, not laws: an e-commerce
 * shop converts 1–4 % of sessions and abandons about 70 % of carts, so the bands sit around
 * those; hour-over-hour changes are judged only when the previous hour had enough orders to
 * mean something. 'none' means "no judgement": too little data, or nothing to compare with.
 */

export type Level = 'good' | 'warn' | 'bad' | 'none';

export interface Assessment {
  level: Level;
  reason: string;
}

export interface Thresholds {
  /** sessions with a purchase ÷ sessions, trailing window */
  conversion: { goodAtLeast: number; badBelow: number; minimumSessions: number };
  /** abandoned ÷ decided carts (the rate is null below the snapshot's minimum sample) */
  cartAbandonment: { goodAtMost: number; badAbove: number };
  /** trailing 60 minutes ÷ the 60 before, for revenue and orders; up is always good */
  previousHour: { warnBelow: number; badBelow: number; minimumPreviousOrders: number };
  /** average order value ÷ the previous hour's; judged only with enough orders in both hours */
  averageOrderValue: { warnBelow: number; badBelow: number; minimumOrders: number };
  /** processing lag p99 (received → applied to live state) */
  lag: { warnAtMs: number; badAtMs: number };
  /** events that failed processing and wait in the dead-letter list */
  deadLetters: { warnAtLeast: number; badAtLeast: number };
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  conversion: { goodAtLeast: 0.02, badBelow: 0.01, minimumSessions: 100 },
  cartAbandonment: { goodAtMost: 0.7, badAbove: 0.85 },
  previousHour: { warnBelow: 0.8, badBelow: 0.5, minimumPreviousOrders: 10 },
  averageOrderValue: { warnBelow: 0.75, badBelow: 0.5, minimumOrders: 10 },
  lag: { warnAtMs: 2_000, badAtMs: 10_000 },
  deadLetters: { warnAtLeast: 1, badAtLeast: 100 },
};

const RANK: Record<Level, number> = { none: 0, good: 1, warn: 2, bad: 3 };

/** The more serious of several assessments; 'none' only when every one is 'none'. */
export function worst(...assessments: Assessment[]): Assessment {
  const level = assessments.reduce<Level>((acc, a) => (RANK[a.level] > RANK[acc] ? a.level : acc), 'none');
  const matching = assessments.filter((a) => a.level === level);
  return { level, reason: matching.map((a) => a.reason).join('; ') };
}

export function assessConversion(
  conversion: { rate: number | null; sessions: number },
  t: Thresholds['conversion'] = DEFAULT_THRESHOLDS.conversion,
): Assessment {
  if (conversion.rate === null || conversion.sessions === 0) return { level: 'none', reason: 'no sessions yet' };
  if (conversion.sessions < t.minimumSessions) {
    return {
      level: 'none',
      reason: `too few sessions to judge (${formatNumber(conversion.sessions)} of ${formatNumber(t.minimumSessions)})`,
    };
  }
  const share = `${formatPercent(conversion.rate)} of sessions bought`;
  if (conversion.rate < t.badBelow) return { level: 'bad', reason: `${share}, below ${formatPercent(t.badBelow, 0)}` };
  if (conversion.rate < t.goodAtLeast) return { level: 'warn', reason: `${share}, below ${formatPercent(t.goodAtLeast, 0)}` };
  return { level: 'good', reason: `${share}, at least ${formatPercent(t.goodAtLeast, 0)}` };
}

export function assessCartAbandonment(
  cart: { rate: number | null; abandoned: number; purchased: number; minimumCarts: number },
  t: Thresholds['cartAbandonment'] = DEFAULT_THRESHOLDS.cartAbandonment,
): Assessment {
  if (cart.rate === null) {
    const decided = cart.abandoned + cart.purchased;
    return {
      level: 'none',
      reason: `not enough decided carts (${formatNumber(decided)} of ${formatNumber(cart.minimumCarts)})`,
    };
  }
  const share = `${formatPercent(cart.rate)} of decided carts abandoned`;
  if (cart.rate > t.badAbove) return { level: 'bad', reason: `${share}, above ${formatPercent(t.badAbove, 0)}` };
  if (cart.rate > t.goodAtMost) return { level: 'warn', reason: `${share}, above ${formatPercent(t.goodAtMost, 0)}` };
  return { level: 'good', reason: `${share}, at most ${formatPercent(t.goodAtMost, 0)}` };
}

/** A figure against the previous 60 minutes; null when there is nothing to compare with. */
export interface HourTrend {
  /** current ÷ previous */
  ratio: number;
  /** (current − previous) ÷ previous: 0.05 is 5 % up */
  change: number;
}

/**
 * The trend against the previous hour. Null when the previous figure is unknown (counting began
 * after that hour started) or zero (no ratio exists): a screen then shows no trend at all.
 */
export function hourTrend(current: number | null, previous: number | null): HourTrend | null {
  if (current === null || previous === null || previous <= 0) return null;
  const ratio = current / previous;
  return { ratio, change: ratio - 1 };
}

function describeChange(change: number): string {
  const pct = Math.abs(change);
  if (pct < 0.005) return 'level with the previous hour';
  return `${change > 0 ? 'up' : 'down'} ${formatPercent(pct, pct < 0.1 ? 1 : 0)} on the previous hour`;
}

function judgeRatio(
  trend: HourTrend,
  bands: { warnBelow: number; badBelow: number },
): Assessment {
  const what = describeChange(trend.change);
  if (trend.ratio < bands.badBelow) return { level: 'bad', reason: `${what}, more than ${formatPercent(1 - bands.badBelow, 0)} down` };
  if (trend.ratio < bands.warnBelow) return { level: 'warn', reason: `${what}, more than ${formatPercent(1 - bands.warnBelow, 0)} down` };
  return { level: 'good', reason: what };
}

/**
 * Revenue or orders in the trailing 60 minutes against the 60 before. `previousOrders` is the
 * previous hour's order count: a handful of orders swings by chance, so they are not judged.
 */
export function assessAgainstPreviousHour(
  figure: { current: number; previous: number | null; previousOrders: number | null },
  t: Thresholds['previousHour'] = DEFAULT_THRESHOLDS.previousHour,
): Assessment {
  if (figure.previous === null || figure.previousOrders === null) {
    return { level: 'none', reason: 'no previous hour to compare with yet' };
  }
  if (figure.previousOrders < t.minimumPreviousOrders) {
    return {
      level: 'none',
      reason: `too few orders in the previous hour to compare (${formatNumber(figure.previousOrders)} of ${formatNumber(t.minimumPreviousOrders)})`,
    };
  }
  const trend = hourTrend(figure.current, figure.previous);
  if (trend === null) return { level: 'none', reason: 'nothing in the previous hour to compare with' };
  return judgeRatio(trend, t);
}

export function assessAverageOrderValue(
  aov: { minor: number | null; orders: number; previousHourMinor: number | null; previousOrders: number | null },
  t: Thresholds['averageOrderValue'] = DEFAULT_THRESHOLDS.averageOrderValue,
): Assessment {
  if (aov.minor === null || aov.orders === 0) return { level: 'none', reason: 'no orders in the last 60 minutes' };
  if (aov.previousHourMinor === null || aov.previousOrders === null) {
    return { level: 'none', reason: 'no previous hour to compare with yet' };
  }
  const fewest = Math.min(aov.orders, aov.previousOrders);
  if (fewest < t.minimumOrders) {
    return {
      level: 'none',
      reason: `too few orders to compare (${formatNumber(fewest)} of ${formatNumber(t.minimumOrders)} in an hour)`,
    };
  }
  const trend = hourTrend(aov.minor, aov.previousHourMinor);
  if (trend === null) return { level: 'none', reason: 'nothing in the previous hour to compare with' };
  return judgeRatio(trend, t);
}

export function assessLag(lagMsP99: number | null, t: Thresholds['lag'] = DEFAULT_THRESHOLDS.lag): Assessment {
  if (lagMsP99 === null) return { level: 'none', reason: 'no processing lag measured yet' };
  const what = `processing lag p99 ${formatLag(lagMsP99)}`;
  if (lagMsP99 >= t.badAtMs) return { level: 'bad', reason: `${what}, ${formatLag(t.badAtMs)} or more` };
  if (lagMsP99 >= t.warnAtMs) return { level: 'warn', reason: `${what}, ${formatLag(t.warnAtMs)} or more` };
  return { level: 'good', reason: what };
}

export function assessDeadLetters(count: number, t: Thresholds['deadLetters'] = DEFAULT_THRESHOLDS.deadLetters): Assessment {
  if (count === 0) return { level: 'good', reason: 'no dead letters' };
  const what = `${formatNumber(count)} ${count === 1 ? 'event' : 'events'} failed processing (dead letters)`;
  if (count >= t.badAtLeast) return { level: 'bad', reason: what };
  if (count >= t.warnAtLeast) return { level: 'warn', reason: what };
  return { level: 'good', reason: what };
}

/** The pipeline tile: the worse of its processing lag and its dead letters. */
export function assessPipeline(
  pipeline: { lagMsP99: number | null; deadLetters: number },
  t: Pick<Thresholds, 'lag' | 'deadLetters'> = DEFAULT_THRESHOLDS,
): Assessment {
  return worst(assessLag(pipeline.lagMsP99, t.lag), assessDeadLetters(pipeline.deadLetters, t.deadLetters));
}
