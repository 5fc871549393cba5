import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveSnapshotSchema } from '@/lib/live';
import { LIVE_CONSUMER, MAX_EVENTS_PER_DELIVERY } from '@/server/consumers/liveConsumer';
import { emptyEffects } from '@/server/pipeline/effects';
import { runEngine, stateRequestFor } from '@/server/pipeline/engine';
import { shopSettings } from '@/server/shop';
import { ev } from '../helpers/events';
import { harness, rules, STORE_KINDS, type Harness } from '../helpers/stores';

/**
 * What no input and no redelivery may break, on every live store: identifiers that spell fixed
 * key names, prototype members, patterns or very long strings are counted exactly and keep the
 * pipeline flowing; an apply below the checkpoint or under a stale lease changes nothing.
 */
const NOW = Date.parse('2026-11-25T12:30:30Z');
const at = (hhmmss: string) => Date.parse(`2026-11-25T${hhmmss}Z`);

export const HOSTILE_IDS = [
  'last', 'dirty', 'inflight', 'stock', 'newest', 'f:stock', 'c:u:x', 'u:last', 's:last', 'ud:dirty',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf',
  '*', '?', '[a-z]', '%', '%s', '.*', '^$', '\\', '"', "'", '{}', '[]', 'null', 'undefined', '',
  'nul\u0000byte', '💥', 'e\u0301', 'x'.repeat(256),
].filter((id) => id !== '');

