/**
 * Money as integer minor units of its own currency (cents for EUR, yen for JPY, fils for KWD).
 * Pure and Intl-only so both the browser and the server import it. Amounts and conversions take
 * a floating-point fast path only where it cannot round differently from exact decimal
 * arithmetic, and otherwise shift the amount's shortest decimal spelling or multiply in BigInt,
 * so no result depends on binary floating-point drift (19.99 → 1999, never 1998).
 */

const CODE_SHAPE = /^[A-Z]{3}$/;

const minorUnitsCache = new Map<string, number>();

/**
 * ISO 4217 decimal digits of `currency` as Intl knows them: EUR 2, JPY 0, KWD 3. A well-formed
 * code Intl does not know gets 2 (the ISO default). Throws a RangeError for a malformed code.
 */
export function minorUnitsOf(currency: string): number {
  let digits = minorUnitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      throw new RangeError(`"${currency}" is not a currency code (expected three letters such as EUR)`);
    }
    minorUnitsCache.set(currency, digits);
  }
  return digits;
}

let knownCodes: Set<string> | null = null;

/** True for an uppercase three-letter code this runtime's Intl lists as a currency. */
export function isKnownCurrency(code: string): boolean {
  if (!CODE_SHAPE.test(code)) return false;
  if (!knownCodes) {
    // Intl.supportedValuesOf is missing only in old browsers; there, accept any well-formed code
    knownCodes = typeof Intl.supportedValuesOf === 'function' ? new Set(Intl.supportedValuesOf('currency')) : new Set();
  }
  return knownCodes.size === 0 || knownCodes.has(code);
}

