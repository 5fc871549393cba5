import { afterEach, describe, expect, it } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import type { Alert } from '@/lib/live';
import { shopSettings } from '@/server/shop';
import { ev } from '../helpers/events';
import { harness, STORE_KINDS, type Harness, type HarnessOptions } from '../helpers/stores';

/**
 * Issue 7's definitions against both live stores, with hand-computed timelines: decided and open
 * carts, shop currency and rates, the shop's day and hour, the funnel, top lists, and the time
 * counting began.
 */
const NOW = Date.parse('2026-11-25T12:30:30Z');
const at = (hhmmss: string, day = '2026-11-25') => Date.parse(`${day}T${hhmmss}Z`);

describe.each(STORE_KINDS)('shop metrics: %s', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const start = async (opts: HarnessOptions = {}) => (h = await harness(kind, { countingSince: at('08:00:00'), ...opts }));
  const run = async (events: PulseEvent[], now = NOW): Promise<Alert[]> => (await h!.process(events, now)).flatMap((r) => r.alerts);

  describe('cart abandonment: decided carts in the rate, open carts apart', () => {
    // abandonment after 30 minutes; the window is 11:31–12:30 (NOW 12:30:30)
    const timeline = () => [
      // purchased 10 min after the cart: decided at 11:50, in the window
      ev({ ts: at('11:40:00'), userId: 'a', sessionId: 's1', type: 'add_to_cart' }),
      ev({ ts: at('11:50:00'), userId: 'a', sessionId: 's1', type: 'purchase', amountMinor: 100 }),
      // nothing after the cart: deadline 12:15:10, abandoned at 12:16
      ev({ ts: at('11:45:10'), userId: 'b', sessionId: 's2', type: 'add_to_cart' }),
      // deadline 12:40: still open
      ev({ ts: at('12:10:00'), userId: 'c', sessionId: 's3', type: 'add_to_cart' }),
      // purchased at 12:29
      ev({ ts: at('12:00:00'), userId: 'd', sessionId: 's4', type: 'add_to_cart' }),
      ev({ ts: at('12:29:00'), userId: 'd', sessionId: 's4', type: 'purchase', amountMinor: 100 }),
      // abandoned at 11:30, before the window: in neither figure
      ev({ ts: at('11:00:00'), userId: 'e', sessionId: 's5', type: 'add_to_cart' }),
      // the purchase came 35 minutes after the cart: abandoned at the deadline 12:20
      ev({ ts: at('11:50:00'), userId: 'f', sessionId: 's6', type: 'add_to_cart' }),
      ev({ ts: at('12:25:00'), userId: 'f', sessionId: 's6', type: 'purchase', amountMinor: 100 }),
      // a purchase before the cart does not decide it: open until 12:35
      ev({ ts: at('11:55:00'), userId: 'g', sessionId: 's7', type: 'purchase', amountMinor: 100 }),
      ev({ ts: at('12:05:00'), userId: 'g', sessionId: 's7', type: 'add_to_cart' }),
      // a user without a session is one cart: deadline 12:30:00, abandoned in the current minute
      ev({ ts: at('12:00:00'), userId: 'h', type: 'add_to_cart' }),
    ];

    it('counts purchased, abandoned and open carts by the hand-computed timeline', async () => {
      await start();
      await run(timeline());
      const c = (await h!.store.snapshot(NOW)).cartAbandonment;
      expect(c).toEqual({ rate: null, abandoned: 3, purchased: 2, open: 2, minimumCarts: 20, windowMinutes: 60, abandonAfterMinutes: 30 });
    });

    it('decides open carts as time passes, and a purchase moves an open cart to purchased', async () => {
      await start();
      await run(timeline());
      // s3 buys at 12:30:20, before its deadline
      await run([ev({ ts: at('12:30:20'), userId: 'c', sessionId: 's3', type: 'purchase', amountMinor: 100 })]);
      expect((await h!.store.snapshot(NOW)).cartAbandonment).toMatchObject({ abandoned: 3, purchased: 3, open: 1 });
      // at 12:36 s7's deadline (12:35) has passed; the window is now 11:37–12:36
      expect((await h!.store.snapshot(at('12:36:00'))).cartAbandonment).toMatchObject({ abandoned: 4, purchased: 3, open: 0 });
      // at 13:25 only carts decided from 12:26 on remain: s4 (12:29), s3 (12:30), h (12:30), s7 (12:35)
      expect((await h!.store.snapshot(at('13:25:00'))).cartAbandonment).toMatchObject({ abandoned: 2, purchased: 2, open: 0 });
    });

    it('gives a rate once 20 carts are decided: abandoned ÷ decided', async () => {
      await start();
      const events: PulseEvent[] = [];
      for (let i = 0; i < 15; i++) events.push(ev({ ts: at('11:40:00') + i * 1000, userId: `ab${i}`, sessionId: 's', type: 'add_to_cart' }));
      for (let i = 0; i < 5; i++) {
        events.push(ev({ ts: at('12:00:00'), userId: `pu${i}`, sessionId: 's', type: 'add_to_cart' }));
        events.push(ev({ ts: at('12:01:00'), userId: `pu${i}`, sessionId: 's', type: 'purchase', amountMinor: 100 }));
      }
      // open carts never count toward the rate or the minimum
      for (let i = 0; i < 7; i++) events.push(ev({ ts: at('12:20:00'), userId: `op${i}`, sessionId: 's', type: 'add_to_cart' }));
      await run(events);
      expect((await h!.store.snapshot(NOW)).cartAbandonment).toMatchObject({ rate: 0.75, abandoned: 15, purchased: 5, open: 7 });
    });

    it('uses the configured delay', async () => {
      await start({ shop: shopSettings({ cartAbandonAfterMinutes: 5 }) });
      await run(timeline());
      const c = (await h!.store.snapshot(NOW)).cartAbandonment;
      // purchased within 5 min: none (s1 10 min, s4 29 min); abandoned in the window: s1 11:45, s2 11:51, s3 12:15, s4 12:05, s6 11:55, s7 12:10, h 12:05
      expect(c).toMatchObject({ abandoned: 7, purchased: 0, open: 0, abandonAfterMinutes: 5 });
    });
  });

  describe('currency: the shop currency, converted purchases, and money kept apart', () => {
    const shop = shopSettings({ currency: 'EUR', rates: new Map([['USD', 0.92], ['JPY', 0.0061]]) });

    it('adds converted purchases into the shop total and keeps rate-less currencies apart', async () => {
      await start({ shop: shopSettings({ currency: 'EUR', rates: new Map([['USD', 0.92]]) }) });
      await run([
        ev({ ts: at('12:10:00'), userId: 'a', type: 'purchase', amountMinor: 5000, currency: 'EUR' }),
        ev({ ts: at('12:11:00'), userId: 'b', type: 'purchase', amountMinor: 10_000, currency: 'USD' }), // $100.00 → €92.00
        ev({ ts: at('12:12:00'), userId: 'c', type: 'purchase', amountMinor: 100_000, currency: 'JPY' }), // ¥100,000, no rate
        ev({ ts: at('12:13:00'), userId: 'd', type: 'purchase', amountMinor: 2500, currency: null }), // the shop's
      ]);
      const s = await h!.store.snapshot(NOW);
      expect(s.shop).toMatchObject({ currency: 'EUR', minorUnits: 2 });
      expect(s.revenue).toMatchObject({ lastHourMinor: 16_700, todayMinor: 16_700, unconverted: [{ currency: 'JPY', lastHourMinor: 100_000, todayMinor: 100_000, ordersLastHour: 1 }] });
      expect(s.orders.lastHour).toBe(4);
      // the average covers the three purchases whose money is in the total
      expect(s.averageOrderValue).toMatchObject({ minor: Math.round(16_700 / 3), orders: 3 });
    });

    it('an alert carries the purchase amount in its own currency and converted', async () => {
      await start({ shop });
      const alerts = await run([ev({ ts: at('12:10:00'), userId: 'j', type: 'purchase', amountMinor: 200_000, currency: 'JPY', eventId: 'yen' })]);
      const high = alerts.find((a) => a.kind === 'high_value');
      // ¥200,000 × 0.0061 = €1,220.00, above the €1,000 rule
      expect(high).toMatchObject({ amountMinor: 200_000, currency: 'JPY', shopAmountMinor: 122_000 });
      expect(high!.title).toContain('¥200,000');
      expect(high!.message).toContain('€1,220.00');
    });

    it('a purchase without a rate trips no amount rule: its size in the shop currency is unknown', async () => {
      await start();
      const alerts = await run([ev({ ts: at('12:10:00'), userId: 'j', type: 'purchase', amountMinor: 100_000_000, currency: 'JPY' })]);
      expect(alerts.filter((a) => a.kind === 'high_value')).toEqual([]);
      const user = await h!.store.userAnalytics('j');
      expect(user).toMatchObject({ purchaseCount: 1, lifetimeValueMinor: 0, averagePurchaseMinor: null });
    });

    it('a shop in JPY counts yen as its own money, with no minor units', async () => {
      await start({ shop: shopSettings({ currency: 'JPY' }) });
      await run([ev({ ts: at('12:10:00'), userId: 'a', type: 'purchase', amountMinor: 12_345, currency: 'JPY' })]);
      const s = await h!.store.snapshot(NOW);
      expect(s.shop).toMatchObject({ currency: 'JPY', minorUnits: 0 });
      expect(s.revenue).toMatchObject({ lastHourMinor: 12_345, unconverted: [] });
    });
  });

  describe("the shop's time zone", () => {
    it('"today" starts at local midnight: New York on an ordinary day', async () => {
      await start({ shop: shopSettings({ timeZone: 'America/New_York' }), countingSince: at('00:00:00', '2026-11-24') });
      await run([
        ev({ ts: at('04:30:00'), userId: 'a', type: 'purchase', amountMinor: 100 }), // 23:30 EST the day before
        ev({ ts: at('05:00:00'), userId: 'b', type: 'purchase', amountMinor: 20 }), // 00:00 EST
        ev({ ts: at('12:00:00'), userId: 'c', type: 'purchase', amountMinor: 3 }),
      ]);
      const s = await h!.store.snapshot(NOW);
      expect(s.shop).toMatchObject({ timeZone: 'America/New_York', todayStartsAt: at('05:00:00') });
      expect(s.revenue.todayMinor).toBe(23);
    });

    it('on the day DST ends (25 hours), today starts at 04:00 UTC and runs to 05:00 UTC the next day', async () => {
      const day = '2026-11-01';
      const now = at('12:00:00', day);
      await start({ shop: shopSettings({ timeZone: 'America/New_York' }), countingSince: at('00:00:00', '2026-10-31') });
      await run(
        [
          ev({ ts: at('03:59:00', day), userId: 'a', type: 'purchase', amountMinor: 100 }), // 23:59 EDT, Oct 31
          ev({ ts: at('04:00:00', day), userId: 'b', type: 'purchase', amountMinor: 20 }), // 00:00 EDT
          ev({ ts: at('06:30:00', day), userId: 'c', type: 'purchase', amountMinor: 3 }), // 01:30 EST, after the change
        ],
        now,
      );
      const s = await h!.store.snapshot(now);
      expect(s.shop.todayStartsAt).toBe(at('04:00:00', day));
      expect(s.revenue.todayMinor).toBe(23);
      // the next day (Nov 2) starts at 05:00 UTC: a purchase at 04:30 UTC Nov 2 still belongs to Nov 1
      const late = at('04:30:00', '2026-11-02');
      await run([ev({ ts: late, userId: 'd', type: 'purchase', amountMinor: 4000 })], late);
      const s2 = await h!.store.snapshot(late);
      expect(s2.shop.todayStartsAt).toBe(at('04:00:00', day));
      expect(s2.revenue.todayMinor).toBe(4023);
    });

    it('on the day DST starts in Berlin (23 hours), today starts at 23:00 UTC the evening before', async () => {
      const now = at('20:00:00', '2026-03-29');
      await start({ shop: shopSettings({ timeZone: 'Europe/Berlin' }), countingSince: at('00:00:00', '2026-03-28') });
      await run(
        [
          ev({ ts: at('22:59:00', '2026-03-28'), userId: 'a', type: 'purchase', amountMinor: 100 }), // 23:59 CET, Mar 28
          ev({ ts: at('23:00:00', '2026-03-28'), userId: 'b', type: 'purchase', amountMinor: 20 }), // 00:00 CET, Mar 29
          ev({ ts: at('21:59:00', '2026-03-29'), userId: 'c', type: 'purchase', amountMinor: 3 }), // 23:59 CEST, still Mar 29
        ],
        at('21:59:30', '2026-03-29'),
      );
      const s = await h!.store.snapshot(at('21:59:30', '2026-03-29'));
      expect(s.shop.todayStartsAt).toBe(at('23:00:00', '2026-03-28'));
      expect(s.revenue.todayMinor).toBe(23);
      expect(now).toBeLessThan(at('22:00:00', '2026-03-29')); // the day ends at 22:00 UTC: 23 hours
    });

    it('"this hour" is the local hour, which starts at :30 UTC in India', async () => {
      await start({ shop: shopSettings({ timeZone: 'Asia/Kolkata' }) });
      await run([
        ev({ ts: at('12:20:00'), userId: 'a', type: 'purchase', amountMinor: 100 }), // 17:50 IST
        ev({ ts: at('12:30:10'), userId: 'b', type: 'purchase', amountMinor: 7 }), // 18:00 IST
      ]);
      const s = await h!.store.snapshot(NOW);
      expect(s.revenue).toMatchObject({ thisHourMinor: 7, lastHourMinor: 107 });
    });
  });

  describe('funnel and top lists', () => {
    it('follows sessions through view → cart → purchase and ranks products and countries', async () => {
      await start();
      await run([
        ev({ ts: at('12:00:00'), userId: 'a', sessionId: 's1', type: 'page_view', page: '/p1' }),
        ev({ ts: at('12:01:00'), userId: 'a', sessionId: 's1', type: 'add_to_cart', productId: 'p1' }),
        ev({
          ts: at('12:02:00'), userId: 'a', sessionId: 's1', type: 'purchase', amountMinor: 2500, location: { country: 'DE', lat: null, lon: null },
          items: [{ productId: 'p1', quantity: 2, priceMinor: 1000 }, { productId: '__proto__', quantity: 1, priceMinor: 500 }],
        }),
        ev({ ts: at('12:03:00'), userId: 'b', sessionId: 's2', type: 'page_view', page: '/' }),
        ev({ ts: at('12:04:00'), userId: 'b', sessionId: 's2', type: 'add_to_cart', productId: 'p2' }),
        ev({ ts: at('12:05:00'), userId: 'c', sessionId: 's3', type: 'page_view', page: '/' }),
        // a purchase with no view before it is not in the funnel's later steps; its country comes from the user's last location
        ev({ ts: at('12:06:00'), userId: 'd', type: 'page_view', page: '/', location: { country: 'FR', lat: null, lon: null } }),
        ev({ ts: at('12:07:00'), userId: 'e', type: 'purchase', amountMinor: 900, items: [{ productId: 'p1', quantity: 5, priceMinor: null }] }),
        ev({ ts: at('12:08:00'), userId: 'd', type: 'purchase', amountMinor: 300, productId: 'p3', quantity: 3 }),
      ]);
      const s = await h!.store.snapshot(NOW);
      expect(s.funnel).toEqual({ sessions: 5, viewed: 4, carted: 2, purchased: 1, windowMinutes: 60 });
      expect(s.top.products.byRevenue).toEqual([
        { id: 'p1', revenueMinor: 2900, units: 7, orders: 2 },
        { id: '__proto__', revenueMinor: 500, units: 1, orders: 1 },
        { id: 'p3', revenueMinor: 300, units: 3, orders: 1 },
      ]);
      expect(s.top.products.byUnits.map((l) => l.id)).toEqual(['p1', 'p3', '__proto__']);
      expect(s.top.countries.byRevenue).toEqual([
        { id: 'DE', revenueMinor: 2500, units: 3, orders: 1 },
        { id: 'FR', revenueMinor: 300, units: 3, orders: 1 },
      ]);
      expect(s.top.windowMinutes).toBe(60);
    });
  });

  describe("a user's recent events", () => {
    it('keeps the newest 25 by event time, late ones in their place, hostile ids exactly', async () => {
      await start();
      const id = '__proto__';
      const events = Array.from({ length: 30 }, (_, i) => ev({ ts: at('12:00:00') + i * 1000, userId: id, sessionId: i % 2 ? 'constructor' : null, type: i % 5 ? 'page_view' : 'purchase', amountMinor: i % 5 ? null : 100 * i, currency: i % 5 ? null : 'EUR', eventId: `r${i}` }));
      await run(events.slice(0, 20));
      // a second delivery, with one late event that belongs between the kept ones
      await run([...events.slice(20), ev({ ts: at('12:00:09') + 500, userId: id, type: 'late', eventId: 'late' })]);
      const recent = await h!.store.recentEvents(id);
      expect(recent).toHaveLength(25);
      expect(recent.map((e) => e.ts)).toEqual([...recent.map((e) => e.ts)].sort((a, b) => b - a));
      expect(recent[0]).toEqual({ eventId: 'r29', ts: at('12:00:29'), type: 'page_view', sessionId: 'constructor', amountMinor: null, currency: null, productId: null, page: null });
      expect(recent.find((e) => e.eventId === 'late')).toBeDefined();
      expect(recent.find((e) => e.eventId === 'r25')).toMatchObject({ type: 'purchase', amountMinor: 2500, currency: 'EUR' });
      expect((await h!.store.userAnalytics(id))!.recentEvents).toEqual(recent);
      expect(await h!.store.recentEvents('nobody')).toEqual([]);
    });
  });

  describe('counting since', () => {
    it('compares with the previous hour only when counting covered it', async () => {
      await start({ countingSince: at('10:00:00') });
      await run([
        ev({ ts: at('11:00:00'), userId: 'a', type: 'purchase', amountMinor: 1000 }), // previous hour (10:31–11:30)
        ev({ ts: at('11:10:00'), userId: 'b', type: 'purchase', amountMinor: 3000 }),
        ev({ ts: at('12:10:00'), userId: 'c', type: 'purchase', amountMinor: 500 }),
      ]);
      const s = await h!.store.snapshot(NOW);
      expect(s.shop.countingSince).toBe(at('10:00:00'));
      expect(s.revenue).toMatchObject({ lastHourMinor: 500, previousHourMinor: 4000 });
      expect(s.orders).toMatchObject({ lastHour: 1, previousHour: 2 });
      expect(s.averageOrderValue).toMatchObject({ minor: 500, previousHourMinor: 2000 });
    });

    it('says when counting began after the previous hour started, instead of comparing with zeros', async () => {
      await start({ countingSince: at('11:00:00') });
      await run([ev({ ts: at('12:10:00'), userId: 'c', type: 'purchase', amountMinor: 500 })]);
      const s = await h!.store.snapshot(NOW);
      expect(s.shop.countingSince).toBe(at('11:00:00'));
      expect(s.revenue.previousHourMinor).toBeNull();
      expect(s.orders.previousHour).toBeNull();
      expect(s.averageOrderValue.previousHourMinor).toBeNull();
    });

    it('a fresh store knows when it began counting', async () => {
      const before = Date.now();
      h = await harness(kind);
      await run([ev({ ts: at('12:10:00'), userId: 'c', type: 'page_view' })]);
      const since = (await h.store.snapshot(NOW)).shop.countingSince;
      // memory: when the store was created; Redis: the first delivery applied (the consumer's clock)
      if (kind === 'redis') expect(since).toBe(NOW);
      else {
        expect(since).toBeGreaterThanOrEqual(before);
        expect(since).toBeLessThanOrEqual(Date.now());
      }
    });
  });
});
