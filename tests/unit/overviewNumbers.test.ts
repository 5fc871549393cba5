import { describe, expect, it } from 'vitest';
import { formatShare, trendOf } from '@/components/ui/numbers';

describe('formatShare', () => {
  it('shows whole percents, and one decimal under 1 % so a small share never reads as none', () => {
    expect(formatShare(31, 1000)).toBe('3%');
    expect(formatShare(4, 1000)).toBe('0.4%');
    expect(formatShare(1, 100_000)).toBe('0.1%'); // 0.001 %, still not "0%"
    expect(formatShare(0, 1000)).toBe('0%');
    expect(formatShare(1000, 1000)).toBe('100%');
  });

  it('does not round an almost-whole share up to everything', () => {
    expect(formatShare(996, 1000)).toBe('99%');
  });

  it('has no share of nothing', () => {
    expect(formatShare(3, 0)).toBeNull();
  });
});

describe('trendOf', () => {
  it('gives the change against the previous window with an arrow', () => {
    expect(trendOf(9_100_000, 8_700_000)).toEqual({ direction: 'up', text: '▲ 4.6%', ratio: 400_000 / 8_700_000 });
    expect(trendOf(50, 100)?.text).toBe('▼ 50%');
    expect(trendOf(100, 100)).toEqual({ direction: 'flat', text: 'no change', ratio: 0 });
  });

  it('says nothing without a previous window (counting began inside it)', () => {
    expect(trendOf(100, null)).toBeNull();
    expect(trendOf(null, 100)).toBeNull();
  });

  it('has no percentage from zero, and never shows an arrow beside 0.0 %', () => {
    expect(trendOf(5, 0)).toEqual({ direction: 'up', text: '▲ from 0', ratio: null });
    expect(trendOf(100_001, 100_000)?.text).toBe('▲ <0.1%');
  });
});
