import { ulid } from 'ulid';
import { storable, type Role, type SessionInfo, type UserInfo } from '@/lib/auth';
import type { PrismaClient } from '@/server/db/generated/client';
import { HttpError } from '@/server/http/errors';
import type { Principal } from '@/server/http/authorize';
import type { Actor, AuditLog } from './audit';
import { dummyHash, hashPassword, verifyPassword } from './passwords';
import { accountLockMs, ClientThrottle } from './throttle';
import { newToken, plausibleToken, tokenDigest } from './tokens';
import { TtlCache } from './ttlCache';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export interface AccountsOptions {
  sessionMaxMs: number;
  sessionIdleMs: number;
  now?: () => number;
}

export interface SignedIn {
  /** the cookie's value: shown to this browser once, stored only as its SHA-256 */
  token: string;
  user: { id: string; email: string; role: Role };
  maxAgeSeconds: number;
}

/** a session's last use is written at most this often (every request reads it from a cache) */
const TOUCH_EVERY_MS = 60_000;
/** how long a checked session is believed without asking the database again */
const CACHE_MS = 5_000;

/**
 * Users, sign-in and sessions. A session is a random token in an HttpOnly cookie; the database
 * holds its SHA-256, its absolute expiry and its last use (idle expiry). Revoking marks the row,
 * drops it from this process's cache and tells listeners (the sockets), so it takes effect at
 * once here and within CACHE_MS in other web processes.
 */
export class Accounts {
  private readonly now: () => number;
  private readonly cache = new TtlCache<string, UserPrincipal | null>(20_000);
  private readonly revokedListeners: ((sessionIds: readonly string[]) => void)[] = [];
  readonly throttle = new ClientThrottle();
  /** failed sign-ins for emails no account has (in memory, bounded) */
  private readonly phantomLocks = new TtlCache<string, { failures: number; lockedUntil: number }>(50_000);

