import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { WallAlertCard } from '@/components/wall/WallAlertCard';
import { seriesIndexOf, wallTiles, wallTrend, type WallTileModel } from '@/components/wall/wallTiles';
import { groupAlerts } from '@/lib/alertGroups';
import type { LiveSnapshot } from '@/lib/live';
import { alert, liveSnapshot } from './liveFixture';

// 25 Nov 2026, 18:48 in Berlin (CET, UTC+1)
const NOW = Date.UTC(2026, 10, 25, 17, 48, 30);
const MIDNIGHT_BERLIN = Date.UTC(2026, 10, 24, 23, 0);

function snapshot(over: Partial<LiveSnapshot> = {}, shop: Partial<LiveSnapshot['shop']> = {}): LiveSnapshot {
  const base = liveSnapshot(NOW, over);
  return { ...base, shop: { ...base.shop, todayStartsAt: MIDNIGHT_BERLIN, countingSince: NOW - 3 * 3_600_000, ...shop } };
}

function tile(s: LiveSnapshot, id: string): WallTileModel {
  const t = wallTiles(s).find((x) => x.id === id);
  if (!t) throw new Error(`no tile ${id}`);
  return t;
}

const lines = (t: WallTileModel) => t.lines.map((l) => l.text);

describe('wall tiles from a snapshot', () => {
  it('shows revenue today in the shop currency, since midnight in the shop time zone, zone labelled', () => {
    const t = tile(snapshot(), 'revenue-today');
    expect(t.display).toBe('€900,000');
    expect(t.value).toBe(90_000_000);
    expect(lines(t)[0]).toBe('since 00:00 CET');
  });

  it('keeps revenue in currencies without a rate apart, in their own minor units', () => {
    const t = tile(snapshot(), 'revenue-today');
    expect(t.display).toBe('€900,000');
    expect(t.lines.find((l) => l.testId === 'revenue-unconverted')?.text).toBe('not converted (no EUR rate): JP¥4,500,000');
    const hour = tile(snapshot(), 'revenue-last-60');
    expect(hour.lines.find((l) => l.testId === 'revenue-hour-unconverted')?.text).toBe('not converted (no EUR rate): JP¥1,200,000');
  });

  it('formats a yen shop without decimals, seven and eight figures whole', () => {
    const s = snapshot(
      { revenue: { thisHourMinor: 0, todayMinor: 12_345_678, lastHourMinor: 1_234_567, previousHourMinor: null, unconverted: [] } },
      { currency: 'JPY', minorUnits: 0, timeZone: 'Asia/Tokyo', todayStartsAt: Date.UTC(2026, 10, 24, 15, 0) },
    );
    expect(tile(s, 'revenue-today').display).toBe('JP¥12,345,678');
    expect(lines(tile(s, 'revenue-today'))).toEqual(['since 00:00 GMT+9']);
    expect(tile(s, 'revenue-last-60').display).toBe('JP¥1,234,567');
  });

  it('shows the trend against the previous hour where it exists, and nothing where it does not', () => {
    const s = snapshot();
    expect(tile(s, 'revenue-last-60').trend).toEqual({ direction: 'up', text: '▲ 4.6% vs previous 60 min' });
    expect(tile(s, 'orders-last-hour').trend).toEqual({ direction: 'up', text: '▲ 2.9% vs previous 60 min' });
    expect(tile(s, 'average-order-value').trend).toEqual({ direction: 'up', text: '▲ 1.7% vs previous 60 min' });

    const fresh = snapshot({
      revenue: { ...s.revenue, previousHourMinor: null },
      orders: { ...s.orders, previousHour: null },
      averageOrderValue: { ...s.averageOrderValue, previousHourMinor: null },
    });
    for (const id of ['revenue-last-60', 'orders-last-hour', 'average-order-value']) {
      expect(tile(fresh, id).trend, id).toBeNull();
      expect(tile(fresh, id).assessment.level, id).toBe('none');
    }
  });

  it('grades the tiles with the default thresholds', () => {
    const s = snapshot();
    const levels = Object.fromEntries(wallTiles(s).map((t) => [t.id, t.assessment.level]));
    expect(levels).toEqual({
      'revenue-today': 'none',
      'revenue-last-60': 'good',
      'orders-last-hour': 'good',
      'average-order-value': 'good',
      conversion: 'good',
      'cart-abandonment': 'good',
      'active-users': 'none',
      'events-per-second': 'good',
    });
    const bad = snapshot({
      conversion: { ...s.conversion, rate: 0.005, sessionsWithPurchase: 5 },
      cartAbandonment: { ...s.cartAbandonment, rate: 0.9 },
      revenue: { ...s.revenue, lastHourMinor: 3_000_000 },
      pipeline: { ...s.pipeline, deadLetters: 4 },
    });
    expect(tile(bad, 'conversion').assessment.level).toBe('bad');
    expect(tile(bad, 'cart-abandonment').assessment.level).toBe('bad');
    expect(tile(bad, 'revenue-last-60').assessment).toEqual({ level: 'bad', reason: 'down 66% on the previous hour, more than 50% down' });
    expect(tile(bad, 'events-per-second').assessment.level).toBe('warn');
    expect(tile(bad, 'events-per-second').lines.find((l) => l.testId === 'dead-letters')?.text).toBe('4 dead letters');
  });

  it('counts open carts apart and says when there are too few decided carts', () => {
    const s = snapshot();
    const t = tile(s, 'cart-abandonment');
    expect(lines(t)).toEqual(['40 of 80 decided carts abandoned', '25 open (under 30 min)']);
    const few = tile(snapshot({ cartAbandonment: { ...s.cartAbandonment, rate: null, abandoned: 3, purchased: 4, open: 9 } }), 'cart-abandonment');
    expect(few.display).toBe('—');
    expect(lines(few)).toEqual(['not enough data: 7 of 20 decided carts', '9 open (under 30 min)']);
    expect(few.assessment.level).toBe('none');
  });

  it('says "counting since" on a tile whose window began before counting did, in shop time', () => {
    // counting began 3 h ago: only "today" is partial
    const s = snapshot();
    expect(tile(s, 'revenue-today').countingSince).toBe('counting since 15:48 CET');
    expect(tile(s, 'revenue-last-60').countingSince).toBeNull();
    expect(tile(s, 'active-users').countingSince).toBeNull();

    // a restart 2 minutes ago: every window but the pipeline's is partial
    const restarted = snapshot({}, { countingSince: NOW - 120_000 });
    const partial = wallTiles(restarted).filter((t) => t.countingSince !== null).map((t) => t.id);
    expect(partial).toEqual(['revenue-today', 'revenue-last-60', 'orders-last-hour', 'average-order-value', 'conversion', 'cart-abandonment', 'active-users']);
    expect(tile(restarted, 'orders-last-hour').countingSince).toBe('counting since 18:46 CET');
    // the sparkline marks the minute counting began
    const orders = tile(restarted, 'orders-last-hour');
    expect(seriesIndexOf(orders.spark!.minutes, orders.countingSinceAt)).toBe(57);

    expect(wallTiles(snapshot({}, { countingSince: null })).every((t) => t.countingSince === null)).toBe(true);
  });
});

