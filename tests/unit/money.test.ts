import { describe, expect, it } from 'vitest';
import { createRandom } from '@/scripts/simulator/random';
import { convertMinor, formatMoney, fromMinor, isKnownCurrency, minorUnitsOf, parseCurrencyRates, toMinor } from '@/lib/money';

/** A seeded generator (the simulator's mulberry32) so a failing case can be replayed. */
const random = (seed: number): (() => number) => createRandom(seed).next;

describe('minorUnitsOf', () => {
  it('gives each currency its ISO 4217 decimals', () => {
    expect(minorUnitsOf('EUR')).toBe(2);
    expect(minorUnitsOf('USD')).toBe(2);
    expect(minorUnitsOf('JPY')).toBe(0);
    expect(minorUnitsOf('KRW')).toBe(0);
    expect(minorUnitsOf('KWD')).toBe(3);
    expect(minorUnitsOf('BHD')).toBe(3);
    expect(minorUnitsOf('CLF')).toBe(4);
  });

  it('refuses something that is not a currency code', () => {
    expect(() => minorUnitsOf('EURO')).toThrow(/"EURO" is not a currency code/);
    expect(() => minorUnitsOf('')).toThrow(RangeError);
  });
});

describe('isKnownCurrency', () => {
  it('knows ISO 4217 codes written in capitals', () => {
    for (const code of ['EUR', 'USD', 'GBP', 'JPY', 'KWD', 'CHF']) expect(isKnownCurrency(code)).toBe(true);
  });

  it('refuses made-up, malformed and lower-case codes', () => {
    for (const code of ['XYZ', 'ABC', 'EURO', 'EU', '', 'eur', 'E1R']) expect(isKnownCurrency(code)).toBe(false);
  });
});

