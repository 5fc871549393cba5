import { ulid } from 'ulid';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, type ApiKeyInfo, type KeyKind } from '@/lib/auth';
import type { PrismaClient } from '@/server/db/generated/client';
import { HttpError } from '@/server/http/errors';
import type { KeyDirectory, KnownKey, StaticKeys } from '@/server/http/authorize';
import { log } from '@/server/log';
import type { Actor, AuditLog } from './audit';
import { displayPrefix, newToken, tokenDigest } from './tokens';

/** keys created or revoked in another web process are seen here within this long */
const REFRESH_MS = 5_000;
/** last-used times are written in batches, not on every request */
const LAST_USED_FLUSH_MS = 30_000;

interface DbKey extends KnownKey {
  id: string;
  perMinute: number;
}

/**
 * API keys: the environment's (INGEST_API_KEYS publishable, ADMIN_API_KEYS secret; no rate limit,
 * for automation) and those admins create, stored as SHA-256 digests. Ingest looks keys up on
 * every request, so the database's keys are held in memory and reloaded every few seconds; a key
 * revoked here stops working at once, in other processes within REFRESH_MS. Each database key has
 * a per-minute limit, counted per process in fixed minute windows.
 */
export class ApiKeys implements KeyDirectory {
  private byDigest = new Map<string, DbKey>();
  private readonly windows = new Map<string, { minute: number; used: number }>();
  private readonly usedSinceFlush = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: PrismaClient,
    private readonly audit: AuditLog,
    private readonly env: StaticKeys,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timers.push(
      setInterval(() => void this.reload().catch((err) => log.warn('could not reload API keys', { error: String(err) })), REFRESH_MS),
      setInterval(() => void this.flushLastUsed(), LAST_USED_FLUSH_MS),
    );
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flushLastUsed();
  }

  lookup(key: string): KnownKey | null {
    if (key.length === 0 || key.length > 512) return null;
    // one SHA-256 per request, for the environment's keys and the database's alike
    const d = tokenDigest(key);
    return this.env.byDigest(d) ?? this.byDigest.get(d) ?? null;
  }

  take(key: KnownKey, now: number): number | null {
    if (key.id === null) return null;
    // lookup() handed out the DbKey itself
    const perMinute = (key as Partial<DbKey>).perMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE[key.kind];
    const minute = Math.floor(now / 60_000);
    let w = this.windows.get(key.id);
    if (!w || w.minute !== minute) {
      w = { minute, used: 0 };
      this.windows.set(key.id, w);
    }
    if (w.used >= perMinute) return Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
    w.used++;
    this.usedSinceFlush.add(key.id);
    return null;
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.apiKey.findMany({ orderBy: { createdAt: 'desc' }, take: 1000 });
    return rows.map(toInfo);
  }

  async create(actor: Actor, input: { name: string; kind: KeyKind; rateLimitPerMinute?: number }): Promise<{ key: ApiKeyInfo; secret: string }> {
    const secret = newToken(input.kind);
    const row = await this.db.apiKey.create({
      data: {
        id: ulid(),
        name: input.name,
        kind: input.kind,
        prefix: displayPrefix(secret),
        secretHash: tokenDigest(secret),
        createdBy: actor.label,
        rateLimitPerMinute: input.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE[input.kind],
      },
    });
    await this.reload();
    const key = toInfo(row);
    await this.audit.record({ actor, action: 'key.create', target: { kind: 'api_key', id: row.id }, after: describe(key) });
    return { key, secret };
  }

  async revoke(actor: Actor, id: string): Promise<ApiKeyInfo> {
    const row = await this.db.apiKey.findUnique({ where: { id } });
    if (!row) throw new HttpError('not_found', 'no API key with this id');
    if (row.revokedAt) return toInfo(row);
    const updated = await this.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await this.reload();
    await this.audit.record({ actor, action: 'key.revoke', target: { kind: 'api_key', id }, before: describe(toInfo(row)), after: describe(toInfo(updated)) });
    return toInfo(updated);
  }

  private reload(): Promise<void> {
    // one load at a time; a caller that changed a key waits for a load that includes its change
    const run = async () => {
      const rows = await this.db.apiKey.findMany({ where: { revokedAt: null }, select: { id: true, name: true, kind: true, secretHash: true, rateLimitPerMinute: true } });
      const next = new Map<string, DbKey>();
      for (const r of rows) next.set(r.secretHash, { kind: r.kind, id: r.id, name: r.name, fingerprint: r.secretHash.slice(0, 8), perMinute: r.rateLimitPerMinute });
      this.byDigest = next;
    };
    const prior = this.loading ?? Promise.resolve();
    const mine = prior.catch(() => {}).then(run);
    this.loading = mine.finally(() => {
      if (this.loading === mine) this.loading = null;
    });
    return mine;
  }

  private async flushLastUsed(): Promise<void> {
    if (this.usedSinceFlush.size === 0) return;
    const ids = [...this.usedSinceFlush];
    this.usedSinceFlush.clear();
    try {
      await this.db.apiKey.updateMany({ where: { id: { in: ids } }, data: { lastUsedAt: new Date() } });
    } catch (err) {
      log.warn('could not record when API keys were last used', { error: String(err) });
    }
  }
}

function toInfo(r: { id: string; name: string; kind: KeyKind; prefix: string; createdAt: Date; createdBy: string | null; lastUsedAt: Date | null; revokedAt: Date | null; rateLimitPerMinute: number }): ApiKeyInfo {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    rateLimitPerMinute: r.rateLimitPerMinute,
  };
}

/** what the audit log keeps of a key: never the secret or its digest */
function describe(k: ApiKeyInfo) {
  return { name: k.name, kind: k.kind, prefix: k.prefix, rateLimitPerMinute: k.rateLimitPerMinute, revoked: k.revokedAt !== null };
}
