import { FRAUD_PATTERNS, type FraudPattern } from './fraud';
import type { Random } from './random';

/** patterns per hour by default: each of the five about 4 times (4 fraud alerts, 4 high-value alerts an hour) */
export const DEFAULT_PATTERNS_PER_HOUR = 20;

/**
 * When the scripted fraud and high-value patterns start: a few times an hour whatever the event
 * rate, because alerts that fire every few seconds teach people to ignore them. The patterns
 * take turns (each round is every pattern once, in a shuffled order) so every kind comes up
 * about equally often; gaps vary by ±40 % around the mean so they do not tick like a clock. The
 * first round starts within a minute and opens with a takeover and a high-value order, so a
 * fresh demo shows both kinds of alert within its first few minutes.
 */
export class FraudSchedule {
  private nextAt: number;
  private readonly gapMs: number;
  private round: FraudPattern[] = [];
  private rounds = 0;

  constructor(
    private readonly rng: Random,
    perHour: number,
    start: number,
  ) {
    if (!(perHour >= 0) || !Number.isFinite(perHour)) throw new Error('patterns per hour must be a number from 0 up');
    this.gapMs = perHour > 0 ? 3_600_000 / perHour : Infinity;
    this.nextAt = perHour > 0 ? start + Math.min(this.gapMs, rng.between(20_000, 60_000)) : Infinity;
  }

  /** the patterns whose time has come by `now`, in order */
  due(now: number): FraudPattern[] {
    const due: FraudPattern[] = [];
    while (this.nextAt <= now) {
      due.push(this.nextPattern());
      this.nextAt += this.gapMs * this.rng.between(0.6, 1.4);
    }
    return due;
  }

  private nextPattern(): FraudPattern {
    if (this.round.length === 0) {
      const rest = shuffle(this.rng, FRAUD_PATTERNS.filter((p) => this.rounds > 0 || (p !== 'takeover' && p !== 'high_value')));
      this.round = this.rounds === 0 ? ['takeover', 'high_value', ...rest] : rest;
      this.rounds++;
    }
    return this.round.shift()!;
  }
}

function shuffle<T>(rng: Random, items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
