import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/server/config';

describe('loadConfig', () => {
  it('has working defaults with no environment at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, mode: 'embedded', INGEST_MAX_BATCH: 500, CORS_ALLOWED_ORIGINS: ['*'], INGEST_API_KEYS: [] });
  });

  it('splits comma-separated lists and treats empty values as unset', () => {
    const c = loadConfig({ INGEST_API_KEYS: ' key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb ', PORT: '' });
    expect(c.INGEST_API_KEYS).toEqual(['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    expect(c.PORT).toBe(3000);
  });

  it('names every bad variable and what it expects, hiding key values', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', INGEST_MAX_BATCH: '0', INGEST_API_KEYS: 'short', PULSE_UI: 'maybe' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('PORT="eighty": must be a number');
    expect(message).toContain('INGEST_MAX_BATCH="0": must be at least 1');
    expect(message).toContain('INGEST_API_KEYS=(hidden): each key must be at least 16 characters');
    expect(message).toContain('PULSE_UI="maybe": must be one of true/false');
    expect(message).not.toContain('short');
  });

  it('reads the shop currency, its rates, its time zone and the cart delay, with defaults', () => {
    expect(loadConfig({})).toMatchObject({ SHOP_CURRENCY: 'EUR', CURRENCY_RATES: '', SHOP_TIMEZONE: 'UTC', CART_ABANDON_AFTER_MINUTES: 30 });
    const c = loadConfig({ SHOP_CURRENCY: 'usd', CURRENCY_RATES: 'EUR=1.09, JPY=0.0067', SHOP_TIMEZONE: 'America/New_York', CART_ABANDON_AFTER_MINUTES: '45' });
    expect(c).toMatchObject({ SHOP_CURRENCY: 'USD', SHOP_TIMEZONE: 'America/New_York', CART_ABANDON_AFTER_MINUTES: 45 });
  });

  it('refuses an unknown currency, a bad rate table, an unknown zone and an out-of-range cart delay', () => {
    const fail = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(fail({ SHOP_CURRENCY: 'EURO' })).toContain('SHOP_CURRENCY="EURO": must be an ISO 4217 currency code');
    expect(fail({ SHOP_TIMEZONE: 'Mars/Olympus' })).toContain('SHOP_TIMEZONE="Mars/Olympus": must be an IANA time zone');
    expect(fail({ CART_ABANDON_AFTER_MINUTES: '0' })).toContain('CART_ABANDON_AFTER_MINUTES="0": must be at least 1');
    expect(fail({ CURRENCY_RATES: 'USD=abc' })).toMatch(/CURRENCY_RATES="USD=abc": .*USD/);
    expect(fail({ CURRENCY_RATES: 'EUR=1' })).toContain('CURRENCY_RATES="EUR=1"');
  });

  it('the database and sign-in settings: defaults, and the combinations that cannot work', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c).toMatchObject({ SESSION_IDLE_MINUTES: 720, SESSION_MAX_HOURS: 168, TRUST_PROXY: false, READ_ALLOWED_ORIGINS: [] });
    expect(c.MASK_PROPERTY_KEYS).toContain('email');
    // several web processes cannot share the embedded database
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', PULSE_WEB_PROCESSES: '2' })).toThrow(/PULSE_WEB_PROCESSES=2: .*set DATABASE_URL/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', PULSE_WEB_PROCESSES: '2', DATABASE_URL: 'postgresql://db/pulse' }).PULSE_WEB_PROCESSES).toBe(2);
    expect(() => loadConfig({ PULSE_ADMIN_EMAIL: 'a@b.c' })).toThrow(/set both .* or neither/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL=\(hidden\): must be a postgres/);
    let message = '';
    try {
      loadConfig({ PULSE_ADMIN_EMAIL: 'a@b.c', PULSE_ADMIN_PASSWORD: 'short-pw' });
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/PULSE_ADMIN_PASSWORD=\(hidden\): must be at least 12 characters/);
    expect(message).not.toContain('short-pw');
  });
});
