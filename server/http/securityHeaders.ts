import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The security headers of every response of the custom server, and the Content-Security-Policy
 * of the pages.
 *
 * Every response first gets the strict policy of an API (`default-src 'none'`): JSON, errors,
 * 404s, metrics and socket.io polling render nothing, so nothing may load from them. A response
 * Next renders replaces it with the page policy, built around a nonce made fresh for that
 * request: Next App Router puts the nonce on its own scripts when the request it is handed
 * carries a `Content-Security-Policy` header naming `'nonce-…'` (applyPageCsp does both).
 */

export interface SecurityHeaderOptions {
  /** believe `X-Forwarded-Proto` (TRUST_PROXY): only behind a proxy that sets it */
  trustProxy: boolean;
  /** development (Next dev server, React refresh): the page policy allows eval */
  dev: boolean;
}

export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** a year; no includeSubDomains or preload: the operator's other hosts are not ours to decide */
const HSTS = 'max-age=31536000';

/**
 * Powerful features no Pulse page uses. The wall keeps the screen awake (`screen-wake-lock`)
 * and may go full screen, so those two are not listed; unknown names would make Chromium log
 * an error on every page, so only features it knows are.
 */
const PERMISSIONS_POLICY = [
  'accelerometer',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'serial',
  'usb',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': PERMISSIONS_POLICY,
};

/**
 * The headers every response gets (the API policy among them). Also for socket.io's own
 * responses, which engine.io writes itself: `io.engine.on('headers', (h, req) =>
 * Object.assign(h, securityHeaderValues(req, opts)))`.
 */
export function securityHeaderValues(req: IncomingMessage, opts: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = { ...COMMON_HEADERS, 'Content-Security-Policy': API_CSP };
  if (cameOverHttps(req, opts.trustProxy)) headers['Strict-Transport-Security'] = HSTS;
  return headers;
}

/** Sets the security headers on `res` before anything is written; a page response later replaces the CSP (applyPageCsp). */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, opts: SecurityHeaderOptions): void {
  // on the hot path of ingest: no object built per request
  for (const name in COMMON_HEADERS) res.setHeader(name, COMMON_HEADERS[name]);
  res.setHeader('Content-Security-Policy', API_CSP);
  if (cameOverHttps(req, opts.trustProxy)) res.setHeader('Strict-Transport-Security', HSTS);
}

/** 128 random bits, fresh for each page response (CSP asks for at least 128) */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The policy the pages work under (checked by tests/e2e/security.spec.ts). Why each source:
 * - `script-src 'nonce-…' 'strict-dynamic'`: only the scripts Next marked with this response's
 *   nonce, and the chunks they load; 'self' is a fallback for browsers without strict-dynamic
 *   (newer ones ignore it). React's development build evaluates code (`'unsafe-eval'`, dev only).
 * - `style-src 'self' 'nonce-…'`: the stylesheets Next links (and any `<style>` it nonces). No
 *   'unsafe-inline': the server-rendered HTML has no style attributes, and the ones React sets
 *   later (bar widths, chart colours, Recharts' SVG) go through the CSSOM, which CSP does not
 *   govern (measured: 27 styled elements on a busy overview, no violation). A style attribute
 *   rendered on the server would be refused, and the Playwright spec would say so. In
 *   development (hot reloading, the error overlay) styles are inlined: 'unsafe-inline' there only.
 * - `img-src 'self' data: blob:`: icons and SVG data URLs. `font-src 'self' data:`.
 * - `connect-src 'self'`: the API and socket.io, including its WebSocket (CSP3 lets 'self' match
 *   ws:/wss: of the same host; Chromium does).
 * - `object-src 'none'`, `base-uri 'self'`, `form-action 'self'`, `frame-ancestors 'none'`.
 */
export function pageCsp(nonce: string, opts: Pick<SecurityHeaderOptions, 'dev'>): string {
  const script = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(opts.dev ? ["'unsafe-eval'"] : [])];
  return [
    "default-src 'self'",
    `script-src ${script.join(' ')}`,
    `style-src 'self' ${opts.dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * For a request Next renders: a fresh nonce, its policy on the response, and the same policy on
 * the request (replacing any a client sent), where Next reads the nonce from. Returns the
 * request headers to hand Next (the same object as `req.headers`).
 */
export function applyPageCsp(req: IncomingMessage, res: ServerResponse, opts: Pick<SecurityHeaderOptions, 'dev'>): OutgoingHttpHeaders {
  const csp = pageCsp(createNonce(), opts);
  res.setHeader('Content-Security-Policy', csp);
  req.headers['content-security-policy'] = csp;
  return req.headers;
}

function cameOverHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}
