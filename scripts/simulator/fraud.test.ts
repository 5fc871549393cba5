import { describe, expect, it } from 'vitest';
import { validateEvent, type WireEvent } from '@/lib/events';
import { toMinor } from '@/lib/money';
import { Actor, runToCompletion } from './actor';
import { HIGH_VALUE_ABOVE_MINOR } from './catalogue';
import { cartWorth, FRAUD_PATTERNS, startPattern, type FraudPattern } from './fraud';
import { distanceKm } from './geo';
import { createRandom } from './random';
import { defaultPricing } from './simulator';
import { UserPool } from './users';

const START = Date.parse('2026-11-25T12:00:00.000Z');
const MINUTE = 60_000;

function play(kind: FraudPattern, seed: number): WireEvent[] {
  const rng = createRandom(seed);
  const users = new UserPool(seed, defaultPricing());
  let id = 0;
  const pattern = startPattern(kind, {
    rng,
    customer: users.pick(rng),
    newCustomer: () => users.create(`user_new_${seed}`, rng),
    newSessionId: () => `sess_${++id}`,
  });
  return runToCompletion(new Actor(kind, pattern.script, START, () => `evt_${seed}_${++id}`, pattern.users));
}

const time = (e: WireEvent) => Date.parse(e.timestamp);
const purchasesOf = (events: WireEvent[]) => events.filter((e) => e.event_type === 'purchase');
const cents = (e: WireEvent) => toMinor(e.properties!.amount!, 'EUR');
const located = (events: WireEvent[]) => events.filter((e) => e.properties?.location?.lat !== undefined);
const speedKmh = (a: WireEvent, b: WireEvent) => {
  const km = distanceKm(
    { lat: a.properties!.location!.lat!, lon: a.properties!.location!.lon! },
    { lat: b.properties!.location!.lat!, lon: b.properties!.location!.lon! },
  );
  return km / ((time(b) - time(a)) / 3_600_000);
};

/** PRODUCT.md's reference fraud rule, restated here so the patterns are checked against the spec. */
function fraudScores(events: WireEvent[]): number[] {
  const scores: number[] = [];
  const purchases: { at: number; cents: number }[] = [];
  let last: WireEvent | null = null;
  for (const e of events) {
    const loc = e.properties?.location;
    if (e.event_type === 'purchase') {
      let score = 0;
      const avg = purchases.length ? purchases.reduce((s, p) => s + p.cents, 0) / purchases.length : Infinity;
      if (cents(e) > 5 * avg) score += 0.3;
      if (purchases.filter((p) => p.at >= time(e) - 10 * MINUTE).length > 3) score += 0.4;
      const lastLoc = last?.properties?.location;
      if (last && loc && lastLoc && ((loc.country !== lastLoc.country && time(e) - time(last) <= 60 * MINUTE) || speedKmh(last, e) > 900)) score += 0.3;
      scores.push(Math.round(score * 10) / 10);
      purchases.push({ at: time(e), cents: cents(e) });
    }
    if (loc) last = e;
  }
  return scores;
}

describe('fraud patterns', () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it.each(FRAUD_PATTERNS)('%s produces valid events of one user', (kind) => {
    for (const seed of seeds) {
      const events = play(kind, seed);
      expect(new Set(events.map((e) => e.user_id)).size).toBe(1);
      for (const e of events) expect(validateEvent(e, START + 3600_000, () => 'x')).toMatchObject({ ok: true });
    }
  });

  it('burst: 5 or more purchases by one user within two minutes', () => {
    for (const seed of seeds) {
      const purchases = purchasesOf(play('burst', seed));
      expect(purchases.length).toBeGreaterThanOrEqual(5);
      expect(time(purchases.at(-1)!) - time(purchases[0])).toBeLessThanOrEqual(2 * MINUTE);
      expect(Math.max(...fraudScores(play('burst', seed)))).toBeGreaterThanOrEqual(0.4);
    }
  });

  it('country_hop: a purchase from another country minutes later, faster than 900 km/h', () => {
    for (const seed of seeds) {
      const events = play('country_hop', seed);
      const fixes = located(events);
      const hops = fixes.slice(1).map((b, i) => ({ a: fixes[i], b })).filter(({ a, b }) => a.properties!.location!.country !== b.properties!.location!.country);
      expect(hops).toHaveLength(1);
      const { a, b } = hops[0];
      expect(time(b) - time(a)).toBeGreaterThanOrEqual(2 * MINUTE);
      expect(time(b) - time(a)).toBeLessThanOrEqual(10 * MINUTE);
      expect(speedKmh(a, b)).toBeGreaterThan(900);
      const purchases = purchasesOf(events);
      expect(purchases.at(-1)!.properties!.location!.country).toBe(b.properties!.location!.country);
      expect(fraudScores(events).at(-1)).toBeGreaterThanOrEqual(0.3);
    }
  });

  it('outsized_amount: the last purchase is more than 5× the previous average, and no high-value order', () => {
    for (const seed of seeds) {
      const purchases = purchasesOf(play('outsized_amount', seed));
      const previous = purchases.slice(0, -1).map(cents);
      expect(previous.length).toBeGreaterThan(0);
      const avg = previous.reduce((a, b) => a + b, 0) / previous.length;
      expect(cents(purchases.at(-1)!)).toBeGreaterThan(5 * avg);
      expect(Math.max(...purchases.map(cents))).toBeLessThanOrEqual(HIGH_VALUE_ABOVE_MINOR);
    }
  });

  it('takeover: exactly one purchase scores above the 0.8 fraud threshold, none is a high-value order', () => {
    for (const seed of seeds) {
      const events = play('takeover', seed);
      const scores = fraudScores(events);
      expect(scores.filter((s) => s > 0.8)).toEqual([1]);
      expect(scores.at(-1)).toBe(1);
      expect(Math.max(...purchasesOf(events).map(cents))).toBeLessThanOrEqual(HIGH_VALUE_ABOVE_MINOR);
      expect(time(events.at(-1)!) - time(events[0])).toBeLessThan(10 * MINUTE);
    }
  });

  it('high_value: one order over 1000, which is no fraud alert', () => {
    for (const seed of seeds) {
      const events = play('high_value', seed);
      expect(purchasesOf(events).filter((p) => cents(p) > HIGH_VALUE_ABOVE_MINOR)).toHaveLength(1);
      expect(Math.max(...fraudScores(events))).toBeLessThanOrEqual(0.8);
    }
  });

  it('burst and country_hop raise no alert of either kind on their own', () => {
    for (const kind of ['burst', 'country_hop'] as const) {
      for (const seed of seeds) {
        const events = play(kind, seed);
        expect(Math.max(...fraudScores(events))).toBeLessThanOrEqual(0.8);
        expect(Math.max(...purchasesOf(events).map(cents))).toBeLessThanOrEqual(HIGH_VALUE_ABOVE_MINOR);
      }
    }
  });

  it('cartWorth reaches any amount', () => {
    const rng = createRandom(1);
    for (const min of [1, 5_000, 123_456, 1_000_000]) {
      const cart = cartWorth(rng, min);
      expect(cart.reduce((s, l) => s + l.product.priceMinor * l.quantity, 0)).toBeGreaterThanOrEqual(min);
    }
  });
});
