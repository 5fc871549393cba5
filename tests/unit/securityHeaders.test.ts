import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '@/server/http/router';
import { HttpError } from '@/server/http/errors';
import { sendJson } from '@/server/http/respond';
import { API_CSP, applyPageCsp, pageCsp } from '@/server/http/securityHeaders';

/** What a page sees: the router, with a "Next" fallback that records the policy on its request. */
let server: Server;
let base: string;
const nextSawPolicy: string[] = [];
let trustProxy = false;

beforeAll(async () => {
  const fallback = (req: IncomingMessage, res: ServerResponse) => {
    applyPageCsp(req, res, { dev: false });
    nextSawPolicy.push(String(req.headers['content-security-policy']));
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><p>page</p>');
  };
  const routes = [
    { method: 'GET' as const, path: '/api/ok', handler: ({ res }: { res: ServerResponse }) => sendJson(res, 200, { ok: true }) },
    { method: 'GET' as const, path: '/api/fail', handler: () => { throw new Error('boom'); } },
    { method: 'GET' as const, path: '/api/refuse', handler: () => { throw new HttpError('bad_request', 'no'); } },
  ];
  const withPages = createRouter(routes, { fallback, securityHeaders: { get trustProxy() { return trustProxy; }, dev: false } });
  const apiOnly = createRouter(routes);
  // /plain/… reaches a router without options (and without pages), as a bare API would be
  server = createServer();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/plain')) {
      req.url = req.url.slice('/plain'.length) || '/';
      void apiOnly(req, res);
    } else void withPages(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function expectCommon(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('same-origin');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
  const permissions = headers.get('permissions-policy') ?? '';
  for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb']) expect(permissions).toContain(`${feature}=()`);
  // the wall keeps the screen awake
  expect(permissions).not.toContain('screen-wake-lock');
}

describe('security headers', () => {
  it('JSON answers, refusals, failures and 404s get the API policy', async () => {
    for (const [path, status] of [['/api/ok', 200], ['/api/refuse', 400], ['/api/fail', 500], ['/plain/nowhere', 404]] as const) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(status);
      expectCommon(res.headers);
      expect(res.headers.get('content-security-policy'), path).toBe(API_CSP);
    }
  });

  it('a page gets the page policy with a nonce, the same one Next was handed with the request, fresh each time', async () => {
    nextSawPolicy.length = 0;
    const policies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/wall`, { headers: { 'content-security-policy': "script-src 'nonce-chosen-by-client'" } });
      expectCommon(res.headers);
      policies.push(res.headers.get('content-security-policy') ?? '');
    }
    expect(nextSawPolicy).toEqual(policies);
    const nonces = policies.map((p) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(p)?.[1]);
    expect(nonces.every((n) => n && n.length >= 22)).toBe(true);
    expect(new Set(nonces).size).toBe(3);
    expect(policies.join()).not.toContain('chosen-by-client');
  });

  it('HSTS only over HTTPS: never for plain HTTP, for X-Forwarded-Proto only behind a trusted proxy', async () => {
    const forwarded = { 'x-forwarded-proto': 'https' };
    trustProxy = false;
    expect((await fetch(`${base}/api/ok`)).headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${base}/api/ok`, { headers: forwarded })).headers.get('strict-transport-security')).toBeNull();
    trustProxy = true;
    expect((await fetch(`${base}/api/ok`)).headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${base}/api/ok`, { headers: { 'x-forwarded-proto': 'http' } })).headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${base}/api/ok`, { headers: forwarded })).headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    expect((await fetch(`${base}/wall`, { headers: { 'x-forwarded-proto': 'HTTPS, http' } })).headers.get('strict-transport-security')).toMatch(/^max-age=/);
    trustProxy = false;
  });
});

describe('the page policy', () => {
  const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const));

  it('allows scripts only by nonce (and what they load), never inline or eval in production', () => {
    const d = directives(pageCsp('abc', { dev: false }));
    expect(d.get('script-src')).toEqual(["'self'", "'nonce-abc'", "'strict-dynamic'"]);
    expect(pageCsp('abc', { dev: false })).not.toMatch(/unsafe-eval|'unsafe-inline'.*script|script[^;]*unsafe-inline/);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'self'"]);
    expect(d.get('form-action')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    // no inline styles from markup: React sets its styles through the CSSOM, which CSP allows
    expect(d.get('style-src')).toEqual(["'self'", "'nonce-abc'"]);
    expect(d.has('style-src-attr')).toBe(false);
  });

  it("allows eval for React's development build, and Next's hot-reload styles, only in development", () => {
    const d = directives(pageCsp('abc', { dev: true }));
    expect(d.get('script-src')).toContain("'unsafe-eval'");
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
    expect(d.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });
});