/** Digits to show for a code that may be unknown or malformed, for display fallbacks. */
function digitsForDisplay(currency: string): number {
  try {
    return minorUnitsOf(currency);
  } catch {
    return 2;
  }
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * A finite number as sign, decimal digits and a power of ten, from its shortest round-trip
 * spelling: 19.99 → { negative: false, digits: "1999", exponent: -2 }.
 */
function decimalOf(value: number): { negative: boolean; digits: string; exponent: number } {
  const m = DECIMAL.exec(String(value));
  if (!m) throw new RangeError(`${value} is not a finite number`);
  const frac = m[3] ?? '';
  return { negative: m[1] === '-', digits: (m[2] + frac).replace(/^0+(?=\d)/, ''), exponent: Number(m[4] ?? 0) - frac.length };
}

/**
 * The fast path of toMinor and convertMinor, which run once per event: `scaled` is a float
 * product within a relative 1e-15 of the exact decimal one, so unless it lies that close to a
 * half it rounds (half away from zero) to the same integer; null sends the caller to exact
 * decimal arithmetic.
 */
function roundedUnlessNearHalf(scaled: number): number | null {
  if (!(scaled < 2 ** 50)) return null;
  const fraction = scaled - Math.floor(scaled);
  if (Math.abs(fraction - 0.5) <= 1e-9 + scaled * 1e-15) return null;
  return Math.floor(scaled + 0.5);
}

/**
 * A decimal amount in integer minor units of `currency`, rounded half away from zero:
 * toMinor(19.99, 'EUR') = 1999, toMinor(100000, 'JPY') = 100000, toMinor(1.2345, 'KWD') = 1235.
 * Throws a RangeError for NaN or ±Infinity.
 */
export function toMinor(amount: number, currency: string): number {
  if (!Number.isFinite(amount)) throw new RangeError(`amount ${amount} is not a finite number`);
  const units = minorUnitsOf(currency);
  const quick = roundedUnlessNearHalf(Math.abs(amount) * 10 ** units);
  if (quick !== null) return amount < 0 && quick !== 0 ? -quick : quick;
  const { negative, digits, exponent } = decimalOf(amount);
  const shift = exponent + units;
  let magnitude: number;
  if (shift >= 0) {
    magnitude = Number(digits + '0'.repeat(shift));
  } else {
    const keep = digits.length + shift;
    const whole = keep > 0 ? Number(digits.slice(0, keep)) : 0;
    // the first dropped digit decides: 5 or more rounds the magnitude up (half away from zero)
    const firstDropped = keep >= 0 ? digits.charCodeAt(keep) - 48 : 0;
    magnitude = whole + (firstDropped >= 5 ? 1 : 0);
  }
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/** Integer minor units back to a decimal amount of `currency` (for arithmetic on display values). */
export function fromMinor(minor: number, currency: string): number {
  const result = minor / 10 ** minorUnitsOf(currency);
  return result === 0 ? 0 : result;
}

/**
 * Parses the CURRENCY_RATES format: comma-separated CODE=rate pairs, where rate is how many
 * units of the shop currency one unit of CODE is worth (shop EUR: "USD=0.92,GBP=1.17,JPY=0.0061").
 * Codes are upper-cased; whitespace and empty items (a trailing comma) are ignored. Throws an
 * Error naming the offending pair for a malformed pair, an unknown code, a rate that is not a
 * positive finite number, a repeated code, or the shop currency itself.
 */
export function parseCurrencyRates(text: string, shopCurrency: string): Map<string, number> {
  const shop = shopCurrency.trim().toUpperCase();
  if (!isKnownCurrency(shop)) throw new Error(`shop currency "${shopCurrency}" is not a known ISO 4217 currency code`);
  const rates = new Map<string, number>();
  for (const item of text.split(',')) {
    const pair = item.trim();
    if (pair === '') continue;
    const parts = pair.split('=');
    if (parts.length !== 2) throw new Error(`currency rate "${pair}": expected CODE=rate, e.g. USD=0.92`);
    const code = parts[0].trim().toUpperCase();
    const rateText = parts[1].trim();
    if (!isKnownCurrency(code)) throw new Error(`currency rate "${pair}": "${parts[0].trim()}" is not a known ISO 4217 currency code`);
    if (code === shop) throw new Error(`currency rate "${pair}": ${code} is the shop currency, which needs no rate`);
    if (rates.has(code)) throw new Error(`currency rate "${pair}": ${code} is given more than once`);
    const rate = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(rateText) ? Number(rateText) : NaN;
    if (!(rate > 0 && Number.isFinite(rate))) {
      throw new Error(
        `currency rate "${pair}": rate "${rateText}" is not a positive finite number (how many ${shop} one ${code} is worth)`,
      );
    }
    rates.set(code, rate);
  }
  return rates;
}

const rateDecimals = new Map<number, { mantissa: bigint; exponent: number }>();

function rateDecimal(rate: number): { mantissa: bigint; exponent: number } {
  let d = rateDecimals.get(rate);
  if (!d) {
    const { negative, digits, exponent } = decimalOf(rate);
    d = { mantissa: negative ? -BigInt(digits) : BigInt(digits), exponent };
    // rates come from configuration, so the cache stays small; bound it anyway
    if (rateDecimals.size > 1_000) rateDecimals.clear();
    rateDecimals.set(rate, d);
  }
  return d;
}

/**
 * Converts `minor` units of `from` into minor units of `to`, rounded once, half away from zero.
 * `rates` is what parseCurrencyRates returned for shop currency `to`: rates.get(from) is how many
 * `to` one `from` is worth. Returns `minor` unchanged when from === to, and null when there is no
 * rate — including when `to` itself has a rate, which means `to` is not the map's shop currency.
 */
export function convertMinor(minor: number, from: string, to: string, rates: ReadonlyMap<string, number>): number | null {
  if (from === to) return minor;
  const rate = rates.get(from);
  if (rate === undefined || rates.has(to)) return null;
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  const digitShift = minorUnitsOf(to) - minorUnitsOf(from);
  // 10^k is exact for these small k, so the float product has three roundings at most
  const approx = digitShift >= 0 ? Math.abs(minor) * rate * 10 ** digitShift : (Math.abs(minor) * rate) / 10 ** -digitShift;
  const quick = roundedUnlessNearHalf(approx);
  if (quick !== null) return minor < 0 && quick !== 0 ? -quick : quick;
  // exactly: minor × rate × 10^(toDigits − fromDigits), with rate = mantissa × 10^exponent
  const { mantissa, exponent } = rateDecimal(rate);
  const shift = exponent + digitShift;
  const product = BigInt(minor) * mantissa;
  if (shift >= 0) return Number(product * 10n ** BigInt(shift));
  const divisor = 10n ** BigInt(-shift);
  const magnitude = product < 0n ? -product : product;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  const result = Number(quotient);
  return product < 0n && result !== 0 ? -result : result;
}

export interface MoneyFormatOptions {
  /** Drop the minor part, truncating toward zero: €1,234.99 shows as €1,234. */
  whole?: boolean;
  /** Compact notation ("€123.4k", "€1.2m") from `compactFrom` major units up. */
  compact?: boolean;
  /** Where compact notation starts, in major units; 100,000 unless given. */
  compactFrom?: number;
}

const COMPACT_FROM = 100_000;
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, digits: number, whole: boolean, compact: boolean): Intl.NumberFormat {
  const key = `${currency}|${whole ? 'w' : ''}${compact ? 'c' : ''}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = compact
      ? new Intl.NumberFormat('en-GB', {
          style: 'currency',
          currency,
          notation: 'compact',
          minimumFractionDigits: 0,
          maximumFractionDigits: 1,
          // a whole-money display never shows a figure not yet reached
          roundingMode: whole ? 'trunc' : 'halfExpand',
        })
      : new Intl.NumberFormat('en-GB', {
          style: 'currency',
          currency,
          minimumFractionDigits: whole ? 0 : digits,
          maximumFractionDigits: whole ? 0 : digits,
        });
    moneyFormats.set(key, f);
  }
  return f;
}

const fallbackFormats = new Map<number, Intl.NumberFormat>();

function fallbackFormat(digits: number): Intl.NumberFormat {
  let f = fallbackFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    fallbackFormats.set(digits, f);
  }
  return f;
}

/**
 * Minor units of `currency` for display, en-GB, with the currency's own decimals: "€1,234.56",
 * "JP¥100,000", "KWD 1.235". An unknown code shows as "1,234.56 XYZ" rather than failing.
 */
export function formatMoney(minor: number, currency: string, opts: MoneyFormatOptions = {}): string {
  const code = currency.toUpperCase();
  const whole = opts.whole === true;
  const digits = digitsForDisplay(code);
  const scale = 10 ** digits;
  // `|| 0` turns -0 into 0 so that -0.4 cents does not show as "-€0"
  const major = (whole ? Math.trunc(minor / scale) : minor / scale) || 0;
  if (!isKnownCurrency(code)) return `${fallbackFormat(whole ? 0 : digits).format(major)} ${code}`;
  const compact = opts.compact === true && Math.abs(minor / scale) >= (opts.compactFrom ?? COMPACT_FROM);
  return moneyFormat(code, digits, whole, compact).format(compact ? minor / scale : major);
}
