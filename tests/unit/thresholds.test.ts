import { describe, expect, it } from 'vitest';
import {
  assessAgainstPreviousHour,
  assessAverageOrderValue,
  assessCartAbandonment,
  assessConversion,
  assessDeadLetters,
  assessLag,
  assessPipeline,
  hourTrend,
  worst,
} from '@/lib/thresholds';

describe('assessConversion (good at 2 % or more, bad below 1 %, judged from 100 sessions)', () => {
  it('grades the rate by the bands, boundaries included on the better side', () => {
    expect(assessConversion({ rate: 0.031, sessions: 1000 }).level).toBe('good');
    expect(assessConversion({ rate: 0.02, sessions: 1000 }).level).toBe('good');
    expect(assessConversion({ rate: 0.0199, sessions: 1000 }).level).toBe('warn');
    expect(assessConversion({ rate: 0.01, sessions: 1000 }).level).toBe('warn');
    expect(assessConversion({ rate: 0.0099, sessions: 1000 }).level).toBe('bad');
    expect(assessConversion({ rate: 0, sessions: 1000 }).level).toBe('bad');
  });

  it('says why, with the rate and the band it broke', () => {
    expect(assessConversion({ rate: 0.005, sessions: 400 }).reason).toMatch(/0\.5%.*below 1%/);
    expect(assessConversion({ rate: 0.015, sessions: 400 }).reason).toMatch(/1\.5%.*below 2%/);
  });

  it('does not judge a small sample or no sessions', () => {
    const few = assessConversion({ rate: 0, sessions: 99 });
    expect(few.level).toBe('none');
    expect(few.reason).toContain('99 of 100');
    expect(assessConversion({ rate: 0.05, sessions: 100 }).level).toBe('good');
    expect(assessConversion({ rate: null, sessions: 0 })).toEqual({ level: 'none', reason: 'no sessions yet' });
  });

  it('takes other bands', () => {
    const t = { goodAtLeast: 0.05, badBelow: 0.03, minimumSessions: 10 };
    expect(assessConversion({ rate: 0.04, sessions: 10 }, t).level).toBe('warn');
  });
});

describe('assessCartAbandonment (good up to 70 %, bad above 85 %)', () => {
  const cart = (rate: number | null, abandoned = 40, purchased = 40) => ({ rate, abandoned, purchased, minimumCarts: 20 });

  it('grades the rate, higher being worse', () => {
    expect(assessCartAbandonment(cart(0.5)).level).toBe('good');
    expect(assessCartAbandonment(cart(0.7)).level).toBe('good');
    expect(assessCartAbandonment(cart(0.71)).level).toBe('warn');
    expect(assessCartAbandonment(cart(0.85)).level).toBe('warn');
    expect(assessCartAbandonment(cart(0.86)).level).toBe('bad');
  });

  it('reports the decided carts when the sample is too small', () => {
    const a = assessCartAbandonment(cart(null, 5, 7));
    expect(a.level).toBe('none');
    expect(a.reason).toBe('not enough decided carts (12 of 20)');
  });
});

describe('hourTrend', () => {
  it('is the ratio and change against the previous hour', () => {
    expect(hourTrend(110, 100)).toEqual({ ratio: 1.1, change: expect.closeTo(0.1, 10) });
    expect(hourTrend(0, 100)).toEqual({ ratio: 0, change: -1 });
  });

  it('is null when there is nothing to compare with (never a 0 % trend)', () => {
    expect(hourTrend(100, null)).toBeNull();
    expect(hourTrend(100, 0)).toBeNull();
    expect(hourTrend(null, 100)).toBeNull();
  });
});

