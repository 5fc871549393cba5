import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAUD_WEIGHTS, type FraudHistory, scoreFraud } from '@/server/pipeline/fraud';
import { distanceKm } from '@/server/pipeline/geo';
import { ev } from '../helpers/events';

const T = Date.parse('2026-11-25T12:00:00Z');
const MIN = 60_000;
const BERLIN = { country: 'DE', lat: 52.52, lon: 13.405 };
const PARIS = { country: 'FR', lat: 48.8566, lon: 2.3522 };
const POTSDAM = { country: 'DE', lat: 52.3906, lon: 13.0645 };

const empty: FraudHistory = { purchaseCount: 0, purchaseTotalMinor: 0, recentPurchaseTimes: [], lastLocation: null };
const purchase = (amountMinor: number, location: { country: string; lat: number; lon: number } | null = null) =>
  ev({ ts: T, userId: 'u', type: 'purchase', amountMinor, location });

describe('scoreFraud', () => {
  it('scores a first purchase with no history as 0', () => {
    expect(scoreFraud(empty, purchase(1_000_000), DEFAULT_FRAUD_WEIGHTS)).toEqual({ score: 0, reasons: [] });
  });

  it('adds 0.3 when the amount exceeds 5× the average previous purchase', () => {
    const history = { ...empty, purchaseCount: 2, purchaseTotalMinor: 4000 }; // average 20.00
    expect(scoreFraud(history, purchase(10000), DEFAULT_FRAUD_WEIGHTS).score).toBe(0); // exactly 5×
    const r = scoreFraud(history, purchase(10001), DEFAULT_FRAUD_WEIGHTS);
    expect(r.score).toBe(0.3);
    expect(r.reasons[0]).toMatch(/5\.0× the user's average/);
  });

  it('adds 0.4 for more than 3 purchases in the previous 10 minutes', () => {
    const three = { ...empty, purchaseCount: 3, purchaseTotalMinor: 3000, recentPurchaseTimes: [T - 9 * MIN, T - 5 * MIN, T - MIN] };
    expect(scoreFraud(three, purchase(1000), DEFAULT_FRAUD_WEIGHTS).score).toBe(0);
    const fourButOneOld = { ...three, purchaseCount: 4, purchaseTotalMinor: 4000, recentPurchaseTimes: [T - 11 * MIN, ...three.recentPurchaseTimes] };
    expect(scoreFraud(fourButOneOld, purchase(1000), DEFAULT_FRAUD_WEIGHTS).score).toBe(0);
    const four = { ...three, purchaseCount: 4, purchaseTotalMinor: 4000, recentPurchaseTimes: [T - 10 * MIN, ...three.recentPurchaseTimes] };
    expect(scoreFraud(four, purchase(1000), DEFAULT_FRAUD_WEIGHTS)).toEqual({
      score: 0.4,
      reasons: ['4 purchases in the previous 10 minutes'],
    });
  });

  it('adds 0.3 when the country changed within the last hour', () => {
    const history = { ...empty, lastLocation: { ...BERLIN, at: T - 59 * MIN } };
    // Berlin → Paris is ~878 km; in 59 min that is also > 900 km/h, but one reason scores once
    const r = scoreFraud(history, purchase(1000, PARIS), DEFAULT_FRAUD_WEIGHTS);
    expect(r.score).toBe(0.3);
    expect(r.reasons).toEqual(['country changed from DE to FR within 59 min']);
  });

  it('does not flag a country change more than an hour ago at a plausible speed', () => {
    const history = { ...empty, lastLocation: { ...BERLIN, at: T - 2 * 60 * MIN } };
    expect(scoreFraud(history, purchase(1000, PARIS), DEFAULT_FRAUD_WEIGHTS).score).toBe(0);
  });

  it('flags travel faster than 900 km/h even within one country', () => {
    const munich = { country: 'DE', lat: 48.1351, lon: 11.582 };
    const km = distanceKm(BERLIN.lat, BERLIN.lon, munich.lat, munich.lon); // ~504 km
    expect(km).toBeGreaterThan(500);
    expect(km).toBeLessThan(510);
    const fast = { ...empty, lastLocation: { ...BERLIN, at: T - 30 * MIN } }; // ~1008 km/h
    expect(scoreFraud(fast, purchase(1000, munich), DEFAULT_FRAUD_WEIGHTS).reasons[0]).toMatch(/^implied travel speed 10\d\d km\/h over 50\d km$/);
    const slow = { ...empty, lastLocation: { ...BERLIN, at: T - 40 * MIN } }; // ~756 km/h
    expect(scoreFraud(slow, purchase(1000, munich), DEFAULT_FRAUD_WEIGHTS).score).toBe(0);
    const near = { ...empty, lastLocation: { ...BERLIN, at: T - 1 * MIN } }; // Potsdam, 27 km in 1 min
    expect(scoreFraud(near, purchase(1000, POTSDAM), DEFAULT_FRAUD_WEIGHTS).score).toBe(0.3);
  });

  it('sums all three to exactly 1.0 and caps at 1', () => {
    const history: FraudHistory = {
      purchaseCount: 4,
      purchaseTotalMinor: 4000,
      recentPurchaseTimes: [T - 4 * MIN, T - 3 * MIN, T - 2 * MIN, T - MIN],
      lastLocation: { ...BERLIN, at: T - 5 * MIN },
    };
    expect(scoreFraud(history, purchase(100_000, PARIS), DEFAULT_FRAUD_WEIGHTS).score).toBe(1);
    expect(scoreFraud(history, purchase(100_000, PARIS), { amount: 0.5, velocity: 0.5, location: 0.5 }).score).toBe(1);
  });

  it('uses configured weights', () => {
    const history = { ...empty, purchaseCount: 1, purchaseTotalMinor: 1000 };
    expect(scoreFraud(history, purchase(6000), { amount: 0.9, velocity: 0, location: 0 }).score).toBe(0.9);
  });
});
