import { HOME_CITIES, type City } from './geo';
import { createRandom, type Random } from './random';

export interface SimUser {
  id: string;
  home: City;
}

/**
 * The shop's customer base: `size` users with a home city, created on first use from the seed
 * (user n always lives in the same city for a given seed). Picks are skewed so some customers
 * return often and most rarely, like real shops.
 */
export class UserPool {
  private readonly users = new Map<number, SimUser>();

  constructor(
    private readonly seed: number,
    readonly size = 5000,
  ) {}

  get(index: number): SimUser {
    let user = this.users.get(index);
    if (!user) {
      const rng = createRandom(this.seed ^ Math.imul(index + 1, 0x9e3779b1));
      user = { id: `user_${String(index + 1).padStart(5, '0')}`, home: rng.weighted(HOME_CITIES, (c) => c.customers) };
      this.users.set(index, user);
    }
    return user;
  }

  /** A customer not in `busy` (a few tries; busy users are rare). */
  pick(rng: Random, busy: ReadonlySet<string> = new Set()): SimUser {
    let user = this.get(Math.floor(this.size * rng.next() ** 2));
    for (let i = 0; i < 5 && busy.has(user.id); i++) user = this.get(rng.int(0, this.size - 1));
    return user;
  }
}