describe('assessAgainstPreviousHour (watch below 80 %, bad below 50 % of the previous hour, from 10 orders)', () => {
  const fig = (current: number, previous: number | null, previousOrders: number | null = 50) => ({ current, previous, previousOrders });

  it('is good when level or up, and grades drops', () => {
    expect(assessAgainstPreviousHour(fig(100, 100))).toEqual({ level: 'good', reason: 'level with the previous hour' });
    expect(assessAgainstPreviousHour(fig(150, 100))).toEqual({ level: 'good', reason: 'up 50% on the previous hour' });
    expect(assessAgainstPreviousHour(fig(80, 100)).level).toBe('good');
    expect(assessAgainstPreviousHour(fig(79, 100)).level).toBe('warn');
    expect(assessAgainstPreviousHour(fig(50, 100)).level).toBe('warn');
    expect(assessAgainstPreviousHour(fig(49, 100))).toEqual({ level: 'bad', reason: 'down 51% on the previous hour, more than 50% down' });
  });

  it('writes small changes with a decimal', () => {
    expect(assessAgainstPreviousHour(fig(1046, 1000)).reason).toBe('up 4.6% on the previous hour');
  });

  it('does not judge without a previous hour or with too few orders in it', () => {
    expect(assessAgainstPreviousHour(fig(100, null, null)).level).toBe('none');
    const few = assessAgainstPreviousHour(fig(0, 100, 9));
    expect(few.level).toBe('none');
    expect(few.reason).toContain('9 of 10');
    expect(assessAgainstPreviousHour(fig(0, 100, 10)).level).toBe('bad');
  });

  it('does not divide by a zero previous hour', () => {
    expect(assessAgainstPreviousHour(fig(100, 0, 12)).level).toBe('none');
  });
});

describe('assessAverageOrderValue (watch below 75 %, bad below 50 % of the previous hour)', () => {
  const aov = (minor: number | null, previousHourMinor: number | null, orders = 30, previousOrders: number | null = 30) => ({
    minor,
    orders,
    previousHourMinor,
    previousOrders,
  });

  it('grades drops against the previous hour', () => {
    expect(assessAverageOrderValue(aov(5_000, 5_000)).level).toBe('good');
    expect(assessAverageOrderValue(aov(9_000, 5_000)).level).toBe('good');
    expect(assessAverageOrderValue(aov(3_700, 5_000)).level).toBe('warn');
    expect(assessAverageOrderValue(aov(2_400, 5_000)).level).toBe('bad');
  });

  it('needs enough orders in both hours', () => {
    expect(assessAverageOrderValue(aov(1_000, 5_000, 9, 30)).level).toBe('none');
    expect(assessAverageOrderValue(aov(1_000, 5_000, 30, 9)).level).toBe('none');
    expect(assessAverageOrderValue(aov(null, 5_000, 0, 30)).reason).toBe('no orders in the last 60 minutes');
    expect(assessAverageOrderValue(aov(1_000, null, 30, null)).level).toBe('none');
  });
});

describe('pipeline: lag (watch from 2 s, bad from 10 s) and dead letters (watch from 1, bad from 100)', () => {
  it('grades the lag', () => {
    expect(assessLag(null).level).toBe('none');
    expect(assessLag(1_999).level).toBe('good');
    expect(assessLag(2_000).level).toBe('warn');
    expect(assessLag(10_000)).toEqual({ level: 'bad', reason: 'processing lag p99 10.0 s, 10.0 s or more' });
  });

  it('grades dead letters', () => {
    expect(assessDeadLetters(0)).toEqual({ level: 'good', reason: 'no dead letters' });
    expect(assessDeadLetters(1)).toEqual({ level: 'warn', reason: '1 event failed processing (dead letters)' });
    expect(assessDeadLetters(99).level).toBe('warn');
    expect(assessDeadLetters(100).level).toBe('bad');
  });

  it('takes the worse of the two, with its reason', () => {
    expect(assessPipeline({ lagMsP99: 40, deadLetters: 0 }).level).toBe('good');
    const a = assessPipeline({ lagMsP99: 40, deadLetters: 3 });
    expect(a).toEqual({ level: 'warn', reason: '3 events failed processing (dead letters)' });
    expect(assessPipeline({ lagMsP99: 20_000, deadLetters: 3 }).level).toBe('bad');
    // no lag measured yet still reports the dead letters
    expect(assessPipeline({ lagMsP99: null, deadLetters: 0 }).level).toBe('good');
  });
});

describe('worst', () => {
  it('orders bad > warn > good > none and joins the reasons of the winning level', () => {
    expect(worst({ level: 'none', reason: 'a' }, { level: 'none', reason: 'b' })).toEqual({ level: 'none', reason: 'a; b' });
    expect(worst({ level: 'warn', reason: 'w1' }, { level: 'good', reason: 'g' }, { level: 'warn', reason: 'w2' })).toEqual({
      level: 'warn',
      reason: 'w1; w2',
    });
  });
});
