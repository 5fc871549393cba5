import { CATALOGUE, type Product } from './catalogue';
import type { Random } from './random';

/**
 * What normal customers put in their carts. Browsing follows popularity (people look at TVs
 * and e-bikes), buying follows what people spend: each item aims at a price drawn from a
 * log-normal distribution (median €30, a long tail into the hundreds) and takes a catalogue
 * product near it. With one to three items a basket's median lands around €40–60, like a
 * general online shop. A normal basket never reaches the high-value threshold: orders over 1000
 * come only from the scripted high-value pattern (fraud.ts), so a high-value alert means
 * something.
 */
export const BASKET_MODEL = {
  itemMedianMinor: 3_000,
  itemSigma: 0.75,
  /** how closely the product's price follows the drawn price (log scale) */
  priceTolerance: 0.25,
  /** catalogue cents: no normal basket reaches this (the high-value rule's 1000 is above it in every currency the simulator prices) */
  maxBasketMinor: 60_000,
  /** items at or below this price may be bought two or three at a time */
  multiplesUpToMinor: 6_000,
} as const;

/**
 * A product to buy, given what the cart already holds; null when nothing fits under the basket
 * limit. Products are weighted by popularity and by how close their price is to the drawn one.
 */
export function chooseItem(rng: Random, cartMinor = 0, among: readonly Product[] = CATALOGUE): Product | null {
  const room = BASKET_MODEL.maxBasketMinor - cartMinor;
  const fits = among.filter((p) => p.priceMinor <= room);
  if (fits.length === 0) return null;
  const target = rng.logNormal(BASKET_MODEL.itemMedianMinor, BASKET_MODEL.itemSigma);
  const tolerance = 2 * BASKET_MODEL.priceTolerance ** 2;
  const weight = (p: Product) => p.popularity * Math.exp(-(Math.log(p.priceMinor / target) ** 2) / tolerance) + 1e-12;
  return rng.weighted(fits, weight);
}

/** how many of the product: mostly one; cheap things sometimes two or three; never over the limit */
export function chooseQuantity(rng: Random, product: Product, cartMinor = 0): number {
  if (product.priceMinor > BASKET_MODEL.multiplesUpToMinor) return 1;
  const wanted = rng.weighted([1, 2, 3], (q) => (q === 1 ? 80 : q === 2 ? 15 : 5));
  const affordable = Math.floor((BASKET_MODEL.maxBasketMinor - cartMinor) / product.priceMinor);
  return Math.max(1, Math.min(wanted, affordable));
}
