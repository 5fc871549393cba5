import type { IncomingMessage } from 'node:http';
import { digest } from '@/server/ingest/keys';
import { parseMediaType } from './body';
import { HttpError } from './errors';

/**
 * Authentication and permission checks for every handler: `authorize(ctx, permission)` either
 * returns who is asking or throws the refusal. Handlers name the permission they need, never a
 * kind of key, so signed-in users with roles (issue 9) join by adding a principal kind and
 * entries to GRANTS, without touching the handlers.
 */

export type Permission =
  /** POST /api/events */
  | 'events:write'
  /** POST /api/inventory */
  | 'inventory:write'
  /** list, replay and discard dead letters */
  | 'dead-letters:manage'
  /** the live snapshot and /metrics */
  | 'metrics:read'
  /** per-user and per-session lookups */
  | 'analytics:read'
  /** read and change the event rules */
  | 'rules:manage';

export type Role = 'ingest' | 'admin';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'api_key'; roles: readonly Role[]; via: 'bearer' | 'beacon_query'; fingerprint: string };

/**
 * Who may do what. An ingest key is publishable (it ships in shop pages): it may send events and
 * nothing else. 'anyone' keeps today's open reads (screens and scrapers send no credentials);
 * issue 9 decides whether they move behind a role.
 */
const GRANTS: Readonly<Record<Permission, readonly Role[] | 'anyone'>> = {
  'events:write': ['ingest'],
  'inventory:write': ['admin'],
  'dead-letters:manage': ['admin'],
  'metrics:read': 'anyone',
  'analytics:read': 'anyone',
  'rules:manage': ['admin'],
};

/** Where presented API keys are looked up; keys created in the admin UI will be another source. */
export interface KeyDirectory {
  /** the roles of a presented key and a non-secret label for logs; null when the key is unknown */
  lookup(key: string): KnownKey | null;
  readonly adminKeysConfigured: boolean;
}

export interface KnownKey {
  roles: readonly Role[];
  fingerprint: string;
}

/** Keys from the environment (INGEST_API_KEYS, ADMIN_API_KEYS), held only as SHA-256 digests. */
export class StaticKeys implements KeyDirectory {
  private readonly known = new Map<string, { roles: Role[]; fingerprint: string }>();
  readonly adminKeysConfigured: boolean;

  constructor(ingest: readonly string[], admin: readonly string[]) {
    for (const key of ingest) this.add(key, 'ingest');
    for (const key of admin) this.add(key, 'admin');
    this.adminKeysConfigured = admin.length > 0;
  }

  lookup(key: string): KnownKey | null {
    if (key.length === 0 || key.length > 512) return null;
    return this.known.get(digest(key)) ?? null;
  }

  private add(key: string, role: Role): void {
    const d = digest(key);
    const entry = this.known.get(d) ?? { roles: [], fingerprint: d.slice(0, 8) };
    if (!entry.roles.includes(role)) entry.roles.push(role);
    this.known.set(d, entry);
  }
}

export interface AuthRequest {
  req: IncomingMessage;
  query: URLSearchParams;
}

export type Authorize = (request: AuthRequest, permission: Permission) => Principal;

const ANONYMOUS: Principal = { kind: 'anonymous' };

export function createAuthorizer(keys: KeyDirectory): Authorize {
  return function authorize({ req, query }, permission) {
    const grant = GRANTS[permission];
    if (grant === 'anyone') return ANONYMOUS;
    const needsAdmin = grant.includes('admin') && !grant.includes('ingest');
    if (needsAdmin && !keys.adminKeysConfigured) {
      throw new HttpError('admin_disabled', 'no admin key is configured (ADMIN_API_KEYS); this action is refused until one is');
    }

    let presented = bearer(req.headers.authorization);
    let via: 'bearer' | 'beacon_query' = 'bearer';
    // sendBeacon cannot set headers, so a beacon carries the ingest key as ?key= with a
    // text/plain body; that pair is the only place a key is read from the URL (URLs get logged)
    if (permission === 'events:write') {
      const queryKey = query.get('key');
      if (queryKey !== null && parseMediaType(req.headers['content-type']).essence === 'text/plain') {
        presented = queryKey;
        via = 'beacon_query';
      }
    }
    if (presented === null) {
      throw needsAdmin
        ? new HttpError('admin_key_required', 'send an admin key as "Authorization: Bearer <key>"')
        : new HttpError('missing_key', 'send your ingest key as "Authorization: Bearer <key>"');
    }
    const known = keys.lookup(presented);
    if (!known) {
      throw needsAdmin ? new HttpError('admin_key_invalid', 'this admin key is not valid') : new HttpError('unknown_key', 'the ingest key is not valid');
    }
    if (!known.roles.some((r) => grant.includes(r))) throw forbidden(permission, known.roles);
    return { kind: 'api_key', roles: known.roles, via, fingerprint: known.fingerprint };
  };
}

function forbidden(permission: Permission, roles: readonly Role[]): HttpError {
  if (roles.includes('ingest') && !roles.includes('admin')) {
    return new HttpError('forbidden', `an ingest key is publishable and may only send events; ${permission} needs an admin key (ADMIN_API_KEYS)`);
  }
  if (permission === 'events:write') return new HttpError('forbidden', 'this key may not send events; use an ingest key (INGEST_API_KEYS)');
  return new HttpError('forbidden', `this key does not grant ${permission}`);
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
