import { describe, expect, it } from 'vitest';
import { FRAUD_PATTERNS, type FraudPattern } from './fraud';
import { FraudSchedule } from './fraudSchedule';
import { createRandom } from './random';

const HOUR = 3_600_000;

function startsOver(perHour: number, hours: number, seed = 1): { at: number; kind: FraudPattern }[] {
  const schedule = new FraudSchedule(createRandom(seed), perHour, 0);
  const starts: { at: number; kind: FraudPattern }[] = [];
  // polled every 100 ms, as the simulator's tick does
  for (let now = 0; now <= hours * HOUR; now += 100) for (const kind of schedule.due(now)) starts.push({ at: now, kind });
  return starts;
}

describe('fraud schedule', () => {
  it('starts the default 20 patterns an hour, each kind about 4 times', () => {
    for (const seed of [1, 2, 3]) {
      const starts = startsOver(20, 1, seed);
      expect(starts.length).toBeGreaterThanOrEqual(18);
      expect(starts.length).toBeLessThanOrEqual(22);
      for (const kind of FRAUD_PATTERNS) {
        const n = starts.filter((s) => s.kind === kind).length;
        expect(n, kind).toBeGreaterThanOrEqual(3);
        expect(n, kind).toBeLessThanOrEqual(5);
      }
    }
  });

  it('opens with a takeover and a high-value order within the first minutes', () => {
    const [first, second] = startsOver(20, 1);
    expect(first.kind).toBe('takeover');
    expect(first.at).toBeGreaterThanOrEqual(20_000);
    expect(first.at).toBeLessThanOrEqual(60_000);
    expect(second.kind).toBe('high_value');
    expect(second.at).toBeLessThan(6 * 60_000);
  });

  it('spaces patterns irregularly around the mean gap, never in a burst', () => {
    const starts = startsOver(20, 10);
    const gaps = starts.slice(1).map((s, i) => s.at - starts[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.6 * 180_000 - 100);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1.4 * 180_000 + 100);
    expect(new Set(gaps).size).toBeGreaterThan(gaps.length / 2);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(160_000);
    expect(mean).toBeLessThan(200_000);
  });

  it('starts none at 0 an hour and rejects a negative rate', () => {
    expect(startsOver(0, 2)).toEqual([]);
    expect(() => new FraudSchedule(createRandom(1), -1, 0)).toThrow(/from 0 up/);
  });
});
