import { chooseItem, chooseQuantity } from './basket';
import { CATALOGUE, CATEGORIES, productsIn, type Product } from './catalogue';
import { addToCart, cartTotalMinor, pageView, productPage, purchase, type CartLine, type Step, type Visitor } from './drafts';
import type { Random } from './random';
import type { SimUser } from './users';

/**
 * The behaviour of a normal shopping session. Most sessions only browse; about one in eight
 * fills a cart, and about a third of those check out: conversion ≈ 4% of sessions and cart
 * abandonment ≈ 68%, in the range real shops report.
 */
export const SESSION_MODEL = {
  cartProbability: 0.12,
  checkoutProbability: 0.32,
  bounceProbability: 0.3,
  /** think time between two events of a session, ms */
  thinkMeanMs: 4500,
  thinkMinMs: 1200,
  thinkMaxMs: 15_000,
} as const;

export const thinkTime = (rng: Random): number =>
  Math.round(rng.exp(SESSION_MODEL.thinkMeanMs, SESSION_MODEL.thinkMinMs, SESSION_MODEL.thinkMaxMs));

export const pickProduct = (rng: Random, among: readonly Product[] = CATALOGUE): Product =>
  rng.weighted(among, (p) => p.popularity);

/** whether the shop can sell these lines now (stock); sold-out carts are abandoned */
export type CanBuy = (lines: { productId: string; quantity: number }[]) => boolean;

export function* shoppingSession(rng: Random, user: SimUser, sessionId: string, canBuy: CanBuy = () => true): Generator<Step, void> {
  const v: Visitor = { userId: user.id, sessionId, prices: user.prices };
  const wantsCart = rng.chance(SESSION_MODEL.cartProbability);
  const think = () => thinkTime(rng);

  // landing page, with the session's location
  let viewed = pickProduct(rng);
  let onProductPage = false;
  const landing = rng.weighted(['home', 'category', 'product'] as const, (l) => (l === 'product' ? 4 : 3));
  if (landing === 'home') yield { delayMs: 0, draft: pageView(v, '/', { city: user.home }) };
  else if (landing === 'category') yield { delayMs: 0, draft: pageView(v, `/category/${viewed.category}`, { category: viewed.category, city: user.home }) };
  else {
    onProductPage = true;
    yield { delayMs: 0, draft: productPage(v, viewed, user.home) };
  }

  if (!wantsCart && rng.chance(SESSION_MODEL.bounceProbability)) return;

  function* browse(pages: number): Generator<Step, void> {
    for (let i = 0; i < pages; i++) {
      const r = rng.next();
      onProductPage = r < 0.7;
      if (onProductPage) {
        // stay in the category of the last product with some probability, like real browsing
        viewed = pickProduct(rng, rng.chance(0.5) ? productsIn(viewed.category) : CATALOGUE);
        yield { delayMs: think(), draft: productPage(v, viewed) };
      } else if (r < 0.9) {
        const category = rng.pick(CATEGORIES);
        viewed = pickProduct(rng, productsIn(category));
        yield { delayMs: think(), draft: pageView(v, `/category/${category}`, { category }) };
      } else {
        yield { delayMs: think(), draft: pageView(v, '/search') };
      }
    }
  }

  if (!wantsCart) {
    yield* browse(rng.int(1, 7));
    return;
  }

  const cart: CartLine[] = [];
  // browse a little, then open the product this customer will buy and add it (basket.ts)
  const addItem = function* (minPages: number): Generator<Step, void> {
    const product = chooseItem(rng, cartTotalMinor(cart));
    if (!product) return;
    yield* browse(rng.int(minPages, 3));
    if (!onProductPage || viewed.id !== product.id) yield { delayMs: think(), draft: productPage(v, product) };
    viewed = product;
    onProductPage = false;
    const line = { product, quantity: chooseQuantity(rng, product, cartTotalMinor(cart)) };
    const same = cart.find((l) => l.product.id === line.product.id);
    if (same) same.quantity += line.quantity;
    else cart.push({ ...line });
    yield { delayMs: think(), draft: addToCart(v, line) };
  };
  yield* addItem(0);
  if (cart.length === 0) return;
  if (rng.chance(0.35)) yield* addItem(1);
  if (cart.length > 1 && rng.chance(0.25)) yield* addItem(1);

  const checkout = rng.chance(SESSION_MODEL.checkoutProbability);
  if (checkout && canBuy(cart.map((l) => ({ productId: l.product.id, quantity: l.quantity })))) {
    yield { delayMs: think(), draft: pageView(v, '/cart') };
    yield { delayMs: think(), draft: pageView(v, '/checkout') };
    yield { delayMs: think(), draft: purchase(v, cart, user.home) };
  } else if (checkout || rng.chance(0.5)) {
    // a sold-out item ends the visit at the cart page
    yield { delayMs: think(), draft: pageView(v, '/cart') };
  }
}
