import { describe, expect, it } from 'vitest';
import { validateEvent } from '@/lib/events';
import { convertMinor, parseCurrencyRates, toMinor } from '@/lib/money';
import { Actor, runToCompletion } from './actor';
import { CATALOGUE, type Product } from './catalogue';
import { createPricing, formatRates, parseCurrencyMix, type Pricing } from './currency';
import { purchase } from './drafts';
import { CITIES } from './geo';
import { createRandom } from './random';
import { shoppingSession } from './session';
import { UserPool } from './users';

const pricingOf = (shopCurrency: string, mix?: string, rates?: string): Pricing => {
  const parsedMix = mix ? parseCurrencyMix(mix) : null;
  if (parsedMix && !parsedMix.ok) throw new Error(parsedMix.error);
  const r = createPricing({ shopCurrency, mix: parsedMix?.mix, rates: rates ? parseCurrencyRates(rates, shopCurrency) : undefined });
  if (!r.ok) throw new Error(r.error);
  return r.pricing;
};

const product = (priceMinor: number): Product => ({ id: 'p', name: 'p', category: 'c', popularity: 1, priceMinor });
const berlin = CITIES[0];

describe('currency mix', () => {
  it('normalises shares and keeps the order given', () => {
    expect(parseCurrencyMix('EUR:0.8,USD:0.15,JPY:0.05')).toEqual({
      ok: true,
      mix: [{ currency: 'EUR', share: 0.8 }, { currency: 'USD', share: 0.15 }, { currency: 'JPY', share: 0.05 }],
    });
    expect(parseCurrencyMix(' gbp : 3 , chf:1 ,')).toEqual({ ok: true, mix: [{ currency: 'GBP', share: 0.75 }, { currency: 'CHF', share: 0.25 }] });
    expect(parseCurrencyMix('')).toMatchObject({ ok: false, error: expect.stringMatching(/is empty/) });
    expect(parseCurrencyMix('EUR:abc')).toMatchObject({ ok: false, error: expect.stringMatching(/share of EUR must be a number above 0, got "abc"/) });
  });

  it('draws customers in about the given shares', () => {
    const pricing = pricingOf('EUR', 'EUR:0.8,USD:0.15,JPY:0.05');
    const rng = createRandom(9);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const c = pricing.pick(rng).currency;
      counts[c] = (counts[c] ?? 0) + 1;
    }
    expect(counts.EUR / 20_000).toBeCloseTo(0.8, 1);
    expect(counts.USD / 20_000).toBeCloseTo(0.15, 1);
    expect(counts.JPY / 20_000).toBeCloseTo(0.05, 1);
  });
});

describe('price lists', () => {
  it('prices the catalogue in each currency at the rate the server converts back with', () => {
    const pricing = pricingOf('EUR', 'EUR:0.8,USD:0.15,JPY:0.05');
    const rates = parseCurrencyRates(formatRates(pricing), 'EUR');
    expect(formatRates(pricing)).toBe('USD=0.92,JPY=0.0061');
    // €24.90 → $27.07 (2490 / 0.92 = 2706.5 cents) → ¥4,082 (24.90 / 0.0061 = 4081.97)
    expect(pricing.list('EUR').minorOf(product(2490))).toBe(2490);
    expect(pricing.list('USD').minorOf(product(2490))).toBe(2707);
    expect(pricing.list('JPY').minorOf(product(2490))).toBe(4082);
    expect(pricing.list('JPY').amount(4082)).toBe(4082);
    expect(pricing.list('USD').amount(2707)).toBe(27.07);
    // converted back by the server's rule, every catalogue price lands within half a minor unit
    // of the currency (a yen is worth 0.61 cents) of its euro price
    for (const p of CATALOGUE) {
      for (const [currency, slack] of [['USD', 1], ['JPY', 1]] as const) {
        const back = convertMinor(pricing.list(currency).minorOf(p), currency, 'EUR', rates)!;
        expect(Math.abs(back - p.priceMinor)).toBeLessThanOrEqual(slack);
        expect(pricing.list(currency).toShopMinor(pricing.list(currency).minorOf(p))).toBe(back);
      }
    }
  });

  it('converts the euro catalogue into another shop currency, and uses configured rates first', () => {
    const usdShop = pricingOf('USD', 'USD:0.9,EUR:0.1');
    expect(formatRates(usdShop)).toBe('EUR=1.087');
    expect(usdShop.list('USD').minorOf(product(2490))).toBe(2707); // 24.90 × 1.087
    expect(usdShop.list('EUR').minorOf(product(2490))).toBe(2490);
    const configured = pricingOf('EUR', 'EUR:0.5,USD:0.5', 'USD=0.5');
    expect(formatRates(configured)).toBe('USD=0.5');
    expect(configured.list('USD').minorOf(product(2490))).toBe(4980);
  });

  it('writes JPY purchases in whole yen that add up exactly, and the server reads them so', () => {
    const pricing = pricingOf('EUR', 'JPY:1');
    const users = new UserPool(4, pricing);
    const rng = createRandom(4);
    let seen = 0;
    for (let i = 0; i < 3000 && seen < 20; i++) {
      const events = runToCompletion(new Actor('session', shoppingSession(rng.fork(), users.pick(rng), `s${i}`), 0, () => `e${i}_${Math.random()}`));
      const order = events.find((e) => e.event_type === 'purchase');
      if (!order) continue;
      seen++;
      const p = order.properties!;
      expect(p.currency).toBe('JPY');
      expect(Number.isInteger(p.amount)).toBe(true);
      expect(p.items!.reduce((sum, item) => sum + item.price! * item.quantity!, 0)).toBe(p.amount);
      const parsed = validateEvent(order, 0, () => 'x', 'EUR');
      expect(parsed).toMatchObject({ ok: true, event: { currency: 'JPY', amountMinor: toMinor(p.amount!, 'JPY') } });
    }
    expect(seen).toBe(20);
  });

  it('sums the order in minor units, so cents never drift', () => {
    const pricing = pricingOf('EUR', 'USD:1');
    const v = { userId: 'u', sessionId: 's', prices: pricing.list('USD') };
    // 3 × $0.11 + $0.22 would be 0.5500000000000002 in floating point
    const cart = [{ product: product(10), quantity: 3 }, { product: product(20), quantity: 1 }];
    const order = purchase(v, cart, berlin);
    expect(order.properties).toMatchObject({ currency: 'USD', amount: 0.55 });
  });
});
