import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { DISPLAY_PAGES, loginBodySchema, ROLE_PAGES, setupBodySchema, type Me } from '@/lib/auth';
import type { Auth } from '@/server/auth/createAuth';
import { appendSetCookie, readCookie, serializeCookie, SESSION_COOKIE } from '@/server/auth/cookies';
import type { SignedIn } from '@/server/auth/accounts';
import { identify, type Principal } from './authorize';
import { excerpt, HttpError } from './errors';
import { readJsonBody } from './jsonBody';
import { sendJson, sendNoContent } from './respond';
import type { RequestContext } from './router';

const AUTH_BODY_LIMIT = 8 * 1024;

/** zod's first problem as `field: reason` (400): every refusal names what to fix */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${excerpt(k, 40)}"`).join(', ')}` : issue.message;
  throw new HttpError('invalid_body', `${field}: ${message}`);
}

/** the client's address, for the sign-in throttle only (held in memory, never stored) */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

export function setSessionCookie(auth: Auth, req: IncomingMessage, res: ServerResponse, signedIn: SignedIn): void {
  // Lax, not Strict: a link to Pulse in an alert e-mail or chat must arrive signed in; changes
  // are protected by the Origin / Sec-Fetch-Site check besides
  appendSetCookie(res, serializeCookie(SESSION_COOKIE, signedIn.token, { maxAge: signedIn.maxAgeSeconds, secure: auth.origins.secure(req), sameSite: 'Lax' }));
}

function clearCookie(auth: Auth, req: IncomingMessage, res: ServerResponse, name: string): void {
  appendSetCookie(res, serializeCookie(name, '', { maxAge: 0, secure: auth.origins.secure(req), sameSite: 'Lax' }));
}

export function pagesOf(principal: Principal): Me['pages'] {
  if (principal.kind === 'user') return [...ROLE_PAGES[principal.role]];
  if (principal.kind === 'display') return [...DISPLAY_PAGES];
  return [];
}

/**
 * `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/auth/me`, `POST /api/auth/setup`,
 * and one's own sessions. Every body is JSON (a cross-site HTML form cannot send that without a
 * preflight) and every change checks the Origin.
 */
export function createAuthHandlers(auth: Auth, opts: { trustProxy: boolean }) {
  return {
    async login(ctx: RequestContext) {
      auth.origins.check(ctx.req, 'sign in');
      const body = parseBody(loginBodySchema, await readJsonBody(ctx.req, AUTH_BODY_LIMIT));
      const signedIn = await auth.accounts.login(body.email, body.password, {
        address: clientAddress(ctx.req, opts.trustProxy),
        userAgent: ctx.req.headers['user-agent'],
        replacing: readCookie(ctx.req.headers.cookie, SESSION_COOKIE),
      });
      setSessionCookie(auth, ctx.req, ctx.res, signedIn);
      sendJson(ctx.res, 200, { user: signedIn.user });
    },

    async logout(ctx: RequestContext) {
      auth.origins.check(ctx.req, 'sign out');
      const token = readCookie(ctx.req.headers.cookie, SESSION_COOKIE);
      if (token) await auth.accounts.endSession(token);
      clearCookie(auth, ctx.req, ctx.res, SESSION_COOKIE);
      sendNoContent(ctx.res);
    },

    async me(ctx: RequestContext) {
      auth.origins.check(ctx.req, 'read who is signed in');
      let principal: Principal = { kind: 'anonymous' };
      try {
        principal = await identify(auth.sources, ctx, { beacon: false });
      } catch {
        // a wrong bearer key: nobody is signed in
      }
      const me: Me = {
        user: principal.kind === 'user' ? { id: principal.userId, email: principal.email, role: principal.role } : null,
        display: principal.kind === 'display' ? { id: principal.tokenId, name: principal.name } : null,
        pages: pagesOf(principal),
        setupPending: await auth.setupPending(),
      };
      sendJson(ctx.res, 200, me);
    },

    async setup(ctx: RequestContext) {
      auth.origins.check(ctx.req, 'set up Pulse');
      const body = parseBody(setupBodySchema, await readJsonBody(ctx.req, AUTH_BODY_LIMIT));
      if (!(await auth.setupPending())) throw new HttpError('gone', 'Pulse is already set up: sign in, or ask an admin for an account');
      if (!(await auth.links.consume('setup', body.token))) throw new HttpError('gone', 'this setup link is not valid (already used, expired, or mistyped); restart Pulse for a new one');
      const user = await auth.accounts.create({ kind: 'setup_link', id: null, label: body.email }, { email: body.email, password: body.password, role: 'admin' });
      const signedIn = await auth.accounts.startSession(user, ctx.req.headers['user-agent']);
      setSessionCookie(auth, ctx.req, ctx.res, signedIn);
      sendJson(ctx.res, 200, { user: signedIn.user });
    },

    async sessions(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'account:manage');
      if (principal.kind !== 'user') throw new HttpError('forbidden', 'only a signed-in person has sessions');
      sendJson(ctx.res, 200, { sessions: await auth.accounts.sessionsOf(principal.userId, principal.sessionId) });
    },

    async revokeSession(ctx: RequestContext) {
      const principal = await auth.authorize(ctx, 'account:manage');
      if (principal.kind !== 'user') throw new HttpError('forbidden', 'only a signed-in person has sessions');
      if (!(await auth.accounts.revokeOwnSession(principal.userId, ctx.params.id))) throw new HttpError('not_found', 'no active session of yours with this id');
      if (principal.sessionId.startsWith(ctx.params.id)) clearCookie(auth, ctx.req, ctx.res, SESSION_COOKIE);
      sendNoContent(ctx.res);
    },
  };
}
