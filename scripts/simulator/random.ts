/**
 * A small seeded pseudo-random generator (mulberry32), so `--seed` reproduces the traffic
 * model's choices. Not for anything security-related: ids come from `ulid`.
 */
export interface Random {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  /** uniform in [min, max) */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly T[], weight: (item: T) => number): T;
  /** exponentially distributed with the given mean, clamped to [min, max] */
  exp(mean: number, min: number, max: number): number;
  /** log-normally distributed: `median` × e^(sigma × a standard normal draw) */
  logNormal(median: number, sigma: number): number;
  /** a new generator with its own stream, derived from this one */
  fork(): Random;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)];
    },
    weighted: (items, weight) => {
      const total = items.reduce((sum, item) => sum + weight(item), 0);
      let r = next() * total;
      for (const item of items) {
        r -= weight(item);
        if (r < 0) return item;
      }
      return items[items.length - 1];
    },
    exp: (mean, min, max) => Math.min(max, Math.max(min, -Math.log(1 - next()) * mean)),
    // Box-Muller; 1 - next() is in (0, 1], so the logarithm is finite
    logNormal: (median, sigma) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())),
    fork: () => createRandom(Math.floor(next() * 4294967296)),
  };
  return random;
}

/** Accepts `--seed 42` or `--seed any-text`. */
export function seedFrom(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) >>> 0;
  let h = 2166136261;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
