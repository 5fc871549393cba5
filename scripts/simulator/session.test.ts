import { describe, expect, it } from 'vitest';
import { validateEvent, type WireEvent } from '@/lib/events';
import { toMinor as toMinorOf } from '@/lib/money';
import { Actor, runToCompletion } from './actor';
import { CATALOGUE } from './catalogue';
import { createRandom } from './random';
import { SESSION_MODEL, shoppingSession } from './session';
import { defaultPricing } from './simulator';
import { UserPool } from './users';

const toMinor = (amount: number) => toMinorOf(amount, 'EUR');

const START = Date.parse('2026-11-25T12:00:00.000Z');
let counter = 0;
const newId = () => `id_${++counter}`;

function simulateSessions(count: number, seed: number): WireEvent[][] {
  const rng = createRandom(seed);
  const users = new UserPool(seed, defaultPricing());
  return Array.from({ length: count }, (_, i) =>
    runToCompletion(new Actor('session', shoppingSession(rng.fork(), users.pick(rng), `sess_${i}`), START, newId)),
  );
}

const sessions = simulateSessions(4000, 42);
const all = sessions.flat();

describe('shopping session model', () => {
  it('produces only events the ingest API accepts', () => {
    for (const e of all) {
      const result = validateEvent(e, START + 24 * 3600_000, () => 'server-id');
      expect(result, JSON.stringify(e)).toMatchObject({ ok: true });
    }
  });

  it('gives every event a unique client id, the user and the session', () => {
    expect(new Set(all.map((e) => e.event_id)).size).toBe(all.length);
    for (const [i, events] of sessions.entries()) {
      expect(new Set(events.map((e) => e.session_id))).toEqual(new Set([`sess_${i}`]));
      expect(new Set(events.map((e) => e.user_id)).size).toBe(1);
    }
  });

  it('starts with a located page view and spaces events by think times of a few seconds', () => {
    for (const events of sessions) {
      expect(events[0].event_type).toBe('page_view');
      expect(events[0].properties?.location?.country).toMatch(/^[A-Z]{2}$/);
      for (let i = 1; i < events.length; i++) {
        const gap = Date.parse(events[i].timestamp) - Date.parse(events[i - 1].timestamp);
        expect(gap).toBeGreaterThanOrEqual(SESSION_MODEL.thinkMinMs);
        expect(gap).toBeLessThanOrEqual(SESSION_MODEL.thinkMaxMs);
      }
    }
    const gaps = sessions.flatMap((s) => s.slice(1).map((e, i) => Date.parse(e.timestamp) - Date.parse(s[i].timestamp)));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(2_000);
    expect(mean).toBeLessThan(8_000);
  });

  it('describes products on page views and carts with catalogue prices', () => {
    const byId = new Map(CATALOGUE.map((p) => [p.id, p]));
    for (const e of all) {
      const p = e.properties ?? {};
      if (e.event_type === 'page_view') expect(p.page).toMatch(/^\//);
      if (e.event_type === 'page_view' && p.product_id) expect(p.category).toBe(byId.get(p.product_id)?.category);
      if (e.event_type === 'add_to_cart') {
        expect(toMinor(p.price ?? -1)).toBe(byId.get(p.product_id ?? '')?.priceMinor);
        expect(p.quantity).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('charges the sum of the cart on purchase, in EUR, from the user home location', () => {
    const purchases = sessions.filter((s) => s.some((e) => e.event_type === 'purchase'));
    expect(purchases.length).toBeGreaterThan(0);
    for (const events of purchases) {
      const purchase = events.find((e) => e.event_type === 'purchase')!;
      const p = purchase.properties!;
      const cartMinor = events
        .filter((e) => e.event_type === 'add_to_cart')
        .reduce((sum, e) => sum + toMinor(e.properties!.price!) * e.properties!.quantity!, 0);
      const itemsMinor = p.items!.reduce((sum, i) => sum + toMinor(i.price!) * i.quantity!, 0);
      expect(toMinor(p.amount!)).toBe(cartMinor);
      expect(itemsMinor).toBe(cartMinor);
      expect(p.currency).toBe('EUR');
      expect(p.location).toEqual(events[0].properties?.location);
      expect(events.indexOf(purchase)).toBe(events.length - 1);
    }
  });

  it('converts a few percent of sessions and abandons 60-75% of carts', () => {
    const withCart = sessions.filter((s) => s.some((e) => e.event_type === 'add_to_cart'));
    const bought = sessions.filter((s) => s.some((e) => e.event_type === 'purchase'));
    const conversion = bought.length / sessions.length;
    const abandonment = 1 - bought.length / withCart.length;
    expect(conversion).toBeGreaterThan(0.02);
    expect(conversion).toBeLessThan(0.06);
    expect(abandonment).toBeGreaterThan(0.6);
    expect(abandonment).toBeLessThan(0.75);
  });

  it('is reproducible from the seed', () => {
    const strip = (s: WireEvent[][]) => s.map((events) => events.map(({ event_type, user_id, properties }) => ({ event_type, user_id, properties })));
    expect(strip(simulateSessions(50, 7))).toEqual(strip(simulateSessions(50, 7)));
    expect(strip(simulateSessions(50, 7))).not.toEqual(strip(simulateSessions(50, 8)));
  });
});