describe('wallTrend', () => {
  it('writes the change with an arrow, one decimal under 10 %', () => {
    expect(wallTrend(88, 100)).toEqual({ direction: 'down', text: '▼ 12% vs previous 60 min' });
    expect(wallTrend(100, 100)).toEqual({ direction: 'flat', text: 'no change vs previous 60 min' });
    expect(wallTrend(100_001, 100_000)?.text).toBe('▲ <0.1% vs previous 60 min');
  });

  it('gives no trend without a previous figure or from zero (never "0 %")', () => {
    expect(wallTrend(5, null)).toBeNull();
    expect(wallTrend(5, 0)).toBeNull();
  });
});

describe('WallAlertCard', () => {
  const shop = snapshot().shop;

  it('shows one purchase that tripped fraud and high value as one card, with its own and the converted amount', () => {
    const common = { eventId: 'e-yen', userId: 'user_tokyo', amountMinor: 100_000, currency: 'JPY', shopAmountMinor: 61_000, score: 1, reasons: ['amount 12× the average', 'country changed'] };
    const groups = groupAlerts([
      alert('hv', NOW - 1_000, { ...common, kind: 'high_value', severity: 'warning', title: 'High-value order: JP¥100,000' }),
      alert('fr', NOW - 1_000, { ...common, kind: 'fraud', severity: 'critical', title: 'Possible fraud: score 1.00' }),
    ]);
    expect(groups).toHaveLength(1);
    const html = renderToStaticMarkup(createElement(WallAlertCard, { group: groups[0], shop, serverNow: NOW, recent: true }));
    expect(html.match(/data-testid="alert-item"/g)).toHaveLength(1);
    expect(html).toContain('data-kinds="fraud high_value"');
    expect(html).toContain('data-severity="critical"');
    expect(html).toContain('Fraud + High value');
    expect(html).toContain('Possible fraud: score 1.00');
    expect(html).toContain('High-value order: JP¥100,000');
    expect(html).toMatch(/data-testid="alert-amount"[^>]*>JP¥100,000</);
    expect(html).toMatch(/data-testid="alert-converted"[^>]*>≈ €610.00</);
    // the reasons both alerts carry, once
    expect(html.match(/amount 12× the average/g)).toHaveLength(1);
    expect(html).toMatch(/data-testid="alert-time"[^>]*>18:48 CET · 1 s ago</);
  });

  it('says when a foreign amount has no rate, and shows no conversion for the shop currency', () => {
    const noRate = groupAlerts([alert('a', NOW, { currency: 'JPY', amountMinor: 500_000, shopAmountMinor: null })]);
    const html = renderToStaticMarkup(createElement(WallAlertCard, { group: noRate[0], shop, serverNow: NOW, recent: true }));
    expect(html).toMatch(/data-testid="alert-converted"[^>]*>no EUR rate</);
    const euro = groupAlerts([alert('b', NOW)]);
    const euroHtml = renderToStaticMarkup(createElement(WallAlertCard, { group: euro[0], shop, serverNow: NOW, recent: true }));
    expect(euroHtml).toMatch(/data-testid="alert-amount"[^>]*>€2,500.00</);
    expect(euroHtml).not.toContain('alert-converted');
  });
});
