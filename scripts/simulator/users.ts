import type { PriceList, Pricing } from './currency';
import { HOME_CITIES, type City } from './geo';
import { createRandom, type Random } from './random';

export interface SimUser {
  id: string;
  home: City;
  /** the currency this customer always pays in */
  prices: PriceList;
}

/**
 * How strongly picks favour the first users of the pool: index = size × u^SKEW. Some customers
 * return often, most rarely; at the demo's 40 events/s (about 30,000 sessions an hour) even the
 * most frequent customer has only a handful of sessions an hour, so no ordinary customer buys
 * often enough to trip the velocity rule by accident.
 */
const SKEW = 1.3;

/**
 * The shop's customer base: `size` users with a home city and a currency, created on first use
 * from the seed (user n always lives in the same city and pays in the same currency for a given
 * seed and mix).
 */
export class UserPool {
  private readonly users = new Map<number, SimUser>();

  constructor(
    private readonly seed: number,
    private readonly pricing: Pricing,
    readonly size = 100_000,
  ) {}

  get(index: number): SimUser {
    let user = this.users.get(index);
    if (!user) {
      const rng = createRandom(this.seed ^ Math.imul(index + 1, 0x9e3779b1));
      user = this.create(`user_${String(index + 1).padStart(6, '0')}`, rng);
      this.users.set(index, user);
    }
    return user;
  }

  /** A customer not in `busy` (a few tries; busy users are rare). */
  pick(rng: Random, busy: ReadonlySet<string> = new Set()): SimUser {
    let user = this.get(Math.floor(this.size * rng.next() ** SKEW));
    for (let i = 0; i < 5 && busy.has(user.id); i++) user = this.get(rng.int(0, this.size - 1));
    return user;
  }

  /** someone outside the pool, never seen before (the fraud patterns that need a clean history) */
  create(id: string, rng: Random): SimUser {
    return { id, home: rng.weighted(HOME_CITIES, (c) => c.customers), prices: this.pricing.pick(rng) };
  }
}
