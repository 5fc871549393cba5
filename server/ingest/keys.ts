import { createHash } from 'node:crypto';

/** Ingest keys are held only as SHA-256 digests; a presented key is hashed and looked up. */
export class IngestKeys {
  private readonly digests: Set<string>;

  constructor(keys: string[]) {
    this.digests = new Set(keys.map(digest));
  }

  isValid(presented: string): boolean {
    return presented.length > 0 && presented.length <= 512 && this.digests.has(digest(presented));
  }

  get count(): number {
    return this.digests.size;
  }
}

export function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** a short, non-reversible label for logs */
export function fingerprint(key: string): string {
  return digest(key).slice(0, 8);
}
