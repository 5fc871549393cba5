import type { IncomingMessage } from 'node:http';
import { excerpt, HttpError } from '@/server/http/errors';

/**
 * Which browser pages may use Pulse with a signed-in user's cookie: Pulse's own origin (the one
 * the request was addressed to, or PULSE_PUBLIC_URL) and READ_ALLOWED_ORIGINS. Requests without
 * an Origin header come from scripts and curl, not from another site's page, and pass; their
 * credentials are checked as usual.
 */
export interface OriginPolicy {
  /** throws 403 when a page of another origin asks */
  check(req: IncomingMessage, purpose: string): void;
  /** is this Origin one of ours? (socket.io's allowRequest) */
  allowed(req: IncomingMessage): boolean;
  /** CSRF: a cookie-authenticated change must not come from another site (Sec-Fetch-Site) */
  checkNotCrossSite(req: IncomingMessage): void;
  /** the request arrived over HTTPS (directly, or per X-Forwarded-Proto behind a trusted proxy) */
  secure(req: IncomingMessage): boolean;
  /** the origin links should be built on (PULSE_PUBLIC_URL, else what the request was addressed to) */
  ownOrigin(req: IncomingMessage): string;
}

export function createOriginPolicy(opts: { publicUrl?: string; allowed: readonly string[]; trustProxy: boolean }): OriginPolicy {
  const configured = new Set(opts.allowed.map(normalise).filter((o): o is string => o !== null));
  const publicOrigin = opts.publicUrl ? normalise(opts.publicUrl) : null;
  if (publicOrigin) configured.add(publicOrigin);

  const secure = (req: IncomingMessage) => {
    if ((req.socket as { encrypted?: boolean }).encrypted) return true;
    return opts.trustProxy && firstValue(req.headers['x-forwarded-proto']) === 'https';
  };
  const requestOrigin = (req: IncomingMessage) => {
    const host = (opts.trustProxy && firstValue(req.headers['x-forwarded-host'])) || req.headers.host;
    return host ? `${secure(req) ? 'https' : 'http'}://${host.toLowerCase()}` : null;
  };
  const allowed = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const o = normalise(origin);
    if (o === null) return false;
    if (configured.has(o)) return true;
    // the host the request was addressed to; the scheme is not compared, so a TLS proxy in
    // front (which the browser sees as https, and we as http) works without TRUST_PROXY
    const host = (opts.trustProxy && firstValue(req.headers['x-forwarded-host'])) || req.headers.host?.toLowerCase();
    return host !== undefined && new URL(o).host === host;
  };
  return {
    allowed,
    check(req, purpose) {
      if (!allowed(req)) throw new HttpError('origin_not_allowed', `pages of ${excerpt(req.headers.origin ?? '', 100)} may not ${purpose}; only Pulse's own pages may (READ_ALLOWED_ORIGINS adds others)`);
    },
    checkNotCrossSite(req) {
      const site = firstValue(req.headers['sec-fetch-site']);
      // same-origin pages, and typed-in navigations ('none'), are ours; an allowed Origin was checked above
      if (site === undefined || site === 'same-origin' || site === 'none') return;
      if (req.headers.origin !== undefined && configured.has(normalise(req.headers.origin) ?? '')) return;
      throw new HttpError('cross_site_request', 'a change with a signed-in cookie must come from a Pulse page (cross-site request refused)');
    },
    secure,
    ownOrigin: (req) => publicOrigin ?? requestOrigin(req) ?? 'http://localhost',
  };
}

function normalise(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  return v?.split(',')[0]?.trim().toLowerCase() || undefined;
}
