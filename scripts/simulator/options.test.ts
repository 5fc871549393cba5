import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseCli } from './options';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseCli(argv, env);
  if (r.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(r)}`);
  return r.options;
};

describe('simulator options', () => {
  it('has defaults that talk to a local Pulse with the demo key', () => {
    const { pricing, ...rest } = run([]);
    expect(rest).toEqual({ url: DEFAULTS.url, key: 'demo-ingest-key-local', rate: 50, duration: null, batch: 50, patternsPerHour: 20, seed: null, quiet: false, seedInventory: false, adminKey: null });
    expect(pricing.shopCurrency).toBe('EUR');
    expect(pricing.mix).toEqual([{ currency: 'EUR', share: 1 }]);
  });

  it('takes the key from --key, then PULSE_INGEST_KEY, then the first of INGEST_API_KEYS', () => {
    expect(run([], { INGEST_API_KEYS: ' first , second' }).key).toBe('first');
    expect(run([], { INGEST_API_KEYS: 'first', PULSE_INGEST_KEY: 'mine' }).key).toBe('mine');
    expect(run(['--key', 'flag'], { PULSE_INGEST_KEY: 'mine' }).key).toBe('flag');
  });

  it('takes the URL from --url or PULSE_URL', () => {
    expect(run([], { PULSE_URL: 'https://pulse.example.com/' }).url).toBe('https://pulse.example.com');
    expect(run(['--url', 'http://127.0.0.1:3300'], { PULSE_URL: 'https://x.example' }).url).toBe('http://127.0.0.1:3300');
  });

  it('parses numbers, seeds and flags', () => {
    expect(run(['--rate', '0.5', '--duration', '30', '--batch', '1', '--patterns-per-hour', '0', '--seed', '42', '-q', '--seed-inventory', '--admin-key', 'adm'])).toMatchObject({
      rate: 0.5, duration: 30, batch: 1, patternsPerHour: 0, seed: 42, quiet: true, seedInventory: true, adminKey: 'adm',
    });
    expect(run(['--seed', 'black-friday']).seed).toEqual(run(['--seed', 'black-friday']).seed);
  });

  it('explains bad input', () => {
    expect(parseCli(['--batch', '501'], {})).toEqual({ kind: 'error', message: expect.stringMatching(/--batch must be a whole number from 1 to 500/) });
    expect(parseCli(['--rate', 'fast'], {})).toMatchObject({ kind: 'error', message: expect.stringMatching(/--rate/) });
    expect(parseCli(['--patterns-per-hour', '-1'], {})).toMatchObject({ kind: 'error', message: expect.stringMatching(/--patterns-per-hour/) });
    expect(parseCli(['--fraud', '0.1'], {})).toEqual({ kind: 'error', message: expect.stringMatching(/replaced by --patterns-per-hour/) });
    expect(parseCli(['--url', 'ftp://x'], {})).toMatchObject({ kind: 'error' });
    expect(parseCli(['--nope'], {})).toMatchObject({ kind: 'error', message: expect.stringMatching(/nope/) });
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCli(['--seed-inventory'], {})).toEqual({ kind: 'error', message: expect.stringMatching(/--seed-inventory needs an admin key/) });
    expect(parseCli(['--seed-inventory'], { ADMIN_API_KEYS: 'from-env,other' })).toMatchObject({ options: { adminKey: 'from-env' } });
  });

  it('takes a currency mix, the shop currency and rates from flags or the server variables', () => {
    const { pricing } = run(['--currencies', 'eur:8, usd:1.5,JPY:0.5']);
    expect(pricing.mix).toEqual([
      { currency: 'EUR', share: 0.8 },
      { currency: 'USD', share: 0.15 },
      { currency: 'JPY', share: 0.05 },
    ]);
    // reference rates when none are configured; configured ones win
    expect(pricing.rates).toEqual(new Map([['USD', 0.92], ['JPY', 0.0061]]));
    expect(run(['--currencies', 'EUR:1,USD:1'], { CURRENCY_RATES: 'USD=0.9' }).pricing.rates).toEqual(new Map([['USD', 0.9]]));
    expect(run(['--currencies', 'EUR:1,USD:1', '--rates', 'USD=0.95'], { CURRENCY_RATES: 'USD=0.9' }).pricing.rates).toEqual(new Map([['USD', 0.95]]));
    expect(run([], { SHOP_CURRENCY: 'usd' }).pricing).toMatchObject({ shopCurrency: 'USD', mix: [{ currency: 'USD', share: 1 }] });
    expect(run(['--shop-currency', 'GBP'], { SHOP_CURRENCY: 'USD' }).pricing.shopCurrency).toBe('GBP');
  });

  it('explains a bad currency mix or rate table', () => {
    const error = (argv: string[], env: Record<string, string> = {}) => {
      const r = parseCli(argv, env);
      return r.kind === 'error' ? r.message : `no error: ${JSON.stringify(r)}`;
    };
    expect(error(['--currencies', 'EUR=0.8'])).toMatch(/--currencies: "EUR=0.8" is not CODE:SHARE \(expected CODE:SHARE,… e.g. EUR:0.8,USD:0.15,JPY:0.05\)/);
    expect(error(['--currencies', 'EUR:0.8,XYZ:0.2'])).toMatch(/"XYZ" is not an ISO 4217 currency code/);
    expect(error(['--currencies', 'EUR:0.8,USD:0'])).toMatch(/the share of USD must be a number above 0/);
    expect(error(['--currencies', 'EUR:1,eur:1'])).toMatch(/EUR is listed twice/);
    expect(error(['--currencies', 'EUR:0.5,KWD:0.5'])).toMatch(/no exchange rate for KWD in EUR.*CURRENCY_RATES/);
    expect(error(['--currencies', 'EUR:0.5,KWD:0.5'], { CURRENCY_RATES: 'KWD=3' })).toMatch(/^no error/);
    expect(error([], { CURRENCY_RATES: 'USD:0.9' })).toMatch(/CURRENCY_RATES: currency rate "USD:0.9": expected CODE=rate/);
    expect(error(['--shop-currency', 'EURO'])).toMatch(/shop currency/);
  });
});
