import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '@/lib/live';
import { ev } from '../helpers/events';
import { harness, STORE_KINDS, type Harness } from '../helpers/stores';

/**
 * The live-metric contract: the same hand-computed scenarios against every LiveStore adapter
 * (in-process and Redis), fed through the matching EventLog adapter.
 */
const NOW = Date.parse('2026-11-25T12:30:30Z');
const at = (hhmmss: string, day = '2026-11-25') => Date.parse(`${day}T${hhmmss}Z`);
const alertsOf = (results: { alerts: Alert[] }[]) => results.flatMap((r) => r.alerts);

describe.each(STORE_KINDS)('LiveStore contract: %s', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(kind);
  });
  afterEach(() => h.close());

  describe('a hand-computed scenario', () => {
    let alerts: Alert[];
    beforeEach(async () => {
      alerts = alertsOf(
        await h.process(
          [
            ev({ ts: at('12:26:10'), userId: 'u1', sessionId: 's1', type: 'page_view', page: '/p/1' }),
            ev({ ts: at('12:27:00'), userId: 'u1', sessionId: 's1', type: 'add_to_cart', productId: 'p1' }),
            ev({ ts: at('12:28:00'), userId: 'u1', sessionId: 's1', type: 'purchase', amountMinor: 5000 }),
            ev({ ts: at('12:30:00'), userId: 'u2', sessionId: 's2', type: 'page_view', page: '/' }),
            ev({ ts: at('12:30:10'), userId: 'u2', sessionId: 's2', type: 'add_to_cart', productId: 'p2' }),
            ev({ ts: at('12:20:00'), userId: 'u3', type: 'page_view', page: '/' }),
            ev({ ts: at('11:59:00'), userId: 'u4', type: 'purchase', amountMinor: 2000 }), // late, previous hour
            ev({ ts: at('23:00:00', '2026-11-24'), userId: 'u5', type: 'purchase', amountMinor: 1000 }), // yesterday
            ev({ ts: at('12:29:00'), userId: 'u6', type: 'purchase', amountMinor: 150_000 }), // high value
          ],
          NOW,
        ),
      );
    });

    it('counts distinct active users over the trailing 5 minutes', async () => {
      expect((await h.store.snapshot(NOW)).activeUsers).toEqual({ current: 3, windowMinutes: 5 });
    });

    it('sums revenue this hour, today and over the last 60 minutes in cents', async () => {
      const snap = await h.store.snapshot(NOW);
      // counting began at the first delivery (Redis) or the store's creation (memory): no previous hour to compare
      expect(snap.revenue).toEqual({ thisHourMinor: 155_000, todayMinor: 157_000, lastHourMinor: 157_000, previousHourMinor: null, unconverted: [] });
      expect(snap.orders).toEqual({ thisMinute: 0, lastHour: 3, previousHour: null });
    });

    it('builds a 60-point per-minute series ending at the current minute', async () => {
      const snap = await h.store.snapshot(NOW);
      expect(snap.series).toHaveLength(60);
      expect(snap.series[0].minute).toBe(at('11:31:00'));
      expect(snap.series[59].minute).toBe(at('12:30:00'));
      expect(snap.series.find((p) => p.minute === at('12:28:00'))).toEqual({ minute: at('12:28:00'), activeUsers: 1, revenueMinor: 5000, orders: 1, events: 1 });
      expect(snap.series[59]).toMatchObject({ activeUsers: 1, events: 2 });
    });

    it('computes conversion over sessions (or users without one) in the last 60 minutes', async () => {
      expect((await h.store.snapshot(NOW)).conversion).toEqual({ rate: 0.6, sessionsWithPurchase: 3, sessions: 5, windowMinutes: 60 });
    });

    it('reports cart abandonment as not enough data below 20 decided carts, open carts apart', async () => {
      expect((await h.store.snapshot(NOW)).cartAbandonment).toMatchObject({ rate: null, abandoned: 0, purchased: 1, open: 1, minimumCarts: 20 });
    });

    it('counts events by type in the last hour, without yesterday', async () => {
      expect((await h.store.snapshot(NOW)).eventsByType).toEqual({ page_view: 3, add_to_cart: 2, purchase: 3 });
    });

    it('keeps per-user analytics, late events included', async () => {
      expect(await h.store.userAnalytics('u1')).toMatchObject({
        totalEvents: 3,
        eventsByType: { page_view: 1, add_to_cart: 1, purchase: 1 },
        purchaseCount: 1,
        lifetimeValueMinor: 5000,
        averagePurchaseMinor: 5000,
        lastActivity: at('12:28:00'),
      });
      expect(await h.store.userAnalytics('u5')).toMatchObject({ purchaseCount: 1, lifetimeValueMinor: 1000 });
      expect(await h.store.userAnalytics('nobody')).toBeNull();
    });

    it('keeps per-session aggregates', async () => {
      expect(await h.store.sessionAggregates('s1')).toEqual({
        sessionId: 's1',
        userId: 'u1',
        startedAt: at('12:26:10'),
        lastEventAt: at('12:28:00'),
        durationSeconds: 110,
        pageViews: 1,
        pageViewsPerMinute: 1 / (110 / 60),
        uniquePages: 1,
        purchased: true,
      });
    });

    it('raises a high-value alert naming the triggering event', () => {
      expect(alerts.map((a) => [a.kind, a.userId, a.amountMinor])).toEqual([['high_value', 'u6', 150_000]]);
      expect(alerts[0].id).toBe(`high_value:${alerts[0].eventId}`);
    });

    it('keeps recent alerts and the newest event time in the snapshot', async () => {
      const snap = await h.store.snapshot(NOW);
      expect(snap.newestEventTime).toBe(at('12:30:10'));
      expect(snap.alerts.map((a) => a.kind)).toEqual(['high_value']);
    });
  });

  it('computes cart abandonment as abandoned ÷ decided once 20 carts are decided', async () => {
    const evs = [];
    for (let i = 0; i < 20; i++) {
      // 30 minutes after 11:40 without a purchase: abandoned at 12:10
      evs.push(ev({ ts: at('11:40:00'), userId: `c${i}`, sessionId: `cs${i}`, type: 'add_to_cart' }));
      if (i < 5) evs.push(ev({ ts: at('11:45:00'), userId: `c${i}`, sessionId: `cs${i}`, type: 'purchase', amountMinor: 100 }));
    }
    evs.push(ev({ ts: at('11:35:00'), userId: 'c19', sessionId: 'cs19', type: 'purchase', amountMinor: 100 })); // before its cart
    await h.process(evs, NOW);
    expect((await h.store.snapshot(NOW)).cartAbandonment).toMatchObject({ rate: 0.75, abandoned: 15, purchased: 5, open: 0 });
  });

  it('raises a fraud alert when a purchase scores above 0.8', async () => {
    const berlin = { country: 'DE', lat: 52.52, lon: 13.405 };
    const sydney = { country: 'AU', lat: -33.87, lon: 151.21 };
    await h.process([0, 1, 2, 3].map((i) => ev({ ts: at(`12:2${i}:00`), userId: 'f', type: 'purchase', amountMinor: 1000, location: berlin })), NOW);
    const last = ev({ ts: at('12:24:00'), userId: 'f', type: 'purchase', amountMinor: 90_000, location: sydney });
    const alerts = alertsOf(await h.process([last], NOW));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'fraud', severity: 'critical', score: 1, eventId: last.eventId, userId: 'f' });
    expect(alerts[0].reasons).toHaveLength(3);
  });

  it('decrements stock by purchased items and alerts once when it reaches the low-stock threshold', async () => {
    await h.store.setStock('p1', 7);
    const buy = (qty: number) => ev({ ts: at('12:20:00'), userId: 'u', type: 'purchase', amountMinor: 100, items: [{ productId: 'p1', quantity: qty, priceMinor: 50 }] });
    expect(alertsOf(await h.process([buy(1)], NOW))).toEqual([]); // 6
    expect(alertsOf(await h.process([buy(2)], NOW)).map((a) => [a.kind, a.productId, a.message])).toEqual([
      ['low_stock', 'p1', 'p1 is down to 4 in stock (alert at 5 or fewer)'],
    ]);
    expect(alertsOf(await h.process([buy(1)], NOW))).toEqual([]); // 3
    expect((await h.store.snapshot(NOW)).inventory).toEqual({ tracked: 1, lowStockThreshold: 5, lowStock: [{ productId: 'p1', stock: 3 }] });
  });

  it('keeps every new alert in the signal stream, in order, once, with hostile ids intact', async () => {
    const head = await h.store.alertSignalsHead();
    const ids = ['last', '__proto__', 'constructor', 'x'.repeat(2000), 'emoji 🚀'];
    const buys = ids.map((userId, i) => ev({ ts: at(`12:2${i}:00`), userId, type: 'purchase', amountMinor: 200_000 + i }));
    await h.process(buys, NOW);
    await h.process([buys[0], { ...buys[1] }], NOW); // redelivered: no new signal
    const signals = await h.store.readAlertSignals(head, 100);
    // one per alert (partitions apply in their own order, so compare as a set)
    const seen = signals.map((s) => [s.alert.ruleId, s.alert.dedupKey, s.alert.userId]);
    expect(seen).toHaveLength(ids.length);
    expect(new Set(seen.map((x) => JSON.stringify(x)))).toEqual(new Set(ids.map((u) => JSON.stringify(['high_value', `user:${u}`, u]))));
    // positions grow, and reading after one gives exactly the rest
    expect(await h.store.readAlertSignals(signals[1].position, 100)).toEqual(signals.slice(2));
    expect(await h.store.readAlertSignals(signals[4].position, 100)).toEqual([]);
    expect(await h.store.alertSignalsHead()).toBe(signals[4].position);
  });

  it('applies a retried event_id once', async () => {
    const e = ev({ ts: at('12:20:00'), userId: 'r', type: 'purchase', amountMinor: 700 });
    await h.process([e], NOW);
    await h.process([e, { ...e }], NOW);
    expect(await h.store.userAnalytics('r')).toMatchObject({ purchaseCount: 1, lifetimeValueMinor: 700 });
  });

  it('moves a record that keeps failing to the dead letters and applies its neighbours once', async () => {
    const poison = ev({ ts: at('12:20:00'), userId: 'bad', type: 'purchase', amountMinor: 100, items: null as never });
    await h.process([ev({ ts: at('12:20:00'), userId: 'a', type: 'page_view' }), poison, ev({ ts: at('12:20:00'), userId: 'b', type: 'page_view' })], NOW);
    const [letter] = await h.deadLetters.list(10);
    expect(letter).toMatchObject({ eventId: poison.eventId, attempts: 3 });
    expect(JSON.parse(letter.payload).userId).toBe('bad');
    expect((await h.store.snapshot(NOW)).eventsByType).toEqual({ page_view: 2 });
    expect((await h.log.backlog()).live).toBe(0);
  });
});
