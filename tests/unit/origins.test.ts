import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createOriginPolicy } from '@/server/auth/origins';

const req = (headers: Record<string, string>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

describe('origin policy', () => {
  const policy = createOriginPolicy({ allowed: ['https://ok.example'], trustProxy: false });

  it("lets Pulse's own pages, configured origins and non-browser clients through", () => {
    expect(policy.allowed(req({ host: 'pulse.local:3000', origin: 'http://pulse.local:3000' }))).toBe(true);
    // behind a TLS proxy the browser says https while we were reached over http
    expect(policy.allowed(req({ host: 'pulse.example.com', origin: 'https://pulse.example.com' }))).toBe(true);
    expect(policy.allowed(req({ host: 'pulse.local:3000', origin: 'https://ok.example' }))).toBe(true);
    expect(policy.allowed(req({ host: 'pulse.local:3000' }))).toBe(true);
  });

  it('refuses every other origin, look-alikes and garbage included', () => {
    for (const origin of ['https://evil.example', 'http://pulse.local:3001', 'http://pulse.local.evil.example:3000', 'null', 'javascript:alert(1)', 'http://pulse.local:3000@evil.example', '']) {
      expect([origin, policy.allowed(req({ host: 'pulse.local:3000', origin }))]).toEqual([origin, false]);
    }
    expect(() => policy.check(req({ host: 'pulse.local', origin: 'https://evil.example' }), 'read')).toThrow(/evil\.example may not read/);
  });

  it('X-Forwarded-Host and -Proto count only with TRUST_PROXY', () => {
    const forwarded = req({ host: '10.0.0.5:3000', origin: 'https://pulse.example.com', 'x-forwarded-host': 'pulse.example.com', 'x-forwarded-proto': 'https' });
    expect(policy.allowed(forwarded)).toBe(false);
    expect(policy.secure(forwarded)).toBe(false);
    const trusting = createOriginPolicy({ allowed: [], trustProxy: true });
    expect(trusting.allowed(forwarded)).toBe(true);
    expect(trusting.secure(forwarded)).toBe(true);
  });

  it('a cookie change from another site is refused; same-origin, typed-in and non-browser ones pass', () => {
    expect(() => policy.checkNotCrossSite(req({ 'sec-fetch-site': 'cross-site' }))).toThrow(/cross-site/);
    expect(() => policy.checkNotCrossSite(req({ 'sec-fetch-site': 'same-site', origin: 'https://sub.pulse.local' }))).toThrow(/cross-site/);
    expect(() => policy.checkNotCrossSite(req({ 'sec-fetch-site': 'same-origin' }))).not.toThrow();
    expect(() => policy.checkNotCrossSite(req({}))).not.toThrow();
    expect(() => policy.checkNotCrossSite(req({ 'sec-fetch-site': 'cross-site', origin: 'https://ok.example' }))).not.toThrow();
  });
});
