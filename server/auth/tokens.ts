import { randomBytes } from 'node:crypto';
import { digest } from '@/server/ingest/keys';

/**
 * Everything a client holds as a credential (session cookies, API keys, display tokens, one-time
 * links) is 32 random bytes, and only its SHA-256 is stored: with that much entropy a fast hash
 * is enough (nothing to brute-force), and lookups stay one indexed read.
 */
export type TokenKind = 'session' | 'publishable' | 'secret' | 'display' | 'link';

const PREFIX: Readonly<Record<TokenKind, string>> = {
  session: '',
  publishable: 'pk_',
  secret: 'sk_',
  display: 'dt_',
  link: 'ln_',
};

export function newToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** the SHA-256 every stored credential is kept as (the environment's keys use the same) */
export const tokenDigest = digest;

/** what lists show so people can tell keys apart: the kind prefix and four characters */
export function displayPrefix(token: string): string {
  const kind = /^[a-z]{2}_/.test(token) ? token.slice(0, 3) : '';
  return `${kind}${token.slice(kind.length, kind.length + 4)}…`;
}

/** the tokens we issue are base64url of a fixed size; anything else is refused before hashing */
export function plausibleToken(token: string): boolean {
  return token.length >= 20 && token.length <= 80 && /^[A-Za-z0-9_-]+$/.test(token);
}
