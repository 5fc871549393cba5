import type { IncomingMessage } from 'node:http';
import type { Role } from '@/lib/auth';
import { digest } from '@/server/ingest/keys';
import { readCookie, SESSION_COOKIE, DISPLAY_COOKIE } from '@/server/auth/cookies';
import type { OriginPolicy } from '@/server/auth/origins';
import { parseMediaType } from './body';
import { HttpError } from './errors';

/**
 * Authentication and permission checks for every handler, page and socket: `authorize(ctx,
 * permission)` either returns who is asking or throws the refusal. Handlers name the permission
 * they need, never a kind of credential; GRANTS below is the one table of who may do what.
 */

export type Permission =
  /** POST /api/events */
  | 'events:write'
  /** POST /api/inventory */
  | 'inventory:write'
  /** list, replay and discard dead letters */
  | 'dead-letters:manage'
  /** the live snapshot, the socket and /metrics */
  | 'metrics:read'
  /** per-user and per-session lookups */
  | 'analytics:read'
  /** historical views and their CSV exports */
  | 'history:read'
  /** the pipeline page's last hour */
  | 'pipeline:read'
  /** read and change the event rules */
  | 'rules:manage'
  /** users, their roles and sessions */
  | 'users:manage'
  /** API keys and display tokens */
  | 'keys:manage'
  /** the audit log */
  | 'audit:read'
  /** one's own sign-in sessions */
  | 'account:manage';

/** who can be granted something: a user's role, a kind of key, or a wall display */
export type Grantee = Role | 'publishable' | 'secret' | 'display';

export type KeyKind = 'publishable' | 'secret';

export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'key';
      keyKind: KeyKind;
      /** the database row's id; null for keys from INGEST_API_KEYS / ADMIN_API_KEYS */
      id: string | null;
      /** for audit and logs: the key's name, or "env key <fingerprint>" */
      name: string;
      fingerprint: string;
      via: 'bearer' | 'beacon_query';
    }
  | { kind: 'user'; userId: string; email: string; role: Role; sessionId: string }
  | { kind: 'display'; tokenId: string; name: string };

const VIEWER: readonly Grantee[] = ['viewer', 'analyst', 'admin'];
const ANALYST: readonly Grantee[] = ['analyst', 'admin'];
const ADMIN: readonly Grantee[] = ['admin'];

/**
 * Who may do what. A publishable key ships in shop pages: it may send events and nothing else. A
 * secret key is for the shop's back end and scripts: everything but a person's own account. A
 * display token opens the wall and nothing else.
 */
export const GRANTS: Readonly<Record<Permission, readonly Grantee[]>> = {
  'events:write': ['publishable', 'secret'],
  'inventory:write': [...ADMIN, 'secret'],
  'dead-letters:manage': [...ADMIN, 'secret'],
  'metrics:read': [...VIEWER, 'display', 'secret'],
  'analytics:read': [...ANALYST, 'secret'],
  'history:read': [...ANALYST, 'secret'],
  'pipeline:read': [...ADMIN, 'secret'],
  'rules:manage': [...ADMIN, 'secret'],
  'users:manage': [...ADMIN, 'secret'],
  'keys:manage': [...ADMIN, 'secret'],
  'audit:read': [...ADMIN, 'secret'],
  'account:manage': VIEWER,
};

export function granteeOf(principal: Principal): Grantee | null {
  switch (principal.kind) {
    case 'anonymous':
      return null;
    case 'key':
      return principal.keyKind;
    case 'user':
      return principal.role;
    case 'display':
      return 'display';
  }
}

export function allows(principal: Principal, permission: Permission): boolean {
  const grantee = granteeOf(principal);
  return grantee !== null && GRANTS[permission].includes(grantee);
}

/** Where presented API keys are looked up: the environment's keys and the database's. */
export interface KeyDirectory {
  /** the key's kind and labels; null when the key is unknown or revoked */
  lookup(key: string): KnownKey | null;
  /** counts a use against the key's rate limit; the seconds to wait when it is exhausted */
  take?(key: KnownKey, now: number): number | null;
}

export interface KnownKey {
  kind: KeyKind;
  id: string | null;
  name: string;
  fingerprint: string;
}

/** Keys from the environment (INGEST_API_KEYS: publishable, ADMIN_API_KEYS: secret), held only as SHA-256 digests. */
export class StaticKeys implements KeyDirectory {
  private readonly known = new Map<string, KnownKey>();

  constructor(ingest: readonly string[], admin: readonly string[]) {
    for (const key of ingest) this.add(key, 'publishable');
    // a key listed in both is secret: it may do everything the publishable one may
    for (const key of admin) this.add(key, 'secret');
  }

  lookup(key: string): KnownKey | null {
    if (key.length === 0 || key.length > 512) return null;
    return this.byDigest(digest(key));
  }

  /** for a directory that already computed the digest (one SHA-256 per request) */
  byDigest(d: string): KnownKey | null {
    return this.known.get(d) ?? null;
  }

