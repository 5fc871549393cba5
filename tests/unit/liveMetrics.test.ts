import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryLiveStore } from '@/server/adapters/memory/memoryLiveStore';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import { MemoryDeadLetters } from '@/server/adapters/memory/memoryDeadLetters';
import { batchOf, ev } from '../helpers/events';

const NOW = Date.parse('2026-11-25T12:30:30Z');
const at = (hhmmss: string, day = '2026-11-25') => Date.parse(`${day}T${hhmmss}Z`);
const rules = { fraudScoreAbove: 0.8, highValueAboveCents: 100_000, lowStockAtOrBelow: 5 };

function store() {
  return new MemoryLiveStore({ fraudWeights: DEFAULT_FRAUD_WEIGHTS, rules, maxUsers: 1000, deadLetters: new MemoryDeadLetters() });
}

describe('live metrics over a hand-computed scenario', () => {
  let s: MemoryLiveStore;
  let alerts: Awaited<ReturnType<MemoryLiveStore['apply']>>['alerts'];

  beforeEach(async () => {
    s = store();
    const result = await s.apply(batchOf([
        ev({ ts: at('12:26:10'), userId: 'u1', sessionId: 's1', type: 'page_view', page: '/p/1' }),
        ev({ ts: at('12:27:00'), userId: 'u1', sessionId: 's1', type: 'add_to_cart', productId: 'p1' }),
        ev({ ts: at('12:28:00'), userId: 'u1', sessionId: 's1', type: 'purchase', amountCents: 5000 }),
        ev({ ts: at('12:30:00'), userId: 'u2', sessionId: 's2', type: 'page_view', page: '/' }),
        ev({ ts: at('12:30:10'), userId: 'u2', sessionId: 's2', type: 'add_to_cart', productId: 'p2' }),
        ev({ ts: at('12:20:00'), userId: 'u3', type: 'page_view', page: '/' }),
        ev({ ts: at('11:59:00'), userId: 'u4', type: 'purchase', amountCents: 2000 }), // late, previous hour
        ev({ ts: at('23:00:00', '2026-11-24'), userId: 'u5', type: 'purchase', amountCents: 1000 }), // yesterday
        ev({ ts: at('12:29:00'), userId: 'u6', type: 'purchase', amountCents: 150_000 }), // high value
      ]),
      NOW,
      3,
    );
    alerts = result.alerts;
  });

  it('counts distinct active users over the trailing 5 minutes', async () => {
    const snap = await s.snapshot(NOW);
    expect(snap.activeUsers).toEqual({ current: 3, windowMinutes: 5 }); // u1, u2, u6
  });

  it('sums revenue this hour, today and over the last 60 minutes in cents', async () => {
    const snap = await s.snapshot(NOW);
    expect(snap.revenue).toEqual({ thisHourCents: 155_000, todayCents: 157_000, lastHourCents: 157_000 });
    expect(snap.orders).toEqual({ thisMinute: 0, lastHour: 3 });
  });

  it('builds a 60-point per-minute series ending at the current minute', async () => {
    const snap = await s.snapshot(NOW);
    expect(snap.series).toHaveLength(60);
    expect(snap.series[0].minute).toBe(at('11:31:00'));
    expect(snap.series[59].minute).toBe(at('12:30:00'));
    expect(snap.series.find((p) => p.minute === at('12:28:00'))).toEqual({
      minute: at('12:28:00'),
      activeUsers: 1,
      revenueCents: 5000,
      orders: 1,
      events: 1,
    });
    expect(snap.series[59]).toMatchObject({ activeUsers: 1, events: 2 });
  });

  it('computes conversion over sessions (or users without one) in the last 60 minutes', async () => {
    const snap = await s.snapshot(NOW);
    expect(snap.conversion).toEqual({ rate: 0.6, sessionsWithPurchase: 3, sessions: 5, windowMinutes: 60 });
  });

  it('reports cart abandonment as not enough data below 20 carts', async () => {
    const snap = await s.snapshot(NOW);
    expect(snap.cartAbandonment).toMatchObject({ rate: null, cartsCreated: 2, cartsPurchased: 1, minimumCarts: 20 });
  });

  it('counts events by type in the last hour, without yesterday', async () => {
    const snap = await s.snapshot(NOW);
    expect(snap.eventsByType).toEqual({ page_view: 3, add_to_cart: 2, purchase: 3 });
  });

  it('keeps per-user analytics, late events included', async () => {
    expect(await s.userAnalytics('u1')).toMatchObject({
      totalEvents: 3,
      eventsByType: { page_view: 1, add_to_cart: 1, purchase: 1 },
      purchaseCount: 1,
      lifetimeValueCents: 5000,
      averagePurchaseCents: 5000,
      lastActivity: at('12:28:00'),
    });
    expect(await s.userAnalytics('u5')).toMatchObject({ purchaseCount: 1, lifetimeValueCents: 1000 });
  });

  it('keeps per-session aggregates', async () => {
    expect(await s.sessionAggregates('s1')).toEqual({
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
    expect(alerts.map((a) => [a.kind, a.userId, a.amountCents])).toEqual([['high_value', 'u6', 150_000]]);
    expect(alerts[0].id).toBe(`high_value:${alerts[0].eventId}`);
  });

  it('tracks the newest event time it includes', async () => {
    expect((await s.snapshot(NOW)).newestEventTime).toBe(at('12:30:10'));
  });
});

describe('cart abandonment with enough carts', () => {
  it('is 1 − purchased ÷ created once 20 carts exist', async () => {
    const s = store();
    const evs = [];
    for (let i = 0; i < 20; i++) {
      evs.push(ev({ ts: at('12:10:00'), userId: `c${i}`, sessionId: `cs${i}`, type: 'add_to_cart' }));
      if (i < 5) evs.push(ev({ ts: at('12:15:00'), userId: `c${i}`, sessionId: `cs${i}`, type: 'purchase', amountCents: 100 }));
    }
    await s.apply(batchOf(evs), NOW, 3);
    const snap = await s.snapshot(NOW);
    expect(snap.cartAbandonment).toMatchObject({ rate: 0.75, cartsCreated: 20, cartsPurchased: 5 });
  });

  it('does not count a purchase made before the cart was created', async () => {
    const s = store();
    const evs = [];
    for (let i = 0; i < 20; i++) evs.push(ev({ ts: at('12:10:00'), userId: `c${i}`, sessionId: `cs${i}`, type: 'add_to_cart' }));
    evs.push(ev({ ts: at('12:05:00'), userId: 'c0', sessionId: 'cs0', type: 'purchase', amountCents: 100 }));
    await s.apply(batchOf(evs), NOW, 3);
    expect((await s.snapshot(NOW)).cartAbandonment).toMatchObject({ rate: 1, cartsPurchased: 0 });
  });
});

describe('fraud and inventory alerts', () => {
  it('raises a fraud alert when a purchase scores above 0.8', async () => {
    const s = store();
    const berlin = { country: 'DE', lat: 52.52, lon: 13.405 };
    const sydney = { country: 'AU', lat: -33.87, lon: 151.21 };
    const evs = [
      ev({ ts: at('12:20:00'), userId: 'f', type: 'purchase', amountCents: 1000, location: berlin }),
      ev({ ts: at('12:21:00'), userId: 'f', type: 'purchase', amountCents: 1000, location: berlin }),
      ev({ ts: at('12:22:00'), userId: 'f', type: 'purchase', amountCents: 1000, location: berlin }),
      ev({ ts: at('12:23:00'), userId: 'f', type: 'purchase', amountCents: 1000, location: berlin }),
      ev({ ts: at('12:24:00'), userId: 'f', type: 'purchase', amountCents: 90_000, location: sydney }),
    ];
    const { alerts } = await s.apply(batchOf(evs), NOW, 3);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'fraud', severity: 'critical', score: 1, eventId: evs[4].eventId, userId: 'f' });
    expect(alerts[0].reasons).toHaveLength(3);
  });

  it('decrements stock by purchased items and alerts once when it reaches the low-stock threshold', async () => {
    const s = store();
    await s.setStock('p1', 7);
    const buy = (qty: number) =>
      ev({ ts: at('12:20:00'), userId: 'u', type: 'purchase', amountCents: 100, items: [{ productId: 'p1', quantity: qty, priceCents: 50 }] });
    const first = await s.apply(batchOf([buy(1)]), NOW, 3); // 6
    expect(first.alerts).toEqual([]);
    const second = await s.apply(batchOf([buy(2)]), NOW, 3); // 4
    expect(second.alerts.map((a) => [a.kind, a.productId])).toEqual([['low_stock', 'p1']]);
    const third = await s.apply(batchOf([buy(1)]), NOW, 3); // 3
    expect(third.alerts).toEqual([]);
    expect((await s.snapshot(NOW)).inventory).toEqual({ tracked: 1, lowStockThreshold: 5, lowStock: [{ productId: 'p1', stock: 3 }] });
  });
});

describe('poison records', () => {
  it('retries a record that throws, then sets it aside with its error and attempts, applying its neighbours once', async () => {
    const deadLetters = new MemoryDeadLetters();
    const s = new MemoryLiveStore({ fraudWeights: DEFAULT_FRAUD_WEIGHTS, rules, maxUsers: 1000, deadLetters });
    await s.setStock('p1', 100);
    // a corrupt record: items is not a list (cannot come through validation, can come from a bug)
    const poison = ev({ ts: at('12:20:00'), userId: 'bad', type: 'purchase', amountCents: 100, items: null as never });
    const result = await s.apply(
      batchOf([ev({ ts: at('12:20:00'), userId: 'a', type: 'page_view' }), poison, ev({ ts: at('12:20:00'), userId: 'b', type: 'page_view' })]),
      NOW,
      3,
    );
    expect(result).toMatchObject({ applied: 2, deadLettered: 1 });
    const [letter] = await deadLetters.list(10);
    expect(letter).toMatchObject({ eventId: poison.eventId, attempts: 3 });
    expect(letter.error).toMatch(/null/);
    expect(JSON.parse(letter.payload).userId).toBe('bad');
    expect((await s.snapshot(NOW)).eventsByType).toEqual({ page_view: 2 });
  });
});
