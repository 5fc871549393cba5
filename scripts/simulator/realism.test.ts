import { describe, expect, it } from 'vitest';
import { createPricing, parseCurrencyMix } from './currency';
import { measure } from './measure';
import { simulateOffline } from './offline';
import { DEMO_DEFAULTS } from './options';
import { defaultPricing } from './simulator';

/**
 * An hour of what `npm run demo` sends at its default rate, on a simulated clock, scored with
 * Pulse's own fraud rule: what an analyst and the on-call engineer would see.
 */
describe('an hour of demo traffic at the default rate', () => {
  it('has a plausible basket and only a few deliberate alerts', () => {
    const pricing = defaultPricing();
    const run = simulateOffline({ seed: 1, rate: DEMO_DEFAULTS.rate, seconds: 3600 });
    const m = measure(run, pricing);

    // a general online shop: a few percent of sessions buy, the median order is €40–80
    expect(m.purchases).toBeGreaterThan(800);
    expect(m.purchases).toBeLessThan(2500);
    expect(m.medianMinor).toBeGreaterThanOrEqual(4_000);
    expect(m.medianMinor).toBeLessThanOrEqual(8_000);
    // a long tail: the mean sits above the median, some orders are several times the median
    expect(m.meanMinor).toBeGreaterThan(m.medianMinor);
    expect(m.p90Minor).toBeGreaterThan(2 * m.medianMinor);

    // a few alerts an hour of each kind, and every one of them from a scripted pattern
    expect(m.highValue).toBeGreaterThanOrEqual(2);
    expect(m.highValue).toBeLessThanOrEqual(6);
    expect(m.fraudAlerts).toBeGreaterThanOrEqual(2);
    expect(m.fraudAlerts).toBeLessThanOrEqual(6);
    expect(m.accidental.highValue).toBe(0);
    expect(m.accidental.fraudAlerts).toBe(0);
    // signals below the alert threshold are mostly the patterns' too
    expect(m.accidental.flagged).toBeLessThanOrEqual(5);
    expect(m.flagged).toBeGreaterThan(m.fraudAlerts);
  }, 60_000);

  it('runs products low a few times an hour with the stock the demo sets (--seed-inventory)', () => {
    const start = Date.parse('2026-11-25T12:00:00.000Z');
    const run = simulateOffline({ seed: 1, rate: DEMO_DEFAULTS.rate, seconds: 3600, stock: true, start });
    // the first within minutes, so the inventory panel has something to show early
    expect(run.lowStock.length).toBeGreaterThanOrEqual(1);
    expect(run.lowStock.length).toBeLessThanOrEqual(6);
    expect(run.lowStock[0].at - start).toBeLessThan(20 * 60_000);
  }, 60_000);

  it('keeps those figures with a currency mix, counted in the shop currency', () => {
    const mix = parseCurrencyMix('EUR:0.8,USD:0.15,JPY:0.05');
    if (!mix.ok) throw new Error(mix.error);
    const priced = createPricing({ shopCurrency: 'EUR', mix: mix.mix });
    if (!priced.ok) throw new Error(priced.error);
    const run = simulateOffline({ seed: 2, rate: DEMO_DEFAULTS.rate, seconds: 3600, pricing: priced.pricing });
    const m = measure(run, priced.pricing);

    expect(m.byCurrency.USD / m.purchases).toBeGreaterThan(0.1);
    expect(m.byCurrency.USD / m.purchases).toBeLessThan(0.22);
    expect(m.byCurrency.JPY / m.purchases).toBeGreaterThan(0.02);
    expect(m.byCurrency.JPY / m.purchases).toBeLessThan(0.09);
    const yen = run.events.filter(({ event }) => event.event_type === 'purchase' && event.properties?.currency === 'JPY');
    expect(yen.every(({ event }) => Number.isInteger(event.properties!.amount))).toBe(true);

    expect(m.medianMinor).toBeGreaterThanOrEqual(4_000);
    expect(m.medianMinor).toBeLessThanOrEqual(8_000);
    expect(m.highValue).toBeGreaterThanOrEqual(2);
    expect(m.highValue).toBeLessThanOrEqual(6);
    expect(m.fraudAlerts).toBeGreaterThanOrEqual(2);
    expect(m.fraudAlerts).toBeLessThanOrEqual(6);
    expect(m.accidental).toMatchObject({ highValue: 0, fraudAlerts: 0 });
  }, 60_000);
});
