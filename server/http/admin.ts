import { storable, AUDIT_PAGE_MAX, changeUserBodySchema, createDisplayTokenBodySchema, createKeyBodySchema, createUserBodySchema } from '@/lib/auth';
import type { Auth } from '@/server/auth/createAuth';
import { actorOf } from './authorize';
import { parseBody } from './auth';
import { excerpt, HttpError } from './errors';
import { readJsonBody } from './jsonBody';
import { sendJson } from './respond';
import type { RequestContext } from './router';

const ADMIN_BODY_LIMIT = 16 * 1024;
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** `:id` in admin paths: ids are ULIDs; anything else cannot name a row */
function idParam(ctx: RequestContext, what: string): string {
  const id = ctx.params.id;
  if (!ID.test(id)) throw new HttpError('not_found', `no ${what} with the id "${excerpt(id, 40)}"`);
  return id;
}

/** `?name=` of the audit filters: absent, or a bounded printable string */
function textFilter(query: URLSearchParams, name: string, max = 100): string | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (v.length > max) throw new HttpError('bad_request', `${name}: must be at most ${max} characters`);
  if (!storable(v)) throw new HttpError('bad_request', `${name}: must not contain control characters or broken Unicode`);
  return v;
}

function instantFilter(query: URLSearchParams, name: string): Date | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const ms = v.length <= 40 ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new HttpError('bad_request', `${name}: must be an ISO date or instant, e.g. 2026-12-01T00:00:00Z`);
  return new Date(ms);
}

/**
 * The admin API (`/api/admin/…`): users, API keys, display tokens and the audit log. Every change
 * is recorded in the audit log by the service that makes it, with who made it.
 */
export function createAdminHandlers(auth: Auth) {
  const { accounts, keys, displays, audit } = auth;
  return {
    async listUsers(ctx: RequestContext) {
      await auth.authorize(ctx, 'users:manage');
      sendJson(ctx.res, 200, { users: await accounts.list() });
    },
    async createUser(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'users:manage');
      const body = parseBody(createUserBodySchema, await readJsonBody(ctx.req, ADMIN_BODY_LIMIT));
      sendJson(ctx.res, 201, { user: await accounts.create(actorOf(principal), body) });
    },
    async changeUser(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'users:manage');
      const id = idParam(ctx, 'user');
      const body = parseBody(changeUserBodySchema, await readJsonBody(ctx.req, ADMIN_BODY_LIMIT));
      sendJson(ctx.res, 200, { user: await accounts.change(actorOf(principal), id, body) });
    },
    async revokeUserSessions(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'users:manage');
      sendJson(ctx.res, 200, { revoked: await accounts.revokeSessionsOf(actorOf(principal), idParam(ctx, 'user')) });
    },

    async listKeys(ctx: RequestContext) {
      await auth.authorize(ctx, 'keys:manage');
      sendJson(ctx.res, 200, { keys: await keys.list() });
    },
    async createKey(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'keys:manage');
      const body = parseBody(createKeyBodySchema, await readJsonBody(ctx.req, ADMIN_BODY_LIMIT));
      sendJson(ctx.res, 201, await keys.create(actorOf(principal), body));
    },
    async revokeKey(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'keys:manage');
      sendJson(ctx.res, 200, { key: await keys.revoke(actorOf(principal), idParam(ctx, 'API key')) });
    },

    async listDisplays(ctx: RequestContext) {
      await auth.authorize(ctx, 'keys:manage');
      sendJson(ctx.res, 200, { tokens: await displays.list() });
    },
    async createDisplay(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'keys:manage');
      const body = parseBody(createDisplayTokenBodySchema, await readJsonBody(ctx.req, ADMIN_BODY_LIMIT));
      sendJson(ctx.res, 201, await displays.create(actorOf(principal), body.name));
    },
    async revokeDisplay(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'keys:manage');
      sendJson(ctx.res, 200, { token: await displays.revoke(actorOf(principal), idParam(ctx, 'display token')) });
    },

    async auditLog(ctx: RequestContext) {
      await auth.authorize(ctx, 'audit:read');
      const q = ctx.query;
      const beforeText = textFilter(q, 'before', 20);
      if (beforeText !== undefined && !/^[1-9][0-9]{0,18}$/.test(beforeText)) throw new HttpError('bad_request', 'before: must be the id of an audit entry (from `next`)');
      const limitText = textFilter(q, 'limit', 4);
      const limit = limitText === undefined ? 50 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) throw new HttpError('bad_request', `limit: must be a whole number from 1 to ${AUDIT_PAGE_MAX}`);
      sendJson(
        ctx.res,
        200,
        await audit.page({
          action: textFilter(q, 'action', 60),
          actor: textFilter(q, 'actor'),
          from: instantFilter(q, 'from'),
          to: instantFilter(q, 'to'),
          before: beforeText === undefined ? undefined : BigInt(beforeText),
          limit,
        }),
      );
    },
  };
}
