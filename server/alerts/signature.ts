// Webhook signatures: `Pulse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
// made with the channel's signing secret. A receiver recomputes the HMAC over the raw body and
// refuses signatures older (or newer) than a few minutes, so a captured request cannot be replayed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

function hmacHex(secret: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
}

/** the Pulse-Signature header for a body sent at unixSeconds */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * checks a Pulse-Signature header against the raw body: well-formed, a matching v1 (compared in
 * constant time; any of several v1 values may match), and a timestamp within toleranceSeconds of nowMs
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, nowMs: number, toleranceSeconds = 300): VerifyResult {
  if (typeof header !== 'string' || header.length === 0) return { ok: false, reason: 'no signature' };
  if (header.length > 4096) return { ok: false, reason: 'malformed signature' };
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed signature' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed signature timestamp' };
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'malformed signature' };
      v1.push(value);
    }
  }
  if (t === undefined) return { ok: false, reason: 'signature has no timestamp' };
  if (v1.length === 0) return { ok: false, reason: 'signature has no v1 value' };
  const age = nowMs / 1000 - t;
  if (age > toleranceSeconds) return { ok: false, reason: 'signature timestamp is too old' };
  if (age < -toleranceSeconds) return { ok: false, reason: 'signature timestamp is in the future' };
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  let match = false;
  for (const candidate of v1) {
    // every candidate is compared (no early exit on a match)
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** a new webhook signing secret: whsec_ + 32 random bytes, base64url */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
