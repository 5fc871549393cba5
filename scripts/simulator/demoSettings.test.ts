import { describe, expect, it } from 'vitest';
import { demoSettings, DEMO_USAGE } from './demoSettings';

let n = 0;
const settings = (env: Record<string, string>) => {
  const r = demoSettings(env, () => `k${++n}`.padEnd(24, '0'));
  if (!r.ok) throw new Error(r.error);
  return r.settings;
};
const error = (env: Record<string, string>) => {
  const r = demoSettings(env, () => 'k');
  return r.ok ? `no error: ${JSON.stringify(r.settings.serverEnv)}` : r.error;
};

describe('demo settings', () => {
  it('defaults to port 3000, 40 events/s, the shop currency only and fresh keys', () => {
    const s = settings({});
    expect(s).toMatchObject({ port: 3000, rate: 40, pagesOff: false, notes: [] });
    expect(s.pricing.mix).toEqual([{ currency: 'EUR', share: 1 }]);
    expect(s.key).toMatch(/^demo_k\d+0+$/);
    expect(s.adminKey).toMatch(/^demo_admin_k\d+0+$/);
    // the simulator's keys are the ones Pulse is started with; no rates, no threshold change
    expect(s.serverEnv).toEqual({ INGEST_API_KEYS: s.key, ADMIN_API_KEYS: s.adminKey });
  });

  it("uses the user's keys as they are", () => {
    const s = settings({ INGEST_API_KEYS: ' mine, other', ADMIN_API_KEYS: 'admin-key-of-16-chars' });
    expect(s).toMatchObject({ key: 'mine', adminKey: 'admin-key-of-16-chars', serverEnv: {} });
  });

  it('gives Pulse the reference rates for a currency mix without CURRENCY_RATES, and says so', () => {
    const s = settings({ DEMO_CURRENCIES: 'EUR:0.8,USD:0.15,JPY:0.05' });
    expect(s.serverEnv.CURRENCY_RATES).toBe('USD=0.92,JPY=0.0061');
    expect(s.notes).toEqual([expect.stringMatching(/^Pulse converts with CURRENCY_RATES=USD=0.92,JPY=0.0061 \(the simulator's reference rates/)]);
  });

  it("keeps the user's CURRENCY_RATES and names a mix currency it lacks", () => {
    const s = settings({ DEMO_CURRENCIES: 'EUR:0.8,USD:0.15,JPY:0.05', CURRENCY_RATES: 'USD=0.9' });
    expect(s.serverEnv.CURRENCY_RATES).toBeUndefined();
    expect(s.pricing.rates.get('USD')).toBe(0.9);
    expect(s.notes).toEqual(['JPY has no rate in CURRENCY_RATES: Pulse keeps JPY revenue apart (the simulator prices it at 0.0061 EUR)']);
  });

  it('sets a high-value threshold of about €1,000 only where 1000 of the shop currency would not suit the prices', () => {
    expect(settings({ SHOP_CURRENCY: 'USD' }).serverEnv.ALERT_HIGH_VALUE_ABOVE).toBeUndefined();
    expect(settings({ SHOP_CURRENCY: 'GBP' }).serverEnv.ALERT_HIGH_VALUE_ABOVE).toBeUndefined();
    const yen = settings({ SHOP_CURRENCY: 'jpy' });
    expect(yen.serverEnv.ALERT_HIGH_VALUE_ABOVE).toBe('160000');
    expect(yen.notes).toEqual([expect.stringMatching(/^high-value alerts above JP¥160,000 \(ALERT_HIGH_VALUE_ABOVE=160000/)]);
    expect(settings({ SHOP_CURRENCY: 'SEK' }).serverEnv.ALERT_HIGH_VALUE_ABOVE).toBe('11000');
    expect(settings({ SHOP_CURRENCY: 'JPY', ALERT_HIGH_VALUE_ABOVE: '50000' }).serverEnv.ALERT_HIGH_VALUE_ABOVE).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(error({ PORT: 'http' })).toMatch(/^PORT must be a port number/);
    expect(error({ DEMO_RATE: '0' })).toMatch(/^DEMO_RATE must be a number of events per second above 0/);
    expect(error({ DEMO_CURRENCIES: 'EUR=1' })).toMatch(/^DEMO_CURRENCIES: "EUR=1" is not CODE:SHARE/);
    expect(error({ CURRENCY_RATES: 'USD' })).toMatch(/^CURRENCY_RATES: currency rate "USD": expected CODE=rate/);
    expect(error({ DEMO_CURRENCIES: 'EUR:1,KWD:1' })).toMatch(/^SHOP_CURRENCY \/ DEMO_CURRENCIES: no exchange rate for KWD in EUR/);
    expect(error({ SHOP_CURRENCY: 'EURO' })).toMatch(/^SHOP_CURRENCY \/ DEMO_CURRENCIES: the shop currency "EURO" is not an ISO 4217 currency code/);
  });

  it('documents the mix format in its usage text', () => {
    expect(DEMO_USAGE).toContain('DEMO_CURRENCIES');
    expect(DEMO_USAGE).toContain('CODE:SHARE,… e.g. EUR:0.8,USD:0.15,JPY:0.05');
    expect(DEMO_USAGE).toContain('CURRENCY_RATES');
  });
});
