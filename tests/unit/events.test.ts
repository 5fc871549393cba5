import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS, validateEvent } from '@/lib/events';
import { toMinor as toMinorIn } from '@/lib/money';

const toMinor = (amount: number) => toMinorIn(amount, 'EUR');

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
let n = 0;
const newId = () => `srv-${++n}`;
const base = { timestamp: '2026-11-25T11:59:00.000Z', user_id: 'user_1', event_type: 'page_view' };

function errorOf(raw: unknown): string {
  const r = validateEvent(raw, NOW, newId);
  if (r.ok) throw new Error('expected a rejection');
  return r.error;
}

describe('validateEvent', () => {
  it('accepts the reference purchase and normalises money to cents', () => {
    const r = validateEvent(
      {
        event_id: '01JABC',
        timestamp: '2026-11-25T12:00:00.000Z',
        user_id: 'user_12345',
        session_id: 'session_67890',
        event_type: 'purchase',
        properties: {
          amount: 129.99,
          currency: 'eur',
          items: [{ product_id: 'prod_123', quantity: 1, price: 129.99 }],
          location: { country: 'de', lat: 52.52, lon: 13.4 },
        },
      },
      NOW,
      newId,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toMatchObject({
      eventId: '01JABC',
      clientId: true,
      ts: NOW,
      userId: 'user_12345',
      sessionId: 'session_67890',
      type: 'purchase',
      amountMinor: 12999,
      currency: 'EUR',
      items: [{ productId: 'prod_123', quantity: 1, priceMinor: 12999 }],
      location: { country: 'DE', lat: 52.52, lon: 13.4 },
    });
  });

  it('assigns a server id when the client sent none', () => {
    const r = validateEvent(base, NOW, () => 'assigned');
    expect(r.ok && r.event.eventId).toBe('assigned');
    expect(r.ok && r.event.clientId).toBe(false);
  });

  it('names the missing required fields', () => {
    expect(errorOf({ user_id: 'u', event_type: 'x' })).toBe('timestamp: is required');
    expect(errorOf({ timestamp: base.timestamp, event_type: 'x' })).toBe('user_id: is required');
    expect(errorOf({ timestamp: base.timestamp, user_id: 'u' })).toBe('event_type: is required');
  });

  it('requires a finite, non-negative amount on purchases', () => {
    expect(errorOf({ ...base, event_type: 'purchase' })).toBe('properties.amount: is required for purchase events');
    expect(errorOf({ ...base, event_type: 'purchase', properties: { amount: -1 } })).toBe('properties.amount: must not be negative');
    expect(errorOf({ ...base, event_type: 'purchase', properties: { amount: '10' } })).toBe('properties.amount: must be a number');
  });

  it('rejects timestamps that are not ISO 8601 or too far in the future', () => {
    expect(errorOf({ ...base, timestamp: '25/11/2026' })).toMatch(/^timestamp: must be an ISO 8601/);
    expect(errorOf({ ...base, timestamp: 1764072000000 })).toMatch(/^timestamp: /);
    expect(errorOf({ ...base, timestamp: '2026-02-30T10:00:00Z' })).toBe('timestamp: is not a valid date');
    const future = new Date(NOW + MAX_FUTURE_SKEW_MS + 1000).toISOString();
    expect(errorOf({ ...base, timestamp: future })).toMatch(/more than 5 minutes in the future/);
    const nearFuture = new Date(NOW + MAX_FUTURE_SKEW_MS - 1000).toISOString();
    expect(validateEvent({ ...base, timestamp: nearFuture }, NOW, newId).ok).toBe(true);
  });

  it('accepts late events and unknown event types', () => {
    const r = validateEvent({ ...base, timestamp: '2026-11-20T08:00:00Z', event_type: 'wishlist_add' }, NOW, newId);
    expect(r.ok && r.event.type).toBe('wishlist_add');
  });

  it('rejects non-objects and oversized identifiers with the field name', () => {
    expect(errorOf(null)).toBe('event: must be a JSON object');
    expect(errorOf([base])).toBe('event: must be a JSON object');
    expect(errorOf({ ...base, user_id: 'x'.repeat(300) })).toBe('user_id: must be at most 256 characters');
    expect(errorOf({ ...base, event_type: 'drop table;' })).toMatch(/^event_type: must be 1-64 characters/);
    expect(errorOf({ ...base, properties: { location: { lat: 120 } } })).toMatch(/^properties\.location\.lat: /);
  });
});

describe('money in the currency of the event', () => {
  const purchase = (properties: Record<string, unknown>, shop = 'EUR') => {
    const r = validateEvent({ ...base, event_type: 'purchase', properties }, NOW, newId, shop);
    if (!r.ok) throw new Error(r.error);
    return r.event;
  };
  it('keeps amounts in minor units of their own currency: JPY has none, KWD three', () => {
    expect(purchase({ amount: 100_000, currency: 'JPY' })).toMatchObject({ amountMinor: 100_000, currency: 'JPY' });
    expect(purchase({ amount: 1.234, currency: 'kwd' })).toMatchObject({ amountMinor: 1234, currency: 'KWD' });
    expect(purchase({ amount: 129.99, currency: 'EUR', items: [{ product_id: 'p', price: 129.99 }] })).toMatchObject({ amountMinor: 12_999, items: [{ priceMinor: 12_999 }] });
  });
  it('an amount without a currency is in the shop currency, and says so', () => {
    expect(purchase({ amount: 1500 }, 'JPY')).toMatchObject({ amountMinor: 1500, currency: 'JPY' });
    expect(purchase({ amount: 15 }, 'EUR')).toMatchObject({ amountMinor: 1500, currency: 'EUR' });
    const view = validateEvent({ ...base, event_type: 'page_view' }, NOW, newId, 'EUR');
    expect(view.ok && view.event.currency).toBeNull();
  });
});

describe('toMinor', () => {
  it('rounds decimal amounts without floating-point drift', () => {
    expect(toMinor(129.99)).toBe(12999);
    expect(toMinor(0.1 + 0.2)).toBe(30);
    expect(toMinor(1.005)).toBe(101);
    expect(toMinor(19.999)).toBe(2000);
    expect(toMinor(0)).toBe(0);
  });
});

describe('hostile shapes', () => {
  it('refuses properties nested deeper than 16 levels (they would break serialisation downstream)', () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 50_000; i++) cur = (cur.a = {}) as Record<string, unknown>;
    expect(errorOf({ ...base, properties: deep })).toBe('properties: nested deeper than 16 levels');
    const fine: Record<string, unknown> = {};
    cur = fine;
    for (let i = 0; i < 15; i++) cur = (cur.a = {}) as Record<string, unknown>;
    expect(validateEvent({ ...base, properties: fine }, NOW, newId).ok).toBe(true);
  });
});

