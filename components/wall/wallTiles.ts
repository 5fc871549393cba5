import { formatLag, formatNumber, formatPercent } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { MINUTE_MS, windowStart } from '@/lib/metrics';
import { formatMoney } from '@/lib/money';
import { formatTimeIn, zoneLabel } from '@/lib/shopTime';
import {
  assessAgainstPreviousHour,
  assessAverageOrderValue,
  assessCartAbandonment,
  assessConversion,
  assessPipeline,
  hourTrend,
  type Assessment,
} from '@/lib/thresholds';

/**
 * What each wall tile shows, computed from one snapshot: pure, so the whole wall can be checked
 * against a fixture without a browser. Components only lay these out.
 */

export interface WallTrend {
  direction: 'up' | 'down' | 'flat';
  /** "▲ 4.6% vs previous 60 min" */
  text: string;
}

export interface WallTileModel {
  /** data-testid of the tile's value */
  id: string;
  label: string;
  /** the big number as shown */
  display: string;
  /** the raw number behind it (minor units for money), for tests and scripts; null when none */
  value: number | null;
  assessment: Assessment;
  /** against the previous 60 minutes; null when there is nothing to compare with */
  trend: WallTrend | null;
  /** "counting since 18:48 CET" when the tile's window began before counting did */
  countingSince: string | null;
  /** the epoch ms counting began, when countingSince is set */
  countingSinceAt: number | null;
  /** small lines under the number, in order */
  lines: WallLine[];
  /** per-minute values for a sparkline, oldest first */
  spark?: { values: number[]; minutes: number[]; color: string };
  /** extra data-* attributes on the value */
  data?: Record<string, string | number>;
  wide?: boolean;
}

export interface WallLine {
  text: string;
  testId?: string;
}

const DASH = '—';

/** A figure's trend against the previous hour, or null: never a "0 %" made up from no data. */
export function wallTrend(current: number | null, previous: number | null): WallTrend | null {
  const trend = hourTrend(current, previous);
  if (trend === null) return null;
  const pct = Math.abs(trend.change) * 100;
  const vs = 'vs previous 60 min';
  if (current === previous) return { direction: 'flat', text: `no change ${vs}` };
  const direction = trend.change > 0 ? 'up' : 'down';
  const arrow = direction === 'up' ? '▲' : '▼';
  const shown = pct < 10 ? formatNumber(pct, 1) : formatNumber(Math.round(pct));
  return { direction, text: `${arrow} ${shown === '0.0' ? '<0.1' : shown}% ${vs}` };
}

/** "18:48 CET": a time in the shop's zone, labelled. */
export function shopClock(shop: LiveSnapshot['shop'], ts: number): string {
  return `${formatTimeIn(shop.timeZone, ts)} ${zoneLabel(shop.timeZone, ts)}`;
}

/** When counting began after `from` (a restart, a fresh store), else null. */
function partialSince(shop: LiveSnapshot['shop'], from: number): number | null {
  return shop.countingSince !== null && shop.countingSince > from ? shop.countingSince : null;
}

function withCounting(shop: LiveSnapshot['shop'], from: number): Pick<WallTileModel, 'countingSince' | 'countingSinceAt'> {
  const since = partialSince(shop, from);
  return since === null
    ? { countingSince: null, countingSinceAt: null }
    : { countingSince: `counting since ${shopClock(shop, since)}`, countingSinceAt: since };
}

const NONE: Assessment = { level: 'none', reason: '' };