describe.each(STORE_KINDS)('LiveStore safety contract: %s', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(kind);
  });
  afterEach(() => h.close());

  it('counts hostile user, session, product and type identifiers exactly and keeps a valid snapshot', async () => {
    await h.store.setStock('__proto__', 1000);
    const events = HOSTILE_IDS.flatMap((id) => [
      ev({ ts: at('12:29:00'), userId: id, sessionId: id, type: 'page_view', page: id }),
      ev({ ts: at('12:29:10'), userId: id, sessionId: id, type: 'add_to_cart', productId: id }),
      ev({ ts: at('12:29:20'), userId: id, sessionId: id, type: 'purchase', amountMinor: 100, items: [{ productId: '__proto__', quantity: 1, priceMinor: 100 }], location: { country: 'DE', lat: 1, lon: 1 } }),
    ]);
    const typeEvents = ['__proto__', 'constructor', 'toString', 'last', 't:ev', 'ev'].map((type) => ev({ ts: at('12:29:30'), userId: 'typer', type }));
    await h.process([...events, ...typeEvents], NOW);
    const snap = await h.store.snapshot(NOW);
    const n = HOSTILE_IDS.length;
    expect(snap.activeUsers.current).toBe(n + 1);
    expect(snap.orders.lastHour).toBe(n);
    expect(snap.revenue.lastHourMinor).toBe(100 * n);
    expect(snap.conversion).toMatchObject({ sessions: n + 1, sessionsWithPurchase: n });
    expect(snap.cartAbandonment).toMatchObject({ purchased: n, abandoned: 0, open: 0 });
    expect(snap.inventory.lowStock).toEqual([]);
    // pairs, not an object literal: in a literal `__proto__: 1` would set the prototype, not a key
    expect(Object.entries(snap.eventsByType).sort()).toEqual(
      [['page_view', n], ['add_to_cart', n], ['purchase', n], ['__proto__', 1], ['constructor', 1], ['toString', 1], ['last', 1], ['t:ev', 1], ['ev', 1]].sort(),
    );
    expect(Object.keys(snap.eventsByType)).toHaveLength(9);
    // the screens' own schema accepts it (a bad snapshot blanks every screen)
    expect(liveSnapshotSchema.safeParse({ ...snap, computedAt: NOW, mode: kind, durable: true, pipeline: snap.pipeline ?? { eventsPerSecond: 0, acceptedTotal: 0, processedTotal: 0, rejectedTotal: 0, duplicatesTotal: 0, deadLetters: 0, backlog: 0, lagMsP50: null, lagMsP99: null } }).success).toBe(true);
    for (const id of HOSTILE_IDS) {
      expect(await h.store.userAnalytics(id)).toMatchObject({ userId: id, totalEvents: 3, purchaseCount: 1, lifetimeValueMinor: 100, eventsByType: { page_view: 1, add_to_cart: 1, purchase: 1 } });
      expect(await h.store.sessionAggregates(id)).toMatchObject({ sessionId: id, userId: id, pageViews: 1, uniquePages: 1, purchased: true });
    }
    expect(Object.keys((await h.store.userAnalytics('typer'))!.eventsByType).sort()).toEqual(['__proto__', 'constructor', 'ev', 'last', 't:ev', 'toString']);
    // the product named __proto__ was tracked and sold n times
    expect(snap.inventory.tracked).toBe(1);
    await h.store.setStock('other', 0);
    expect((await h.store.snapshot(NOW)).inventory.lowStock).toEqual([{ productId: 'other', stock: 0 }]);
    expect(await h.store.userAnalytics('nobody')).toBeNull();
    expect((await h.log.backlog()).live).toBe(0);
  });

  it('keeps flowing after hostile input: later events are applied too', async () => {
    await h.process(HOSTILE_IDS.map((id) => ev({ ts: at('12:29:00'), userId: id, type: 'page_view' })), NOW);
    await h.process([ev({ ts: at('12:30:00'), userId: 'after', type: 'page_view' })], NOW);
    expect((await h.store.snapshot(NOW)).series.at(-1)).toMatchObject({ events: 1 });
    expect(await h.deadLetters.count()).toBe(0);
  });

  it('applies a backlog of large requests in bounded deliveries, counting every event once', async () => {
    const request = (n: number) => Array.from({ length: 500 }, (_, i) => ev({ ts: at('12:29:00'), userId: 'one-partition', sessionId: `s${n}`, type: 'purchase', amountMinor: 1, items: [{ productId: `p${i % 100}`, quantity: 1, priceMinor: 1 }] }));
    await h.process([], NOW); // sets the consumer's clock
    const sizes: number[] = [];
    const apply = h.store.apply.bind(h.store);
    h.store.apply = (req) => {
      sizes.push(req.effects.processed);
      return apply(req);
    };
    for (let n = 0; n < 9; n++) await h.log.append(request(n));
    await h.drained();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(4500);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_EVENTS_PER_DELIVERY);
    const snap = await h.store.snapshot(NOW);
    expect(snap.orders.lastHour).toBe(4500);
    expect(await h.store.userAnalytics('one-partition')).toMatchObject({ purchaseCount: 4500, lifetimeValueMinor: 4500 });
  });

  it('changes nothing when a delivery is applied again at or below the checkpoint', async () => {
    await h.process([ev({ ts: at('12:29:00'), userId: 'u', type: 'purchase', amountMinor: 500 })], NOW);
    const heads = await h.log.heads();
    const p = heads.findIndex((x) => x > 0);
    const cp = await h.store.checkpoint(LIVE_CONSUMER, p);
    expect(cp).toBe(heads[p]);
    const records = [{ offset: cp, event: ev({ ts: at('12:29:00'), userId: 'u', type: 'purchase', amountMinor: 500 }), appendedAt: NOW }];
    const state = await h.store.read(stateRequestFor(records));
    const { effects } = runEngine(records, state, { rules, shop: shopSettings(), now: NOW, attempt: 1, deadLetterFrom: 3, entryIdOf: () => 'x' });
    const outcome = await h.store.apply({ consumer: LIVE_CONSUMER, lease: { partition: p, token: 1 }, fromOffset: cp - 1, toOffset: cp, effects, now: NOW });
    expect(outcome).toEqual({ status: 'duplicate' });
    expect(await h.store.userAnalytics('u')).toMatchObject({ purchaseCount: 1, lifetimeValueMinor: 500 });
    expect((await h.store.snapshot(NOW)).revenue.lastHourMinor).toBe(500);
  });

  it('refuses a delivery that does not start at the checkpoint, naming where it is', async () => {
    const outcome = await h.store.apply({ consumer: 'other', lease: { partition: 0, token: 1 }, fromOffset: 5, toOffset: 9, effects: emptyEffects(), now: NOW });
    expect(outcome).toEqual({ status: 'moved', checkpoint: 0 });
  });

  // memory has one owner in one process; the lease check is Redis's
  if (kind === 'redis') it('refuses a delivery under a lease token that is no longer current (fencing)', async () => {
    await h.redis!.hset(h.keys!.lease('fenced-test', 0), 'owner', 'someone-else', 'token', '7', 'expires', String(Date.now() + 60_000));
    const outcome = await h.store.apply({ consumer: 'fenced-test', lease: { partition: 0, token: 6 }, fromOffset: 0, toOffset: 1, effects: emptyEffects(), now: NOW });
    expect(outcome).toEqual({ status: 'fenced' });
    expect(await h.store.checkpoint('fenced-test', 0)).toBe(0);
  });
});
