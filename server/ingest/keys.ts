import { createHash } from 'node:crypto';

/** API keys are held and compared only as SHA-256 digests (see server/http/authorize.ts). */
export function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** a short, non-reversible label for logs */
export function fingerprint(key: string): string {
  return digest(key).slice(0, 8);
}
