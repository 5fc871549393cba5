import { ulid } from 'ulid';
import type { PrismaClient } from '@/server/db/generated/client';
import { newToken, plausibleToken, tokenDigest } from './tokens';

export type LinkPurpose = 'setup' | 'signin';

const VALID_MS = 24 * 3600_000;

/**
 * Single-use links: `/setup?token=…` lets whoever holds it create the first admin (printed by the
 * server when it starts without users and without PULSE_ADMIN_EMAIL), and `/auth/link?token=…`
 * signs in as one user once (the demo prints one). Stored hashed; used once; 24 hours at most.
 */
export class OneTimeLinks {
  constructor(
    private readonly db: PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  async create(purpose: LinkPurpose, userId: string | null): Promise<string> {
    const token = newToken('link');
    const now = this.now();
    await this.db.oneTimeLink.create({
      data: { id: ulid(), purpose, tokenHash: tokenDigest(token), userId, createdAt: new Date(now), expiresAt: new Date(now + VALID_MS) },
    });
    return token;
  }

  /** marks the link used, atomically: of two browsers racing, one wins; null when invalid, used or expired */
  async consume(purpose: LinkPurpose, token: string): Promise<{ userId: string | null } | null> {
    if (!plausibleToken(token)) return null;
    const tokenHash = tokenDigest(token);
    const now = new Date(this.now());
    const taken = await this.db.oneTimeLink.updateMany({ where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (taken.count !== 1) return null;
    const row = await this.db.oneTimeLink.findUnique({ where: { tokenHash } });
    return { userId: row?.userId ?? null };
  }

  /** is this setup link still usable (the setup page asks before showing its form) */
  async usable(purpose: LinkPurpose, token: string): Promise<boolean> {
    if (!plausibleToken(token)) return false;
    const row = await this.db.oneTimeLink.findUnique({ where: { tokenHash: tokenDigest(token) } });
    return !!row && row.purpose === purpose && !row.usedAt && row.expiresAt.getTime() > this.now();
  }
}
