import { describe, expect, it } from 'vitest';
import { formatCompactNumber, formatDuration, formatEventType, formatNumber, formatPercent } from '@/lib/format';
import { formatMoney as formatMoneyIn } from '@/lib/money';

// the forms pages use: plain, chart axes (compact from 10,000) and across the room (whole, compact from 100,000)
const formatMoney = (minor: number, currency = 'EUR') => formatMoneyIn(minor, currency);
const formatCompactMoney = (minor: number, currency = 'EUR') => formatMoneyIn(minor, currency, { compact: true, compactFrom: 10_000 });
const formatWholeMoney = (minor: number, currency = 'EUR') => formatMoneyIn(minor, currency, { whole: true, compact: true });

describe('money as the pages format it (lib/money)', () => {
  it('formatMoney shows the currency’s own decimals', () => {
    expect(formatMoney(123456)).toBe('€1,234.56');
    expect(formatMoney(123456, 'GBP')).toBe('£1,234.56');
    expect(formatMoney(100000, 'JPY')).toBe('JP¥100,000');
    expect(formatMoney(1235, 'KWD')).toBe('KWD\u00a01.235');
    expect(formatMoney(123456, 'XYZ')).toBe('1,234.56 XYZ');
  });

  it('formatCompactMoney goes compact from 10,000 major units, for chart axes', () => {
    expect(formatCompactMoney(999_999)).toBe('€9,999.99');
    expect(formatCompactMoney(1_000_000)).toBe('€10k');
    expect(formatCompactMoney(1_234_567)).toBe('€12.3k');
    expect(formatCompactMoney(9_999, 'JPY')).toBe('JP¥9,999');
    expect(formatCompactMoney(12_345, 'JPY')).toBe('JP¥12.3k');
  });

  it('formatWholeMoney drops the minor part and goes compact from 100,000, never rounding up', () => {
    expect(formatWholeMoney(941_299)).toBe('€9,412');
    expect(formatWholeMoney(9_999_999)).toBe('€99,999');
    expect(formatWholeMoney(12_345_678)).toBe('€123.4k');
    expect(formatWholeMoney(123_456_789_00)).toBe('€123.4m');
    expect(formatWholeMoney(99_999, 'JPY')).toBe('JP¥99,999');
    expect(formatWholeMoney(1_234_567, 'JPY')).toBe('JP¥1.2m');
    expect(formatWholeMoney(1_999_999, 'KWD')).toBe('KWD\u00a01,999');
  });
});

describe('numbers in lib/format', () => {
  it('formatNumber keeps the digits asked for, each time', () => {
    expect(formatNumber(1234.5)).toBe('1,235');
    expect(formatNumber(1234.5, 2)).toBe('1,234.50');
    expect(formatNumber(0.5, 1)).toBe('0.5');
    expect(formatNumber(1234.5)).toBe('1,235');
  });

  it('formatCompactNumber is short from 10,000', () => {
    expect(formatCompactNumber(9_999)).toBe('9,999');
    expect(formatCompactNumber(12_345)).toBe('12.3k');
    expect(formatCompactNumber(4_100_000)).toBe('4.1m');
  });

  it('keeps the other helpers as they were', () => {
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(null)).toBe('—');
    expect(formatDuration(192)).toBe('3 min 12 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
    expect(formatEventType('add_to_cart')).toBe('add to cart');
  });
});