describe('reasons, field by field (checked by hand)', () => {
  const props = (properties: Record<string, unknown>) => errorOf({ ...base, properties });
  it('says what is wrong with numbers, not just that they must be numbers', () => {
    expect(props({ quantity: -1 })).toBe('properties.quantity: must be at least 1');
    expect(props({ quantity: 0 })).toBe('properties.quantity: must be at least 1');
    expect(props({ quantity: 1.5 })).toBe('properties.quantity: must be a whole number');
    expect(props({ quantity: 100_001 })).toBe('properties.quantity: must be at most 100,000');
    expect(props({ quantity: '2' })).toBe('properties.quantity: must be a number');
    expect(props({ items: [{ product_id: 'p', quantity: -1 }] })).toBe('properties.items.0.quantity: must be at least 1');
    expect(props({ price: -0.01 })).toBe('properties.price: must not be negative');
    expect(props({ price: 2e9 })).toBe('properties.price: must be at most 1,000,000,000');
    expect(props({ amount: null })).toBe('properties.amount: must be a number');
    expect(props({ location: { lat: 91 } })).toBe('properties.location.lat: must be between -90 and 90');
    expect(props({ location: { lat: -90.5 } })).toBe('properties.location.lat: must be between -90 and 90');
    expect(props({ location: { lon: 181 } })).toBe('properties.location.lon: must be between -180 and 180');
    expect(props({ location: { lon: -181 } })).toBe('properties.location.lon: must be between -180 and 180');
    expect(props({ location: { lat: 'north' } })).toBe('properties.location.lat: must be a number');
    expect(validateEvent({ ...base, properties: { location: { lat: 90, lon: -180 } } }, NOW, newId).ok).toBe(true);
  });

  it('says what is wrong with strings', () => {
    expect(props({ page: 'x'.repeat(10_000) })).toBe('properties.page: must be at most 2,048 characters');
    expect(props({ page_url: 'x'.repeat(2049) })).toBe('properties.page_url: must be at most 2,048 characters');
    expect(props({ page: 7 })).toBe('properties.page: must be a string');
    expect(props({ category: 'c'.repeat(257) })).toBe('properties.category: must be at most 256 characters');
    expect(props({ product_id: '' })).toBe('properties.product_id: must not be empty');
    expect(props({ product_id: 'p'.repeat(129) })).toBe('properties.product_id: must be at most 128 characters');
    expect(props({ currency: 'EURO' })).toBe('properties.currency: must be a three-letter currency code');
    expect(props({ currency: 'XYZ' })).toBe('properties.currency: is not an ISO 4217 currency code');
    expect(props({ location: { country: 'DEU' } })).toBe('properties.location.country: must be a two-letter ISO country code');
    expect(props({ location: 'Berlin' })).toBe('properties.location: must be an object');
    expect(props({ items: [{ quantity: 1 }] })).toBe('properties.items.0.product_id: is required');
    expect(props({ items: 'p1' })).toBe('properties.items: must be an array');
    expect(errorOf({ ...base, properties: 'x' })).toBe('properties: must be an object');
    expect(errorOf({ ...base, user_id: 'u'.repeat(2000) })).toBe('user_id: must be at most 256 characters');
    expect(errorOf({ ...base, user_id: '' })).toBe('user_id: must not be empty');
    expect(errorOf({ ...base, user_id: 42 })).toBe('user_id: must be a string');
    expect(errorOf({ ...base, session_id: 's'.repeat(257) })).toBe('session_id: must be at most 256 characters');
    expect(errorOf({ ...base, event_id: 'e'.repeat(129) })).toBe('event_id: must be at most 128 characters');
    expect(errorOf({ ...base, event_type: 'e'.repeat(65) })).toBe('event_type: must be at most 64 characters');
    expect(errorOf({ ...base, event_type: '' })).toBe('event_type: must not be empty');
    expect(errorOf({ ...base, event_type: 3 })).toBe('event_type: must be a string');
    expect(errorOf({ ...base, timestamp: 3 })).toBe('timestamp: must be an ISO 8601 string');
  });
});

