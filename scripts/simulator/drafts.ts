import type { WireEvent } from '../../lib/events';
import type { Product } from './catalogue';
import type { PriceList } from './currency';
import type { City } from './geo';
import { asLocation } from './geo';

/**
 * Event drafts: what a session decides to send. The actor stamps `event_id` and `timestamp`
 * when the event is actually due, so timestamps are always "now" at send time.
 */
export type Draft = Omit<WireEvent, 'event_id' | 'timestamp'>;

/** One planned event and how long to wait before it (the think time). */
export interface Step {
  delayMs: number;
  draft: Draft;
}

export interface Visitor {
  userId: string;
  sessionId: string;
  /** the currency the visitor pays in, and the catalogue's prices in it */
  prices: PriceList;
}

export interface CartLine {
  product: Product;
  quantity: number;
}

/** the cart's worth in catalogue euro cents (the fraud patterns reason in these) */
export const cartTotalMinor = (cart: readonly CartLine[]): number =>
  cart.reduce((sum, line) => sum + line.product.priceMinor * line.quantity, 0);

export function pageView(v: Visitor, page: string, extra: { product?: Product; category?: string; city?: City } = {}): Draft {
  const properties: NonNullable<Draft['properties']> = { page };
  if (extra.product) {
    properties.product_id = extra.product.id;
    properties.category = extra.product.category;
  } else if (extra.category) {
    properties.category = extra.category;
  }
  // the first page of a session carries the geo-IP location, like a real tracker's edge lookup
  if (extra.city) properties.location = asLocation(extra.city);
  return { user_id: v.userId, session_id: v.sessionId, event_type: 'page_view', properties };
}

export const productPage = (v: Visitor, product: Product, city?: City): Draft =>
  pageView(v, `/products/${product.id}`, { product, city });

export function addToCart(v: Visitor, line: CartLine): Draft {
  const { prices } = v;
  return {
    user_id: v.userId,
    session_id: v.sessionId,
    event_type: 'add_to_cart',
    properties: { product_id: line.product.id, quantity: line.quantity, price: prices.amount(prices.minorOf(line.product)), currency: prices.currency },
  };
}

/** The order: the amount is the sum of the lines in the visitor's currency, exact in its minor units. */
export function purchase(v: Visitor, cart: readonly CartLine[], city: City): Draft {
  const { prices } = v;
  const totalMinor = cart.reduce((sum, l) => sum + prices.minorOf(l.product) * l.quantity, 0);
  return {
    user_id: v.userId,
    session_id: v.sessionId,
    event_type: 'purchase',
    properties: {
      amount: prices.amount(totalMinor),
      currency: prices.currency,
      items: cart.map((l) => ({ product_id: l.product.id, quantity: l.quantity, price: prices.amount(prices.minorOf(l.product)) })),
      location: asLocation(city),
    },
  };
}
