import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeader, verifySignature } from '@/server/alerts/signature';

const secret = 'whsec_test-secret';
const body = JSON.stringify({ deliveryId: 'd1', kind: 'firing' });
const t = 1_764_000_000;
const now = t * 1000;

describe('webhook signatures', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance, either side', () => {
    const h = signatureHeader(secret, body, t);
    expect(verifySignature(secret, h, body, now)).toEqual({ ok: true });
    expect(verifySignature(secret, h, body, now + 299_000)).toEqual({ ok: true });
    expect(verifySignature(secret, h, body, now - 299_000)).toEqual({ ok: true });
  });

  it('refuses a stale or a future timestamp', () => {
    const h = signatureHeader(secret, body, t);
    const stale = verifySignature(secret, h, body, now + 301_000);
    expect(stale.ok).toBe(false);
    expect(!stale.ok && stale.reason).toMatch(/too old/);
    const future = verifySignature(secret, h, body, now - 301_000);
    expect(!future.ok && future.reason).toMatch(/future/);
    expect(verifySignature(secret, h, body, now + 50_000, 30).ok).toBe(false);
  });

  it('refuses another body, another secret, or a re-stamped timestamp', () => {
    const h = signatureHeader(secret, body, t);
    expect(verifySignature(secret, h, body + ' ', now)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifySignature('whsec_other', h, body, now).ok).toBe(false);
    const restamped = h.replace(`t=${t}`, `t=${t + 10}`);
    expect(verifySignature(secret, restamped, body, now).ok).toBe(false);
  });

  it('refuses malformed headers without throwing', () => {
    const v1 = signatureHeader(secret, body, t).split(',')[1];
    for (const h of [undefined, null, '', 'garbage', `t=abc,${v1}`, `t=${t}`, v1, `t=${t},v1=zz`, `t=${t},v1=${'a'.repeat(63)}`, `t=${t},t=${t},${v1}`, 'x'.repeat(5000), `t=${t},${v1.slice(0, -2)}`]) {
      const r = verifySignature(secret, h as string, body, now);
      expect(r.ok, String(h)).toBe(false);
      expect(!r.ok && r.reason.length).toBeGreaterThan(0);
    }
  });

  it('accepts one matching v1 among several (secret rotation)', () => {
    const good = signatureHeader(secret, body, t).split(',')[1];
    expect(verifySignature(secret, `t=${t},v1=${'0'.repeat(64)},${good}`, body, now)).toEqual({ ok: true });
  });

  it('makes new secrets: whsec_ + 32 random bytes in base64url', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(a);
  });
});
