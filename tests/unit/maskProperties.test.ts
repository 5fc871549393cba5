import { describe, expect, it } from 'vitest';
import { MAX_PROPERTIES_DEPTH, validateEvent } from '@/lib/events';
import { createPropertyMask, MASKED, maskProperties } from '@/lib/maskProperties';

const DEFAULT_KEYS = ['email', 'phone', 'password', 'ip', 'ip_address', 'card_number'];

describe('maskProperties', () => {
  it('masks matching keys at any depth, in any case, in objects inside arrays', () => {
    const masked = maskProperties(
      { email: 'a@b.c', nested: { Phone: '123', deeper: { IP_ADDRESS: '10.0.0.1', keep: 'x' } }, items: [{ product_id: 'p1', ip: '1.2.3.4' }, 'plain', 3] },
      DEFAULT_KEYS,
    );
    expect(masked).toEqual({
      email: MASKED,
      nested: { Phone: MASKED, deeper: { IP_ADDRESS: MASKED, keep: 'x' } },
      items: [{ product_id: 'p1', ip: MASKED }, 'plain', 3],
    });
  });

  it('replaces a whole value, whatever its type', () => {
    expect(maskProperties({ email: { work: 'a@b.c' }, phone: 4912345, password: null, card_number: ['4111'] }, DEFAULT_KEYS)).toEqual({
      email: MASKED,
      phone: MASKED,
      password: MASKED,
      card_number: MASKED,
    });
  });

  it('compares the configured keys case-insensitively too, and only whole keys', () => {
    expect(maskProperties({ email: 'a', emails: 'b', user_email: 'c', E_Mail: 'd' }, ['EMAIL', 'e_mail'])).toEqual({
      email: MASKED,
      emails: 'b',
      user_email: 'c',
      E_Mail: MASKED,
    });
  });

  it('does not change its input, and returns it as it is when nothing matches', () => {
    const input = { nested: { email: 'a@b.c' } };
    const masked = maskProperties(input, DEFAULT_KEYS);
    expect(input.nested.email).toBe('a@b.c');
    expect(masked).not.toBe(input);
    const clean = { page: '/p/1', items: [{ product_id: 'p1' }] };
    expect(maskProperties(clean, DEFAULT_KEYS)).toBe(clean);
    expect(createPropertyMask([])(input)).toBe(input);
  });

  it('keeps a client key "__proto__" an own key, masked or copied', () => {
    const sent = JSON.parse('{"__proto__": {"email": "a@b.c", "x": 1}, "constructor": {"ip": "1.2.3.4"}}') as Record<string, unknown>;
    const masked = maskProperties(sent, DEFAULT_KEYS);
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.hasOwn(masked, '__proto__')).toBe(true);
    expect(JSON.stringify(masked)).toBe('{"__proto__":{"email":"[masked]","x":1},"constructor":{"ip":"[masked]"}}');
    const maskedProto = maskProperties(JSON.parse('{"__proto__": "secret", "page": "/"}'), ['__PROTO__']);
    expect(JSON.stringify(maskedProto)).toBe('{"__proto__":"[masked]","page":"/"}');
  });

  it('handles the deepest properties validation accepts, and far deeper, without recursion', () => {
    const nest = (levels: number) => {
      let v: Record<string, unknown> = { email: 'a@b.c' };
      for (let i = 1; i < levels; i++) v = { n: v };
      return v;
    };
    const accepted = validateEvent({ timestamp: new Date().toISOString(), user_id: 'u', event_type: 'x', properties: nest(MAX_PROPERTIES_DEPTH) }, Date.now(), () => 'id');
    expect(accepted.ok).toBe(true);
    expect(JSON.stringify(maskProperties(nest(MAX_PROPERTIES_DEPTH), DEFAULT_KEYS))).not.toContain('a@b.c');
    // 200,000 levels would overflow a recursive walk's stack
    let innermost = maskProperties(nest(200_000), DEFAULT_KEYS);
    while ('n' in innermost) innermost = innermost.n as Record<string, unknown>;
    expect(innermost).toEqual({ email: MASKED });
  });

  it('keeps the order of keys as sent (the lake keeps properties as JSON)', () => {
    expect(JSON.stringify(maskProperties({ b: 1, email: 'x', a: [1, { c: 2 }] }, DEFAULT_KEYS))).toBe('{"b":1,"email":"[masked]","a":[1,{"c":2}]}');
  });
});