export function wallTiles(s: LiveSnapshot): WallTileModel[] {
  const { shop } = s;
  const money = (minor: number) => formatMoney(minor, shop.currency, { whole: true });
  const hourFrom = (minutes: number) => windowStart(s.computedAt, minutes);
  const minutes = s.series.map((p) => p.minute);

  const unconvertedToday = s.revenue.unconverted.filter((u) => u.todayMinor !== 0);
  const unconvertedHour = s.revenue.unconverted.filter((u) => u.lastHourMinor !== 0);
  const notConverted = (items: { currency: string; minor: number }[]) =>
    `not converted (no ${shop.currency} rate): ${items.map((u) => formatMoney(u.minor, u.currency, { whole: true })).join(' · ')}`;

  const revenueToday: WallTileModel = {
    id: 'revenue-today',
    label: 'Revenue today',
    display: money(s.revenue.todayMinor),
    value: s.revenue.todayMinor,
    assessment: NONE,
    trend: null,
    ...withCounting(shop, shop.todayStartsAt),
    lines: [
      { text: `since ${shopClock(shop, shop.todayStartsAt)}`, testId: 'revenue-today-since' },
      ...(unconvertedToday.length > 0
        ? [{ text: notConverted(unconvertedToday.map((u) => ({ currency: u.currency, minor: u.todayMinor }))), testId: 'revenue-unconverted' }]
        : []),
    ],
    spark: { values: s.series.map((p) => p.revenueMinor), minutes, color: '#818cf8' },
    data: { currency: shop.currency },
    wide: true,
  };

  const revenueHour: WallTileModel = {
    id: 'revenue-last-60',
    label: 'Revenue, last 60 min',
    display: money(s.revenue.lastHourMinor),
    value: s.revenue.lastHourMinor,
    assessment: assessAgainstPreviousHour({
      current: s.revenue.lastHourMinor,
      previous: s.revenue.previousHourMinor,
      previousOrders: s.orders.previousHour,
    }),
    trend: wallTrend(s.revenue.lastHourMinor, s.revenue.previousHourMinor),
    ...withCounting(shop, hourFrom(60)),
    lines:
      unconvertedHour.length > 0
        ? [{ text: notConverted(unconvertedHour.map((u) => ({ currency: u.currency, minor: u.lastHourMinor }))), testId: 'revenue-hour-unconverted' }]
        : [],
    data: { currency: shop.currency },
  };

  const orders: WallTileModel = {
    id: 'orders-last-hour',
    label: 'Orders, last 60 min',
    display: formatNumber(s.orders.lastHour),
    value: s.orders.lastHour,
    assessment: assessAgainstPreviousHour({ current: s.orders.lastHour, previous: s.orders.previousHour, previousOrders: s.orders.previousHour }),
    trend: wallTrend(s.orders.lastHour, s.orders.previousHour),
    ...withCounting(shop, hourFrom(60)),
    lines: [{ text: `${formatNumber(s.orders.thisMinute)} this minute` }],
    spark: { values: s.series.map((p) => p.orders), minutes, color: '#2dd4bf' },
  };

  const aov = s.averageOrderValue;
  const averageOrder: WallTileModel = {
    id: 'average-order-value',
    label: 'Average order',
    display: aov.minor === null ? DASH : formatMoney(aov.minor, shop.currency),
    value: aov.minor,
    assessment: assessAverageOrderValue({ ...aov, previousOrders: s.orders.previousHour }),
    trend: wallTrend(aov.minor, aov.previousHourMinor),
    ...withCounting(shop, hourFrom(aov.windowMinutes)),
    lines: [{ text: aov.orders === 0 ? `no orders in the last ${aov.windowMinutes} min` : `over ${formatNumber(aov.orders)} ${aov.orders === 1 ? 'order' : 'orders'}, last ${aov.windowMinutes} min` }],
  };

  const c = s.conversion;
  const conversion: WallTileModel = {
    id: 'conversion',
    label: 'Conversion',
    display: c.rate === null ? DASH : formatPercent(c.rate),
    value: c.rate,
    assessment: assessConversion(c),
    trend: null,
    ...withCounting(shop, hourFrom(c.windowMinutes)),
    lines: [{ text: `${formatNumber(c.sessionsWithPurchase)} of ${formatNumber(c.sessions)} sessions bought, last ${c.windowMinutes} min` }],
    data: { sessions: c.sessions, 'sessions-with-purchase': c.sessionsWithPurchase },
  };

  const cart = s.cartAbandonment;
  const decided = cart.abandoned + cart.purchased;
  const abandonment: WallTileModel = {
    id: 'cart-abandonment',
    label: 'Cart abandonment',
    display: cart.rate === null ? DASH : formatPercent(cart.rate),
    value: cart.rate,
    assessment: assessCartAbandonment(cart),
    trend: null,
    ...withCounting(shop, hourFrom(cart.windowMinutes)),
    lines: [
      {
        text:
          cart.rate === null
            ? `not enough data: ${formatNumber(decided)} of ${formatNumber(cart.minimumCarts)} decided carts`
            : `${formatNumber(cart.abandoned)} of ${formatNumber(decided)} decided carts abandoned`,
      },
      { text: `${formatNumber(cart.open)} open (under ${cart.abandonAfterMinutes} min)`, testId: 'carts-open' },
    ],
    data: { abandoned: cart.abandoned, purchased: cart.purchased, open: cart.open },
  };

  const activeUsers: WallTileModel = {
    id: 'active-users',
    label: 'Active users',
    display: formatNumber(s.activeUsers.current),
    value: s.activeUsers.current,
    assessment: NONE,
    trend: null,
    ...withCounting(shop, hourFrom(s.activeUsers.windowMinutes)),
    lines: [{ text: `last ${s.activeUsers.windowMinutes} min` }],
  };

  const p = s.pipeline;
  const pipeline: WallTileModel = {
    id: 'events-per-second',
    label: 'Events / s',
    display: formatNumber(p.eventsPerSecond, p.eventsPerSecond < 10 && p.eventsPerSecond !== 0 ? 1 : 0),
    value: p.eventsPerSecond,
    assessment: assessPipeline(p),
    trend: null,
    countingSince: null,
    countingSinceAt: null,
    lines: [
      { text: `lag p99 ${formatLag(p.lagMsP99)} · backlog ${formatNumber(p.backlog)}` },
      { text: p.deadLetters === 0 ? 'no dead letters' : `${formatNumber(p.deadLetters)} dead ${p.deadLetters === 1 ? 'letter' : 'letters'}`, testId: 'dead-letters' },
    ],
    data: { 'dead-letters': p.deadLetters },
  };

  return [revenueToday, revenueHour, orders, averageOrder, conversion, abandonment, activeUsers, pipeline];
}

/** Index of the series point holding `ts`, for a chart marker; null when outside the series. */
export function seriesIndexOf(minutes: number[], ts: number | null): number | null {
  if (ts === null || minutes.length === 0) return null;
  const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
  const i = minutes.indexOf(minute);
  return i < 0 ? null : i;
}
