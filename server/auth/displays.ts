import { ulid } from 'ulid';
import type { DisplayTokenInfo } from '@/lib/auth';
import type { PrismaClient } from '@/server/db/generated/client';
import { HttpError } from '@/server/http/errors';
import type { Principal } from '@/server/http/authorize';
import type { Actor, AuditLog } from './audit';
import { displayPrefix, newToken, plausibleToken, tokenDigest } from './tokens';
import { TtlCache } from './ttlCache';

type DisplayPrincipal = Extract<Principal, { kind: 'display' }>;

const CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 5 * 60_000;

/**
 * Display tokens: a wall display opens `/wall?display=<token>` once; the server keeps the token
 * in an HttpOnly cookie and the display can see the wall and nothing else, with no password,
 * until an admin revokes it (within CACHE_MS everywhere; sockets are told at once here).
 */
export class DisplayTokens {
  private readonly cache = new TtlCache<string, DisplayPrincipal | null>(10_000);
  private readonly revokedListeners: ((tokenId: string) => void)[] = [];
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: PrismaClient,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  onRevoked(listener: (tokenId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  async principal(token: string): Promise<DisplayPrincipal | null> {
    if (!plausibleToken(token)) return null;
    const digest = tokenDigest(token);
    const now = this.now();
    const cached = this.cache.get(digest, now);
    if (cached !== undefined) return cached;
    const row = await this.db.displayToken.findUnique({ where: { tokenHash: digest } });
    const found: DisplayPrincipal | null = row && !row.revokedAt ? { kind: 'display', tokenId: row.id, name: row.name } : null;
    if (row && found && now - (this.touched.get(row.id) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(row.id, now);
      await this.db.displayToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    }
    this.cache.set(digest, found, now + CACHE_MS);
    return found;
  }

  async list(): Promise<DisplayTokenInfo[]> {
    const rows = await this.db.displayToken.findMany({ orderBy: { createdAt: 'desc' }, take: 1000 });
    return rows.map(toInfo);
  }

  async create(actor: Actor, name: string): Promise<{ token: DisplayTokenInfo; link: string }> {
    const secret = newToken('display');
    const row = await this.db.displayToken.create({ data: { id: ulid(), name, prefix: displayPrefix(secret), tokenHash: tokenDigest(secret), createdBy: actor.label } });
    await this.audit.record({ actor, action: 'display.create', target: { kind: 'display_token', id: row.id }, after: { name, prefix: row.prefix } });
    return { token: toInfo(row), link: `/wall?display=${secret}` };
  }

  async revoke(actor: Actor, id: string): Promise<DisplayTokenInfo> {
    const row = await this.db.displayToken.findUnique({ where: { id } });
    if (!row) throw new HttpError('not_found', 'no display token with this id');
    if (row.revokedAt) return toInfo(row);
    const updated = await this.db.displayToken.update({ where: { id }, data: { revokedAt: new Date(this.now()) } });
    this.cache.delete(row.tokenHash);
    for (const l of this.revokedListeners) l(id);
    await this.audit.record({ actor, action: 'display.revoke', target: { kind: 'display_token', id }, before: { name: row.name, revoked: false }, after: { name: row.name, revoked: true } });
    return toInfo(updated);
  }
}

function toInfo(r: { id: string; name: string; prefix: string; createdAt: Date; createdBy: string | null; lastUsedAt: Date | null; revokedAt: Date | null }): DisplayTokenInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}
