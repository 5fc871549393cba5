import { chooseItem } from './basket';
import { CATALOGUE, cheapProducts, expensiveProducts, type Product } from './catalogue';
import { addToCart, cartTotalMinor, pageView, productPage, purchase, type CartLine, type Step, type Visitor } from './drafts';
import { farAwayFrom, type City } from './geo';
import type { Random } from './random';
import { pickProduct, thinkTime } from './session';
import type { SimUser } from './users';

/**
 * Scripted patterns that the fraud and high-value rules (PRODUCT.md) should catch. They are the
 * only source of those alerts in simulated traffic: the schedule (fraudSchedule.ts) starts them
 * a few times an hour, and normal sessions never look like them.
 * - burst: 5-7 purchases by one user within about 90 seconds (velocity: scores 0.4, no alert)
 * - country_hop: a purchase at home, then minutes later one from another continent (> 900 km/h:
 *   scores 0.3, no alert)
 * - outsized_amount: a purchase 6-8× the user's previous average (scores 0.3, no alert)
 * - takeover: card testing from abroad, then a large order: small purchases at home, two small
 *   test purchases from two far-away countries, then an order 6× the average from the first
 *   country again. Its last purchase trips all three signals (score 1.0): one fraud alert, and
 *   never a high-value one, so the two kinds of alert stay apart
 * - high_value: an ordinary customer buying something over 1000 (one high-value alert)
 * Patterns that depend on the user's purchase history use a new user, so the history the
 * server holds is exactly the one the pattern builds.
 */
export const FRAUD_PATTERNS = ['burst', 'country_hop', 'outsized_amount', 'takeover', 'high_value'] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

export interface PatternContext {
  rng: Random;
  /** an existing customer */
  customer: SimUser;
  /** a customer never seen before, for patterns relative to the purchase history */
  newCustomer: () => SimUser;
  newSessionId: () => string;
}

export interface PatternScript {
  script: Generator<Step, void>;
  users: string[];
}

export function startPattern(kind: FraudPattern, ctx: PatternContext): PatternScript {
  switch (kind) {
    case 'burst':
      return { script: burst(ctx, ctx.customer), users: [ctx.customer.id] };
    case 'country_hop':
      return { script: countryHop(ctx, ctx.customer), users: [ctx.customer.id] };
    case 'high_value':
      return { script: highValue(ctx, ctx.customer), users: [ctx.customer.id] };
    case 'outsized_amount': {
      const user = ctx.newCustomer();
      return { script: outsizedAmount(ctx, user), users: [user.id] };
    }
    case 'takeover': {
      const user = ctx.newCustomer();
      return { script: takeover(ctx, user), users: [user.id] };
    }
  }
}

const seconds = (rng: Random, min: number, max: number): number => Math.round(rng.between(min, max) * 1000);

const visitor = (user: SimUser, sessionId: string): Visitor => ({ userId: user.id, sessionId, prices: user.prices });

/** add_to_cart for each line, then the purchase: the shape of a quick checkout */
function* checkout(rng: Random, v: Visitor, cart: CartLine[], city: City, firstDelayMs: number): Generator<Step, void> {
  for (const [i, line] of cart.entries()) {
    yield { delayMs: i === 0 ? firstDelayMs : seconds(rng, 1, 3), draft: addToCart(v, line) };
  }
  yield { delayMs: seconds(rng, 2, 5), draft: purchase(v, cart, city) };
}

function* burst({ rng, newSessionId }: PatternContext, user: SimUser): Generator<Step, void> {
  const v = visitor(user, newSessionId());
  yield { delayMs: 0, draft: pageView(v, '/', { city: user.home }) };
  const purchases = rng.int(5, 7);
  for (let i = 0; i < purchases; i++) {
    const cart = [{ product: pickProduct(rng, cheapProducts()), quantity: 1 }];
    yield* checkout(rng, v, cart, user.home, seconds(rng, 3, 8));
  }
}

function* countryHop({ rng, newSessionId }: PatternContext, user: SimUser): Generator<Step, void> {
  const home = visitor(user, newSessionId());
  // ordinary baskets: this pattern is about the place, not the amount
  const product = chooseItem(rng) ?? pickProduct(rng, cheapProducts());
  yield { delayMs: 0, draft: productPage(home, product, user.home) };
  yield* checkout(rng, home, [{ product, quantity: 1 }], user.home, thinkTime(rng));

  const away = visitor(user, newSessionId());
  const far = rng.pick(farAwayFrom(user.home));
  const other = chooseItem(rng) ?? pickProduct(rng, cheapProducts());
  // the purchase itself is the first sign of the new place: that is what the rule scores
  yield { delayMs: seconds(rng, 120, 360), draft: productPage(away, other) };
  yield* checkout(rng, away, [{ product: other, quantity: 1 }], far, thinkTime(rng));
}