  constructor(
    private readonly db: PrismaClient,
    private readonly audit: AuditLog,
    private readonly opts: AccountsOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  onRevoked(listener: (sessionIds: readonly string[]) => void): void {
    this.revokedListeners.push(listener);
  }

  async userCount(): Promise<number> {
    return this.db.user.count();
  }

  async adminCount(): Promise<number> {
    return this.db.user.count({ where: { role: 'admin', disabledAt: null } });
  }

  // ---- sign-in ----

  async login(email: string, password: string, client: { address: string; userAgent?: string; replacing?: string | null }): Promise<SignedIn> {
    const now = this.now();
    const wait = this.throttle.waitSeconds(client.address, now);
    if (wait > 0) throw tooMany(wait, 'too many failed sign-ins from here');
    const normalised = email.trim().toLowerCase();
    // text no account can have (NUL, which PostgreSQL refuses, or broken Unicode) is an unknown email, not a database error
    const user = storable(normalised) ? await this.db.user.findUnique({ where: { email: normalised } }) : null;
    // an email nobody has is locked like an account, so a lock tells nothing about who exists
    const phantomKey = normalised.slice(0, 254);
    const phantom = user ? undefined : this.phantomLocks.get(phantomKey, now);
    const lockedUntil = user ? (user.lockedUntil?.getTime() ?? 0) : (phantom?.lockedUntil ?? 0);
    if (lockedUntil > now) throw tooMany(Math.ceil((lockedUntil - now) / 1000), 'this account is locked after failed sign-ins');
    // an unknown email costs the same time as a wrong password: timing says nothing about accounts
    const good = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !good) {
      this.throttle.failed(client.address, now);
      if (user) {
        const failures = user.failedLogins + 1;
        const lock = accountLockMs(failures);
        await this.db.user.update({ where: { id: user.id }, data: { failedLogins: failures, lockedUntil: lock > 0 ? new Date(now + lock) : null } });
      } else {
        const failures = (phantom?.failures ?? 0) + 1;
        const lock = accountLockMs(failures);
        this.phantomLocks.set(phantomKey, { failures, lockedUntil: lock > 0 ? now + lock : 0 }, now + 24 * 3600_000);
      }
      throw new HttpError('invalid_credentials', 'wrong email or password');
    }
    if (user.disabledAt) throw new HttpError('forbidden', 'this account is disabled; ask an admin');
    this.throttle.succeeded(client.address);
    await this.db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: new Date(now) } });
    // a new token at every sign-in; the browser's previous session (if any) ends
    if (client.replacing) await this.endSession(client.replacing);
    return this.startSession(user, client.userAgent);
  }

  /** a session for a user who proved who they are another way (setup, one-time link) */
  async startSession(user: { id: string; email: string; role: Role }, userAgent?: string): Promise<SignedIn> {
    const now = this.now();
    const token = newToken('session');
    await this.db.session.create({
      data: {
        id: tokenDigest(token),
        userId: user.id,
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt: new Date(now + this.opts.sessionMaxMs),
        userAgent: userAgent ? userAgent.slice(0, 200) : null,
      },
    });
    return { token, user: { id: user.id, email: user.email, role: user.role }, maxAgeSeconds: Math.floor(this.opts.sessionMaxMs / 1000) };
  }

  /** the signed-in user of a session cookie, or null (unknown, expired, idle, revoked, disabled) */
  async sessionUser(token: string): Promise<UserPrincipal | null> {
    if (!plausibleToken(token)) return null;
    const id = tokenDigest(token);
    const cached = this.cache.get(id, this.now());
    if (cached !== undefined) return cached;
    const now = this.now();
    const row = await this.db.session.findUnique({ where: { id }, include: { user: true } });
    let found: UserPrincipal | null = null;
    if (row && !row.revokedAt && row.expiresAt.getTime() > now && row.lastSeenAt.getTime() + this.opts.sessionIdleMs > now && !row.user.disabledAt) {
      found = { kind: 'user', userId: row.user.id, email: row.user.email, role: row.user.role, sessionId: id };
      if (now - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) await this.db.session.update({ where: { id }, data: { lastSeenAt: new Date(now) } });
    }
    this.cache.set(id, found, now + CACHE_MS);
    return found;
  }

  /** sign-out: the session of this cookie ends */
  async endSession(token: string): Promise<void> {
    if (!plausibleToken(token)) return;
    const id = tokenDigest(token);
    await this.db.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(this.now()) } });
    this.forget([id]);
  }

  async sessionsOf(userId: string, currentSessionId: string | null): Promise<SessionInfo[]> {
    const now = new Date(this.now());
    const rows = await this.db.session.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: now } }, orderBy: { lastSeenAt: 'desc' }, take: 100 });
    return rows
      .filter((r) => r.lastSeenAt.getTime() + this.opts.sessionIdleMs > now.getTime())
      .map((r) => ({
        id: r.id.slice(0, 16),
        createdAt: r.createdAt.toISOString(),
        lastSeenAt: r.lastSeenAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
        userAgent: r.userAgent,
        current: r.id === currentSessionId,
      }));
  }

  /** ends one of the user's own sessions, named by the short id sessionsOf shows */
  async revokeOwnSession(userId: string, shortId: string): Promise<boolean> {
    if (!/^[0-9a-f]{16}$/.test(shortId)) return false;
    const rows = await this.db.session.findMany({ where: { userId, revokedAt: null, id: { startsWith: shortId } }, select: { id: true } });
    if (rows.length !== 1) return false;
    await this.db.session.update({ where: { id: rows[0].id }, data: { revokedAt: new Date(this.now()) } });
    this.forget([rows[0].id]);
    return true;
  }

  async userById(id: string): Promise<{ id: string; email: string; role: Role; disabled: boolean } | null> {
    const u = await this.db.user.findUnique({ where: { id } });
    return u ? { id: u.id, email: u.email, role: u.role, disabled: u.disabledAt !== null } : null;
  }

  /**
   * Deletes sessions that ended (expired, idle or revoked) more than a day ago, and one-time
   * links past their expiry: sign-ins add a row each, and nothing else would ever remove them.
   */
  async purgeEnded(): Promise<number> {
    const dayAgo = new Date(this.now() - 24 * 3600_000);
    const idleSince = new Date(this.now() - this.opts.sessionIdleMs - 24 * 3600_000);
    const gone = await this.db.session.deleteMany({ where: { OR: [{ expiresAt: { lt: dayAgo } }, { revokedAt: { lt: dayAgo } }, { lastSeenAt: { lt: idleSince } }] } });
    await this.db.oneTimeLink.deleteMany({ where: { expiresAt: { lt: dayAgo } } });
    return gone.count;
  }

  // ---- administration (audited) ----

  async list(): Promise<UserInfo[]> {
    const now = new Date(this.now());
    const users = await this.db.user.findMany({ orderBy: { createdAt: 'asc' }, take: 1000 });
    const active = await this.db.session.groupBy({ by: ['userId'], where: { revokedAt: null, expiresAt: { gt: now } }, _count: { _all: true } });
    const counts = new Map(active.map((a) => [a.userId, a._count._all]));
    return users.map((u) => toInfo(u, counts.get(u.id) ?? 0, now.getTime()));
  }

  async create(actor: Actor, input: { email: string; password: string; role: Role }): Promise<UserInfo> {
    const email = input.email.trim().toLowerCase();
    if (await this.db.user.findUnique({ where: { email } })) throw new HttpError('conflict', `a user with the email ${email} already exists`);
    const user = await this.db.user.create({ data: { id: ulid(), email, passwordHash: await hashPassword(input.password), role: input.role } });
    const info = toInfo(user, 0, this.now());
    await this.audit.record({ actor, action: 'user.create', target: { kind: 'user', id: user.id }, after: { email, role: input.role } });
    return info;
  }

  async change(actor: Actor, id: string, change: { role?: Role; disabled?: boolean; password?: string }): Promise<UserInfo> {
    const user = await this.db.user.findUnique({ where: { id } });
    if (!user) throw new HttpError('not_found', 'no user with this id');
    const demoting = user.role === 'admin' && !user.disabledAt && ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
    if (demoting && (await this.adminCount()) <= 1) {
      throw new HttpError('conflict', 'Pulse needs at least one admin who can sign in: make someone else admin first');
    }
    const now = this.now();
    const data: { role?: Role; disabledAt?: Date | null; passwordHash?: string; failedLogins?: number; lockedUntil?: null } = {};
    if (change.role !== undefined) data.role = change.role;
    if (change.disabled !== undefined) data.disabledAt = change.disabled ? (user.disabledAt ?? new Date(now)) : null;
    if (change.password !== undefined) Object.assign(data, { passwordHash: await hashPassword(change.password), failedLogins: 0, lockedUntil: null });
    const updated = await this.db.user.update({ where: { id }, data });
    // a new password or a disabled account ends every session; a role change applies at once
    if (change.password !== undefined || change.disabled === true) await this.revokeAll(id);
    else this.cache.clear();
    const describe = (u: typeof user) => ({ email: u.email, role: u.role, disabled: u.disabledAt !== null });
    await this.audit.record({
      actor,
      action: change.password !== undefined && change.role === undefined && change.disabled === undefined ? 'user.password' : 'user.change',
      target: { kind: 'user', id },
      before: describe(user),
      after: { ...describe(updated), ...(change.password !== undefined ? { password: 'changed' } : {}) },
    });
    return toInfo(updated, 0, now);
  }

  async revokeSessionsOf(actor: Actor, id: string): Promise<number> {
    const user = await this.db.user.findUnique({ where: { id } });
    if (!user) throw new HttpError('not_found', 'no user with this id');
    const n = await this.revokeAll(id);
    await this.audit.record({ actor, action: 'user.sessions.revoke', target: { kind: 'user', id }, after: { email: user.email, revoked: n } });
    return n;
  }

  private async revokeAll(userId: string): Promise<number> {
    const rows = await this.db.session.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
    if (rows.length === 0) return 0;
    await this.db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date(this.now()) } });
    this.forget(rows.map((r) => r.id));
    return rows.length;
  }

  private forget(ids: readonly string[]): void {
    for (const id of ids) this.cache.delete(id);
    for (const l of this.revokedListeners) l(ids);
  }
}

function tooMany(seconds: number, why: string): HttpError {
  const s = Math.max(1, seconds);
  return new HttpError('too_many_attempts', `${why}; try again in ${s} s`, { 'Retry-After': String(s) });
}

function toInfo(
  u: { id: string; email: string; role: Role; createdAt: Date; lastLoginAt: Date | null; disabledAt: Date | null; lockedUntil: Date | null },
  activeSessions: number,
  now: number,
): UserInfo {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    disabled: u.disabledAt !== null,
    lockedUntil: u.lockedUntil && u.lockedUntil.getTime() > now ? u.lockedUntil.toISOString() : null,
    activeSessions,
  };
}