describe('hostile identifiers are data: accepted exactly as sent', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'last', 'dirty', 'inflight', '*', '%', '[', '?a*[b]', '%d%s.-+', 'a\u0000b', '💥', 'u'.repeat(256)];
  it.each(names)('user, session, product and event id %j', (id) => {
    const r = validateEvent(
      { ...base, event_id: id.slice(0, 128), user_id: id, session_id: id, event_type: 'add_to_cart', properties: { product_id: id.slice(0, 128), items: [{ product_id: id.slice(0, 128) }] } },
      NOW,
      newId,
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.event).toMatchObject({ eventId: id.slice(0, 128), userId: id, sessionId: id, productId: id.slice(0, 128) });
    expect(r.event.items[0].productId).toBe(id.slice(0, 128));
  });

  it('accepts prototype names as event types', () => {
    for (const type of ['__proto__', 'constructor', 'toString']) {
      const r = validateEvent({ ...base, event_type: type }, NOW, newId);
      expect(r.ok && r.event.type).toBe(type);
    }
  });

  it('keeps a "__proto__" key in properties as data, without touching any prototype', () => {
    const raw = JSON.parse('{"timestamp":"2026-11-25T11:59:00.000Z","user_id":"u","event_type":"purchase","properties":{"amount":1,"__proto__":{"amount":5,"polluted":true}}}');
    const r = validateEvent(raw, NOW, newId);
    if (!r.ok) throw new Error(r.error);
    expect(r.event.amountMinor).toBe(100);
    expect(Object.hasOwn(r.event.properties, '__proto__')).toBe(true);
    expect(JSON.stringify(r.event.properties)).toBe('{"amount":1,"__proto__":{"amount":5,"polluted":true}}');
    expect(Object.getPrototypeOf(r.event.properties)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // a purchase may not borrow its amount from a "__proto__" key
    const borrowed = JSON.parse('{"timestamp":"2026-11-25T11:59:00.000Z","user_id":"u","event_type":"purchase","properties":{"__proto__":{"amount":5}}}');
    expect(errorOf(borrowed)).toBe('properties.amount: is required for purchase events');
    const top = JSON.parse('{"timestamp":"2026-11-25T11:59:00.000Z","event_type":"x","__proto__":{"user_id":"u"}}');
    expect(errorOf(top)).toBe('user_id: is required');
  });
});

