import type { IncomingMessage, ServerResponse } from 'node:http';

/** CORS for trackers on shop origins: `*` or an explicit list of allowed origins. */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: string[], methods: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const ok = allowed.includes('*') || allowed.includes(origin);
  if (!ok) return false;
  res.setHeader('Access-Control-Allow-Origin', allowed.includes('*') ? '*' : origin);
  if (!allowed.includes('*')) res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', methods);
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  res.setHeader('Access-Control-Max-Age', '600');
  return true;
}