  private add(key: string, kind: KeyKind): void {
    const d = digest(key);
    const fingerprint = d.slice(0, 8);
    this.known.set(d, { kind, id: null, name: `${kind === 'secret' ? 'ADMIN_API_KEYS' : 'INGEST_API_KEYS'} key ${fingerprint}`, fingerprint });
  }
}

/** Signed-in browsers: the session and display cookies, checked against the database. */
export interface CookieSessions {
  user(token: string): Promise<Extract<Principal, { kind: 'user' }> | null>;
  display(token: string): Promise<Extract<Principal, { kind: 'display' }> | null>;
}

export interface AuthRequest {
  req: IncomingMessage;
  query: URLSearchParams;
}

export type Authorize = (request: AuthRequest, permission: Permission) => Promise<Principal>;

export interface AuthSources {
  keys: KeyDirectory;
  sessions: CookieSessions;
  origins: OriginPolicy;
}

const ANONYMOUS: Principal = { kind: 'anonymous' };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is asking, from the request alone: a bearer key first (scripts), else the session cookie,
 * else a display cookie. A bearer key that is wrong is refused rather than ignored, so a script
 * with a typo learns it at once instead of being treated as anonymous.
 */
export async function identify(sources: AuthSources, { req, query }: AuthRequest, opts: { beacon: boolean }): Promise<Principal> {
  let presented = bearer(req.headers.authorization);
  let via: 'bearer' | 'beacon_query' = 'bearer';
  // sendBeacon cannot set headers, so a beacon carries the ingest key as ?key= with a
  // text/plain body; that pair is the only place a key is read from the URL (URLs get logged)
  if (opts.beacon) {
    const queryKey = query.get('key');
    if (queryKey !== null && parseMediaType(req.headers['content-type']).essence === 'text/plain') {
      presented = queryKey;
      via = 'beacon_query';
    }
  }
  if (presented !== null) {
    const known = sources.keys.lookup(presented);
    if (!known) throw new HttpError('unknown_key', 'this API key is not valid (revoked, or mistyped)');
    const wait = sources.keys.take?.(known, Date.now()) ?? null;
    if (wait !== null) {
      throw new HttpError('rate_limited', `this key's rate limit is used up; try again in ${wait} s`, { 'Retry-After': String(wait) });
    }
    return { kind: 'key', keyKind: known.kind, id: known.id, name: known.name, fingerprint: known.fingerprint, via };
  }
  const session = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (session) {
    const user = await sources.sessions.user(session);
    if (user) return user;
  }
  const display = readCookie(req.headers.cookie, DISPLAY_COOKIE);
  if (display) {
    const screen = await sources.sessions.display(display);
    if (screen) return screen;
  }
  return ANONYMOUS;
}

export function createAuthorizer(sources: AuthSources): Authorize {
  return async function authorize(request, permission) {
    const { req } = request;
    const ingest = permission === 'events:write';
    // ingest is open to the shops' origins (CORS_ALLOWED_ORIGINS); everything else only to ours
    if (!ingest) sources.origins.check(req, 'read or change Pulse data');
    const principal = await identify(sources, request, { beacon: ingest });
    if (principal.kind === 'anonymous') {
      throw ingest
        ? new HttpError('missing_key', 'send your ingest key as "Authorization: Bearer <key>"')
        : new HttpError('unauthenticated', 'sign in (POST /api/auth/login), or send a secret key as "Authorization: Bearer <key>"');
    }
    if (principal.kind === 'user' && !SAFE_METHODS.has(req.method ?? 'GET')) sources.origins.checkNotCrossSite(req);
    if (!allows(principal, permission)) throw forbidden(principal, permission);
    return principal;
  };
}

function forbidden(principal: Principal, permission: Permission): HttpError {
  switch (principal.kind) {
    case 'key':
      if (principal.keyKind === 'publishable') {
        return new HttpError('forbidden', `a publishable key ships in shop pages and may only send events; ${permission} needs a secret key or a signed-in admin`);
      }
      return new HttpError('forbidden', `a secret key does not grant ${permission}`);
    case 'user': {
      const needed = GRANTS[permission].filter((g) => g === 'viewer' || g === 'analyst' || g === 'admin');
      return new HttpError('forbidden', `your role (${principal.role}) may not do this (${permission}); it needs ${needed.join(' or ') || 'another kind of credential'}`);
    }
    case 'display':
      return new HttpError('forbidden', 'a wall display may only show the wall');
    default:
      return new HttpError('forbidden', `not allowed: ${permission}`);
  }
}

/** what audit entries and log lines say about who did something */
export function actorOf(principal: Principal): { kind: string; id: string | null; label: string } {
  switch (principal.kind) {
    case 'user':
      return { kind: 'user', id: principal.userId, label: principal.email };
    case 'key':
      return { kind: 'key', id: principal.id ?? `env:${principal.fingerprint}`, label: principal.name };
    case 'display':
      return { kind: 'display', id: principal.tokenId, label: principal.name };
    default:
      return { kind: 'anonymous', id: null, label: 'anonymous' };
  }
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
