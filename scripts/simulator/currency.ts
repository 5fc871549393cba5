import { convertMinor, fromMinor, isKnownCurrency, minorUnitsOf } from '../../lib/money';
import type { Product } from './catalogue';
import type { Random } from './random';

/**
 * Which currencies simulated customers pay in, and what the catalogue costs in each. The
 * catalogue is priced in euros; a customer shops in one currency (their storefront's), and every
 * price they see is the euro price converted at the rate Pulse will convert back with, rounded to
 * that currency's minor units (none for JPY). So a purchase in any currency is worth the same in
 * the shop's currency, and an alert threshold means the same whatever a customer pays in.
 */

/** Rough value of one unit in euros: the simulator's default rates (a demo, not a price feed). */
export const REFERENCE_EUR_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['EUR', 1],
  ['USD', 0.92],
  ['GBP', 1.17],
  ['CHF', 1.05],
  ['JPY', 0.0061],
  ['SEK', 0.087],
  ['DKK', 0.134],
  ['NOK', 0.085],
  ['PLN', 0.23],
  ['CZK', 0.04],
  ['CAD', 0.68],
  ['AUD', 0.61],
]);

export const MIX_FORMAT = 'CODE:SHARE,… e.g. EUR:0.8,USD:0.15,JPY:0.05';

export interface MixEntry {
  currency: string;
  /** fraction of customers, normalised so the shares add up to 1 */
  share: number;
}

/**
 * Parses a currency mix: comma-separated `CODE:SHARE` entries, ISO 4217 codes (any case) with
 * positive shares. Shares are relative weights (EUR:8,USD:2 is EUR:0.8,USD:0.2).
 */
export function parseCurrencyMix(text: string): { ok: true; mix: MixEntry[] } | { ok: false; error: string } {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) return { ok: false, error: `is empty; expected ${MIX_FORMAT}` };
  const parsed: MixEntry[] = [];
  for (const entry of entries) {
    const m = /^([A-Za-z]{3})\s*:\s*(\S+)$/.exec(entry);
    if (!m) return { ok: false, error: `"${entry}" is not CODE:SHARE (expected ${MIX_FORMAT})` };
    const currency = m[1].toUpperCase();
    const share = Number(m[2]);
    if (!isKnownCurrency(currency)) return { ok: false, error: `"${m[1]}" is not an ISO 4217 currency code` };
    if (!Number.isFinite(share) || share <= 0) return { ok: false, error: `the share of ${currency} must be a number above 0, got "${m[2]}"` };
    if (parsed.some((p) => p.currency === currency)) return { ok: false, error: `${currency} is listed twice` };
    parsed.push({ currency, share });
  }
  const total = parsed.reduce((sum, p) => sum + p.share, 0);
  return { ok: true, mix: parsed.map((p) => ({ currency: p.currency, share: p.share / total })) };
}

/** What the catalogue costs in one currency, in that currency's minor units. */
export interface PriceList {
  readonly currency: string;
  minorOf(product: Product): number;
  /** minor units as the decimal amount the wire format carries (2707 → 27.07 USD, 4082 → 4082 JPY) */
  amount(minor: number): number;
  /** the same money in the shop currency's minor units, converted as Pulse converts it */
  toShopMinor(minor: number): number;
}

export interface Pricing {
  readonly shopCurrency: string;
  readonly mix: readonly MixEntry[];
  /** how many shop-currency units one unit of each other currency of the mix is worth */
  readonly rates: ReadonlyMap<string, number>;
  /** how many shop-currency units the catalogue's euro is worth (1 in a euro shop) */
  readonly shopPerEuro: number;
  list(currency: string): PriceList;
  /** a customer's currency, drawn from the mix */
  pick(rng: Random): PriceList;
}

export interface PricingOptions {
  shopCurrency: string;
  /** default: the shop currency only */
  mix?: readonly MixEntry[] | null;
  /** configured rates (CURRENCY_RATES parsed by lib/money's parseCurrencyRates); others come from the reference table */
  rates?: ReadonlyMap<string, number>;
}

/**
 * The price lists for a shop currency and a mix. Fails, naming the currency, when a rate is
 * needed and neither the configured rates nor the reference table have it.
 */
export function createPricing(o: PricingOptions): { ok: true; pricing: Pricing } | { ok: false; error: string } {
  const shop = o.shopCurrency.trim().toUpperCase();
  if (!isKnownCurrency(shop)) return { ok: false, error: `the shop currency "${o.shopCurrency}" is not an ISO 4217 currency code` };
  const mix = o.mix && o.mix.length > 0 ? o.mix : [{ currency: shop, share: 1 }];
  const configured = o.rates ?? new Map<string, number>();
  const rateOf = (currency: string): number | null => {
    const given = configured.get(currency);
    if (given !== undefined) return given;
    const unit = REFERENCE_EUR_PER_UNIT.get(currency);
    const shopUnit = REFERENCE_EUR_PER_UNIT.get(shop);
    // four significant digits, as formatRates writes them: the server converts with exactly these
    return unit !== undefined && shopUnit !== undefined ? Number((unit / shopUnit).toPrecision(4)) : null;
  };
  const known = [...REFERENCE_EUR_PER_UNIT.keys()].join(', ');
  // into the shop currency, shop currency itself left out (lib/money's convertMinor wants it so)
  const rates = new Map<string, number>();
  for (const currency of new Set(['EUR', ...mix.map((m) => m.currency)])) {
    if (currency === shop) continue;
    const rate = rateOf(currency);
    if (rate === null) {
      return { ok: false, error: `no exchange rate for ${currency} in ${shop}: the simulator knows ${known}; give others in CURRENCY_RATES` };
    }
    rates.set(currency, rate);
  }
  const lists = new Map<string, PriceList>();
  for (const { currency } of mix) lists.set(currency, priceList(currency, shop, rates));
  const pricing: Pricing = {
    shopCurrency: shop,
    mix,
    rates: new Map([...rates].filter(([c]) => mix.some((m) => m.currency === c))),
    shopPerEuro: shop === 'EUR' ? 1 : rates.get('EUR')!,
    list: (currency) => {
      const list = lists.get(currency);
      if (!list) throw new Error(`${currency} is not in the currency mix`);
      return list;
    },
    pick: (rng) => lists.get(mix.length === 1 ? mix[0].currency : rng.weighted(mix, (m) => m.share).currency)!,
  };
  return { ok: true, pricing };
}

function priceList(currency: string, shop: string, rates: Map<string, number>): PriceList {
  const shopPerEuro = shop === 'EUR' ? 1 : rates.get('EUR')!;
  const shopPerUnit = currency === shop ? 1 : rates.get(currency)!;
  const perUnit = 10 ** minorUnitsOf(currency);
  return {
    currency,
    // euro cents → euros → shop units → units of this currency → its minor units
    minorOf: (product) => Math.max(1, Math.round(((product.priceMinor / 100) * shopPerEuro * perUnit) / shopPerUnit)),
    amount: (minor) => fromMinor(minor, currency),
    toShopMinor: (minor) => convertMinor(minor, currency, shop, rates)!,
  };
}

/** The rates as CURRENCY_RATES spells them (`USD=0.92,JPY=0.0061`); empty for the shop currency alone. */
export function formatRates(pricing: Pricing): string {
  return [...pricing.rates].map(([currency, rate]) => `${currency}=${rate}`).join(',');
}