describe('toMinor', () => {
  it.each([
    [19.99, 'EUR', 1999],
    [0.1 + 0.2, 'EUR', 30],
    [129.99, 'EUR', 12999],
    [1.1, 'EUR', 110],
    [0.29, 'EUR', 29],
    [100000, 'JPY', 100000],
    [1234.5, 'JPY', 1235],
    [-0.5, 'JPY', -1],
    [1.2345, 'KWD', 1235],
    [-1.2345, 'KWD', -1235],
    [1.005, 'EUR', 101], // as written; 1.005 × 100 is 100.49999999999999 in floating point
    [-1.005, 'EUR', -101],
    [2.675, 'EUR', 268], // toFixed(2) gives "2.67"
    [0.125, 'EUR', 13],
    [1.0049, 'EUR', 100],
    [1e-7, 'EUR', 0],
    [123456789.99, 'EUR', 12345678999],
    [42, 'EUR', 4200],
  ])('%s %s is %s minor units', (amount, currency, expected) => {
    expect(toMinor(amount, currency)).toBe(expected);
  });

  it('never gives negative zero', () => {
    expect(Object.is(toMinor(-0.004, 'EUR'), 0)).toBe(true);
    expect(Object.is(toMinor(-0, 'EUR'), 0)).toBe(true);
  });

  it('turns every two-decimal amount up to 1,000.00 into its exact cents', () => {
    for (let cents = 0; cents <= 100_000; cents++) {
      const amount = Number(`${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
      if (toMinor(amount, 'EUR') !== cents) expect.fail(`${amount} gave ${toMinor(amount, 'EUR')}, not ${cents}`);
    }
  });

  it('rounds every exact half cent away from zero', () => {
    // 0.005, 0.015, … 99.995: floating point stores many of these just below the half
    for (let cents = 0; cents < 10_000; cents++) {
      const written = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}5`;
      if (toMinor(Number(written), 'EUR') !== cents + 1) expect.fail(`${written} gave ${toMinor(Number(written), 'EUR')}, not ${cents + 1}`);
      if (toMinor(-Number(written), 'EUR') !== -(cents + 1)) expect.fail(`-${written} gave ${toMinor(-Number(written), 'EUR')}`);
    }
  });

  it('refuses amounts that are not finite numbers', () => {
    expect(() => toMinor(Number.NaN, 'EUR')).toThrow(/not a finite number/);
    expect(() => toMinor(Number.POSITIVE_INFINITY, 'EUR')).toThrow(RangeError);
  });
});

describe('fromMinor', () => {
  it('goes back to the decimal amount in the currency’s own decimals', () => {
    expect(fromMinor(1999, 'EUR')).toBe(19.99);
    expect(fromMinor(100000, 'JPY')).toBe(100000);
    expect(fromMinor(1235, 'KWD')).toBe(1.235);
    expect(fromMinor(-1, 'EUR')).toBe(-0.01);
  });

  it('round-trips with toMinor', () => {
    const next = random(7);
    for (let i = 0; i < 2_000; i++) {
      const minor = Math.floor((next() - 0.5) * 2e11);
      for (const currency of ['EUR', 'JPY', 'KWD']) expect(toMinor(fromMinor(minor, currency), currency)).toBe(minor);
    }
  });
});

describe('parseCurrencyRates', () => {
  it('reads CODE=rate pairs into the shop currency', () => {
    expect([...parseCurrencyRates('USD=0.92,GBP=1.17,JPY=0.0061', 'EUR')]).toEqual([
      ['USD', 0.92],
      ['GBP', 1.17],
      ['JPY', 0.0061],
    ]);
  });

  it('tolerates whitespace, lower case and a trailing comma', () => {
    expect([...parseCurrencyRates('  usd = 0.92 ,\tgbp=1.17 , ', 'eur')]).toEqual([
      ['USD', 0.92],
      ['GBP', 1.17],
    ]);
  });

  it('gives an empty map for an empty setting', () => {
    expect(parseCurrencyRates('', 'EUR').size).toBe(0);
    expect(parseCurrencyRates('   ', 'EUR').size).toBe(0);
  });

  it('accepts rates written with an exponent or a leading point', () => {
    expect(parseCurrencyRates('JPY=6.1e-3,USD=.92', 'EUR')).toEqual(new Map([['JPY', 0.0061], ['USD', 0.92]]));
  });

  it.each([
    ['USD=0.92,XYZ=1', '"XYZ=1"', 'not a known ISO 4217 currency code'],
    ['EURO=1', '"EURO=1"', 'not a known ISO 4217 currency code'],
    ['USD=abc', '"USD=abc"', 'rate "abc" is not a positive finite number (how many EUR one USD is worth)'],
    ['USD=0', '"USD=0"', 'not a positive finite number'],
    ['USD=-0.92', '"USD=-0.92"', 'not a positive finite number'],
    ['USD=1e400', '"USD=1e400"', 'not a positive finite number'],
    ['USD=', '"USD="', 'rate "" is not a positive finite number'],
    ['USD=0x10', '"USD=0x10"', 'not a positive finite number'],
    ['USD=Infinity', '"USD=Infinity"', 'not a positive finite number'],
    ['USD=0.92,usd=0.93', '"usd=0.93"', 'USD is given more than once'],
    ['USD=0.92,EUR=1', '"EUR=1"', 'EUR is the shop currency'],
    ['USD', '"USD"', 'expected CODE=rate'],
    ['USD=0.92=1', '"USD=0.92=1"', 'expected CODE=rate'],
  ])('refuses %j, naming the pair and why', (text, pair, why) => {
    let message = '';
    try {
      parseCurrencyRates(text, 'EUR');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(pair);
    expect(message).toContain(why);
  });

  it('refuses an unknown shop currency', () => {
    expect(() => parseCurrencyRates('USD=1', 'XYZ')).toThrow('shop currency "XYZ" is not a known ISO 4217 currency code');
  });
});

describe('convertMinor', () => {
  const toEur = parseCurrencyRates('USD=0.92,GBP=1.17,JPY=0.0061,KWD=2.98', 'EUR');

  it.each([
    // amount in minor units of `from`, hand-computed result in minor units of EUR
    [100000, 'JPY', 61000], // ¥100,000 × 0.0061 = €610.00
    [1999, 'USD', 1839], // $19.99 × 0.92 = €18.3908
    [-1999, 'USD', -1839], // a refund
    [50, 'USD', 46], // $0.50 × 0.92 = €0.46
    [1, 'GBP', 1], // £0.01 × 1.17 = €0.0117
    [1235, 'KWD', 368], // KWD 1.235 × 2.98 = €3.6803
    [1, 'JPY', 1], // ¥1 × 0.0061 = €0.0061
    [81, 'JPY', 49], // ¥81 × 0.0061 = €0.4941
    [82, 'JPY', 50], // ¥82 × 0.0061 = €0.5002
  ])('%s %s is %s EUR cents', (minor, from, expected) => {
    expect(convertMinor(minor, from, 'EUR', toEur)).toBe(expected);
  });

  it('rounds exact halves away from zero where floating point would not', () => {
    const rates = parseCurrencyRates('USD=0.29', 'EUR');
    // $0.50 × 0.29 = €0.145 exactly, but 50 × 0.29 is 14.499999999999998 in floating point
    expect(convertMinor(50, 'USD', 'EUR', rates)).toBe(15);
    expect(convertMinor(-50, 'USD', 'EUR', rates)).toBe(-15);
    // ¥82 at 0.0125 = €1.025 exactly
    expect(convertMinor(82, 'JPY', 'EUR', parseCurrencyRates('JPY=0.0125', 'EUR'))).toBe(103);
  });

  it('uses the target currency’s own decimals', () => {
    // into yen: $19.99 × 150.25 = ¥3,003.4975; $0.01 × 150.5 = ¥1.505
    expect(convertMinor(1999, 'USD', 'JPY', parseCurrencyRates('USD=150.25', 'JPY'))).toBe(3003);
    expect(convertMinor(1, 'USD', 'JPY', parseCurrencyRates('USD=150.5', 'JPY'))).toBe(2);
    // into dinars: €19.99 × 0.3356 = KWD 6.708644
    expect(convertMinor(1999, 'EUR', 'KWD', parseCurrencyRates('EUR=0.3356', 'KWD'))).toBe(6709);
    // dinars into yen: KWD 1.235 × 487.5 = ¥602.0625
    expect(convertMinor(1235, 'KWD', 'JPY', parseCurrencyRates('KWD=487.5', 'JPY'))).toBe(602);
  });

  it('keeps the shop currency as it is, even without rates', () => {
    expect(convertMinor(1234, 'EUR', 'EUR', new Map())).toBe(1234);
    expect(convertMinor(-7, 'JPY', 'JPY', toEur)).toBe(-7);
  });

  it('gives null without a rate, and for a target that is not the rates’ shop currency', () => {
    expect(convertMinor(100, 'CHF', 'EUR', toEur)).toBeNull();
    expect(convertMinor(100, 'USD', 'EUR', new Map())).toBeNull();
    // GBP has a rate into EUR, so GBP is not what these rates convert into
    expect(convertMinor(100, 'USD', 'GBP', toEur)).toBeNull();
  });

  it('refuses a fractional amount of minor units', () => {
    expect(() => convertMinor(10.5, 'USD', 'EUR', toEur)).toThrow(/not a whole number of minor units/);
  });

  it('matches exact decimal arithmetic on random amounts and rates', () => {
    // reference: the rate as written, as a decimal fraction, multiplied out in BigInt
    const next = random(42);
    const pairs: [string, string][] = [
      ['USD', 'EUR'],
      ['JPY', 'EUR'],
      ['EUR', 'JPY'],
      ['KWD', 'EUR'],
      ['EUR', 'KWD'],
      ['KWD', 'JPY'],
    ];
    for (let i = 0; i < 20_000; i++) {
      const [from, to] = pairs[i % pairs.length];
      const decimals = 1 + Math.floor(next() * 5);
      const rateDigits = String(1 + Math.floor(next() * 99_999));
      const rateText = (Number(rateDigits) / 10 ** decimals).toFixed(decimals);
      const minor = Math.floor((next() - 0.3) * 10 ** (1 + Math.floor(next() * 9)));
      const rates = parseCurrencyRates(`${from}=${rateText}`, to);

      const mantissa = BigInt(rateText.replace('.', ''));
      const shift = minorUnitsOf(to) - minorUnitsOf(from) - decimals;
      const product = BigInt(Math.abs(minor)) * mantissa;
      let magnitude: bigint;
      if (shift >= 0) magnitude = product * 10n ** BigInt(shift);
      else {
        const d = 10n ** BigInt(-shift);
        magnitude = product / d + ((product % d) * 2n >= d ? 1n : 0n);
      }
      const expected = minor < 0 ? -Number(magnitude) : Number(magnitude);
      const got = convertMinor(minor, from, to, rates);
      if (got !== expected) expect.fail(`${minor} ${from} at ${rateText} gave ${got} ${to}, expected ${expected}`);
    }
  });
});

describe('formatMoney', () => {
  it('shows each currency with its own decimals', () => {
    expect(formatMoney(123456, 'EUR')).toBe('€1,234.56');
    expect(formatMoney(123456, 'USD')).toBe('US$1,234.56');
    expect(formatMoney(123456, 'GBP')).toBe('£1,234.56');
    expect(formatMoney(100000, 'JPY')).toBe('JP¥100,000');
    expect(formatMoney(1235, 'KWD')).toBe('KWD\u00a01.235'); // Intl puts a no-break space after the code
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(-1999, 'EUR')).toBe('-€19.99');
    expect(formatMoney(-0, 'EUR')).toBe('€0.00');
  });

  it('reads a lower-case code as the currency', () => {
    expect(formatMoney(123456, 'eur')).toBe('€1,234.56');
  });

  it('drops the minor part with `whole`, toward zero', () => {
    expect(formatMoney(123499, 'EUR', { whole: true })).toBe('€1,234');
    expect(formatMoney(-123499, 'EUR', { whole: true })).toBe('-€1,234');
    expect(formatMoney(-40, 'EUR', { whole: true })).toBe('€0');
    expect(formatMoney(1999, 'KWD', { whole: true })).toBe('KWD\u00a01');
    expect(formatMoney(100000, 'JPY', { whole: true })).toBe('JP¥100,000');
  });

  it('goes compact only from 100,000 major units', () => {
    expect(formatMoney(9_999_999, 'EUR', { compact: true })).toBe('€99,999.99');
    expect(formatMoney(10_000_000, 'EUR', { compact: true })).toBe('€100k');
    expect(formatMoney(12_345_678, 'EUR', { compact: true })).toBe('€123.5k');
    expect(formatMoney(123_456_789_00, 'EUR', { compact: true })).toBe('€123.5m');
    expect(formatMoney(-12_345_678, 'EUR', { compact: true })).toBe('-€123.5k');
    expect(formatMoney(99_999, 'JPY', { compact: true })).toBe('JP¥99,999');
    expect(formatMoney(123_456, 'JPY', { compact: true })).toBe('JP¥123.5k');
  });

  it('never rounds up when both whole and compact', () => {
    expect(formatMoney(9_999_999, 'EUR', { whole: true, compact: true })).toBe('€99,999');
    expect(formatMoney(12_345_678, 'EUR', { whole: true, compact: true })).toBe('€123.4k');
    expect(formatMoney(99_999_999, 'EUR', { whole: true, compact: true })).toBe('€999.9k');
    expect(formatMoney(100_000_000, 'EUR', { whole: true, compact: true })).toBe('€1m');
  });

  it('moves the compact threshold with `compactFrom`', () => {
    expect(formatMoney(999_999, 'EUR', { compact: true, compactFrom: 10_000 })).toBe('€9,999.99');
    expect(formatMoney(1_234_567, 'EUR', { compact: true, compactFrom: 10_000 })).toBe('€12.3k');
  });

  it('shows an unknown or malformed code after the amount instead of failing', () => {
    expect(formatMoney(123456, 'XYZ')).toBe('1,234.56 XYZ');
    expect(formatMoney(123456, 'EURO')).toBe('1,234.56 EURO');
    expect(formatMoney(123456, 'XYZ', { whole: true })).toBe('1,234 XYZ');
  });
});