/** a small purchase history: the baseline an outsized amount is measured against */
function* smallPurchases(rng: Random, v: Visitor, user: SimUser, count: number, history: number[]): Generator<Step, void> {
  yield { delayMs: 0, draft: pageView(v, '/', { city: user.home }) };
  for (let i = 0; i < count; i++) {
    // at most €40, so even 8× the average stays far below the high-value threshold
    const cart = [{ product: pickProduct(rng, cheapProducts(4_000)), quantity: 1 }];
    history.push(cartTotalMinor(cart));
    yield* checkout(rng, v, cart, user.home, thinkTime(rng));
  }
}

const average = (history: number[]): number => history.reduce((a, b) => a + b, 0) / history.length;

/** A cart worth at least `minMinor`, from as few products as possible. */
export function cartWorth(rng: Random, minMinor: number): CartLine[] {
  const cart: CartLine[] = [];
  const byPrice = [...CATALOGUE].sort((a, b) => a.priceMinor - b.priceMinor);
  while (cartTotalMinor(cart) < minMinor) {
    const missing = minMinor - cartTotalMinor(cart);
    const enough = byPrice.filter((p) => p.priceMinor >= missing && !cart.some((l) => l.product.id === p.id));
    if (enough.length > 0) {
      cart.push({ product: rng.pick(enough.slice(0, 3)), quantity: 1 });
    } else {
      const top: Product = byPrice[byPrice.length - 1 - cart.length % 3];
      const existing = cart.find((l) => l.product.id === top.id);
      if (existing) existing.quantity += 1;
      else cart.push({ product: top, quantity: 1 });
    }
  }
  return cart;
}

function* outsizedAmount({ rng, newSessionId }: PatternContext, user: SimUser): Generator<Step, void> {
  const v = visitor(user, newSessionId());
  const history: number[] = [];
  yield* smallPurchases(rng, v, user, 2, history);
  const later = visitor(user, newSessionId());
  const cart = cartWorth(rng, Math.ceil(average(history) * rng.between(6, 8)));
  yield { delayMs: seconds(rng, 30, 90), draft: productPage(later, cart[0].product, user.home) };
  yield* checkout(rng, later, cart, user.home, thinkTime(rng));
}

function* takeover({ rng, newSessionId }: PatternContext, user: SimUser): Generator<Step, void> {
  const victim = visitor(user, newSessionId());
  const history: number[] = [];
  yield* smallPurchases(rng, victim, user, 2, history);

  // someone else now uses the account from two far-away countries: two small test orders
  const [first, second] = twoCountriesFarFrom(rng, user.home);
  const attacker = visitor(user, newSessionId());
  for (const place of [first, second]) {
    const cart = [{ product: pickProduct(rng, cheapProducts(1_500)), quantity: 1 }];
    history.push(cartTotalMinor(cart));
    yield* checkout(rng, attacker, cart, place, seconds(rng, 8, 20));
  }
  // then the order that matters, from the first country again: the fifth purchase in a few
  // minutes (velocity), a country change within the hour (location), 6× the average (amount)
  const cart = cartWorth(rng, Math.ceil(average(history) * 6));
  yield* checkout(rng, attacker, cart, first, seconds(rng, 8, 20));
}

function twoCountriesFarFrom(rng: Random, home: City): [City, City] {
  const far = farAwayFrom(home);
  const first = rng.pick(far);
  return [first, rng.pick(far.filter((c) => c.country !== first.country))];
}

function* highValue({ rng, newSessionId }: PatternContext, user: SimUser): Generator<Step, void> {
  const v = visitor(user, newSessionId());
  const product = rng.pick(expensiveProducts());
  yield { delayMs: 0, draft: pageView(v, `/category/${product.category}`, { category: product.category, city: user.home }) };
  yield { delayMs: thinkTime(rng), draft: productPage(v, product) };
  yield { delayMs: thinkTime(rng), draft: addToCart(v, { product, quantity: 1 }) };
  yield { delayMs: thinkTime(rng), draft: pageView(v, '/checkout') };
  yield { delayMs: thinkTime(rng), draft: purchase(v, [{ product, quantity: 1 }], user.home) };
}
