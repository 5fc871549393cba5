import type { WireEvent } from '../../lib/events';
import type { Product } from './catalogue';
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
}

export interface CartLine {
  product: Product;
  quantity: number;
}

const euros = (cents: number): number => cents / 100;

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
  return {
    user_id: v.userId,
    session_id: v.sessionId,
    event_type: 'add_to_cart',
    properties: { product_id: line.product.id, quantity: line.quantity, price: euros(line.product.priceMinor) },
  };
}

export function purchase(v: Visitor, cart: readonly CartLine[], city: City): Draft {
  return {
    user_id: v.userId,
    session_id: v.sessionId,
    event_type: 'purchase',
    properties: {
      amount: euros(cartTotalMinor(cart)),
      currency: 'EUR',
      items: cart.map((l) => ({ product_id: l.product.id, quantity: l.quantity, price: euros(l.product.priceMinor) })),
      location: asLocation(city),
    },
  };
}
