import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS, toCents, validateEvent } from '@/lib/events';

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
      amountCents: 12999,
      currency: 'EUR',
      items: [{ productId: 'prod_123', quantity: 1, priceCents: 12999 }],
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

describe('toCents', () => {
  it('rounds decimal amounts without floating-point drift', () => {
    expect(toCents(129.99)).toBe(12999);
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(1.005)).toBe(101);
    expect(toCents(19.999)).toBe(2000);
    expect(toCents(0)).toBe(0);
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