describe('strings that are not well-formed Unicode', () => {
  const LONE = '\ud800';
  const reason = 'must be well-formed Unicode (it contains a lone surrogate)';
  it.each([
    ['event_id', { event_id: `e${LONE}` }],
    ['user_id', { user_id: LONE }],
    ['session_id', { session_id: `s${LONE}x` }],
    ['properties.product_id', { properties: { product_id: LONE } }],
    ['properties.items.0.product_id', { properties: { items: [{ product_id: '\udfff' }] } }],
    ['properties.location.country', { properties: { location: { country: `D${LONE}` } } }],
    ['properties.currency', { properties: { currency: LONE } }],
    ['properties.page', { properties: { page: `/p/${LONE}` } }],
    ['properties.page_url', { properties: { page_url: LONE } }],
    ['properties.category', { properties: { category: LONE } }],
  ])('are refused in %s', (field, over) => {
    expect(errorOf({ ...base, ...over })).toBe(`${field}: ${reason}`);
  });

  it('are refused in event_type', () => {
    expect(errorOf({ ...base, event_type: LONE })).toBe(`event_type: ${reason}`);
  });

  it('are refused anywhere inside properties, keys included', () => {
    expect(errorOf({ ...base, properties: { note: `a${LONE}` } })).toBe(`properties.note: ${reason}`);
    expect(errorOf({ ...base, properties: { a: { b: [1, 'ok', { c: LONE }] } } })).toBe(`properties.a.b.2.c: ${reason}`);
    expect(errorOf({ ...base, properties: { [`k${LONE}`]: 1 } })).toBe(`properties: a key ${reason}`);
  });

  it('accept proper surrogate pairs', () => {
    const r = validateEvent({ ...base, user_id: '💥\ud83d\udca5', properties: { note: '𝄞' } }, NOW, newId);
    expect(r.ok).toBe(true);
  });
});

describe('bounded work per event', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ product_id: `p${i}`, quantity: 1, price: 1 }));
  it('allows at most 100 items per purchase', () => {
    expect(validateEvent({ ...base, event_type: 'purchase', properties: { amount: 100, items: items(100) } }, NOW, newId).ok).toBe(true);
    expect(errorOf({ ...base, event_type: 'purchase', properties: { amount: 101, items: items(101) } })).toBe('properties.items: must have at most 100 items');
  });

  it('allows at most 16 KB of properties, counted in UTF-8 bytes of their JSON', () => {
    // {"note":"…"} is 11 bytes around the string
    const fits = validateEvent({ ...base, properties: { note: 'x'.repeat(16 * 1024 - 11) } }, NOW, newId);
    expect(fits.ok).toBe(true);
    expect(errorOf({ ...base, properties: { note: 'x'.repeat(16 * 1024 - 10) } })).toBe('properties: must be at most 16 KB as JSON');
    // 6,000 characters, but 18,000 bytes in UTF-8
    expect(errorOf({ ...base, properties: { note: '€'.repeat(6000) } })).toBe('properties: must be at most 16 KB as JSON');
    // many small keys add up too; the walk stops early on a huge body
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(errorOf({ ...base, properties: wide })).toBe('properties: must be at most 16 KB as JSON');
  });
});
