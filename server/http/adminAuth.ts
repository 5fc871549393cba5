import type { IncomingMessage } from 'node:http';
import { IngestKeys } from '@/server/ingest/keys';

/**
 * Admin actions need an admin key (held hashed) until user management and roles exist. With no
 * key configured, admin actions are refused rather than left open.
 */
export class AdminKeys {
  private readonly keys: IngestKeys;

  constructor(keys: string[]) {
    this.keys = new IngestKeys(keys);
  }

  get configured(): boolean {
    return this.keys.count > 0;
  }

  allows(req: IncomingMessage): boolean {
    const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return key !== undefined && this.keys.isValid(key);
  }
}
