/** the signed-in browser's session (a token whose SHA-256 names the sessions row) */
export const SESSION_COOKIE = 'pulse_session';
/** a wall display's token, set when the display link is opened */
export const DISPLAY_COOKIE = 'pulse_display';

/** One cookie's value from a Cookie header; null when absent or not a plausible token. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    // our tokens are base64url; anything else was not set by us
    return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
  }
  return null;
}

export interface CookieOptions {
  /** seconds; 0 deletes the cookie */
  maxAge: number;
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
}

/** HttpOnly (scripts never see it), path /, SameSite, Secure over HTTPS. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${opts.sameSite}`, `Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`];
  if (opts.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function appendSetCookie(res: { getHeader(name: string): unknown; setHeader(name: string, value: string[]): unknown }, cookie: string): void {
  const prior = res.getHeader('Set-Cookie');
  const list = Array.isArray(prior) ? prior.map(String) : typeof prior === 'string' ? [prior] : [];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
