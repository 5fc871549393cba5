import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OriginPolicy } from '@/server/auth/origins';
import { excerpt, HttpError } from './errors';

/**
 * CORS for trackers and screens on other origins: `*` or an explicit list (CORS_ALLOWED_ORIGINS).
 * A request from an origin not on the list is refused outright (403) rather than answered
 * without the headers, so a misconfigured shop sees why in its console and in our logs.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[], methods: string, purpose: string): void {
  const origin = req.headers.origin;
  if (!origin) return;
  const any = allowed.includes('*');
  if (!any && !allowed.includes(origin)) {
    throw new HttpError('origin_not_allowed', `origin ${excerpt(origin, 100)} may not ${purpose} (CORS_ALLOWED_ORIGINS)`);
  }
  res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
  if (!any) res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', methods);
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Content-Encoding');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  res.setHeader('Access-Control-Max-Age', '600');
}

/**
 * CORS for reading endpoints: no `*`. Pulse's own pages need no CORS at all; a page of an origin
 * in READ_ALLOWED_ORIGINS (or PULSE_PUBLIC_URL) may read with the signed-in user's cookie.
 * Every other origin is refused by the authorizer before anything is read.
 */
export function applyReadCors(req: IncomingMessage, res: ServerResponse, origins: OriginPolicy, methods: string): void {
  const origin = req.headers.origin;
  if (!origin || !origins.allowed(req)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', methods);
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  res.setHeader('Access-Control-Max-Age', '600');
}
