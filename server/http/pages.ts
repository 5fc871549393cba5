import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PageId } from '@/lib/auth';
import type { Auth } from '@/server/auth/createAuth';
import { appendSetCookie, DISPLAY_COOKIE, readCookie, serializeCookie, SESSION_COOKIE } from '@/server/auth/cookies';
import { identify, type Principal } from './authorize';
import { pagesOf, setSessionCookie } from './auth';
import type { RawHandler } from './router';

/** a display keeps its token for as long as browsers allow a cookie (400 days) */
const DISPLAY_COOKIE_SECONDS = 400 * 24 * 3600;

/** which page a path is; null: not a page of ours (assets, Next's files, the 404 page) */
export function pageOf(path: string): PageId | 'public' | null {
  if (path === '/') return 'overview';
  const first = path.split('/')[1] ?? '';
  switch (first) {
    case 'wall':
      return path === '/wall' ? 'wall' : null;
    case 'history':
      return path === '/history' ? 'history' : null;
    case 'users':
    case 'sessions':
      return 'entities';
    case 'pipeline':
      return path === '/pipeline' ? 'pipeline' : null;
    case 'admin':
      return 'admin';
    case 'account':
      return 'overview';
    case 'login':
    case 'setup':
    case 'denied':
      return 'public';
    default:
      return null;
  }
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
}

/** `next` for the sign-in page: our own path and query, nothing that could lead elsewhere */
function returnPath(url: string): string {
  // browsers read `/\host` as `//host`, and strip tabs and newlines before resolving
  const ours = url.startsWith('/') && url.length <= 2000 && !/[\\\u0000-\u001f\u007f]/.test(url) && !url.startsWith('//');
  return ours ? url : '/';
}

/**
 * In front of the pages (Next): an anonymous browser asking for a page goes to the sign-in page,
 * a role that may not use a page gets the "denied" page with status 403, a display link is
 * exchanged for its cookie, and a one-time sign-in link for a session. Assets and public pages
 * pass. The pages' data comes from the API, which checks again: this is what people see, the API
 * is what protects.
 */
export function createPageGate(auth: Auth, next: RawHandler): RawHandler {
  return async (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));

    if (path === '/auth/link') return signInWithLink(auth, req, res, query.get('token') ?? '');
    if (path === '/wall' && query.has('display')) return openDisplay(auth, req, res, query.get('display') ?? '');

    const page = pageOf(path);
    if (page === null) return next(req, res);
    let principal: Principal = { kind: 'anonymous' };
    try {
      principal = await identify(auth.sources, { req, query }, { beacon: false });
    } catch {
      // a bearer key on a page request that is not valid: treated as nobody
    }
    if (page === 'public') {
      // a signed-in person asking for the sign-in page wants to be where it would send them
      if (path === '/login' && principal.kind === 'user') return redirect(res, returnPath(query.get('next') ?? '/'));
      return next(req, res);
    }
    if (principal.kind === 'anonymous' || principal.kind === 'key') {
      return redirect(res, `/login?next=${encodeURIComponent(returnPath(url))}`);
    }
    if (pagesOf(principal).includes(page)) return next(req, res);
    // the denied page, rendered by Next, answered 403
    req.url = `/denied?page=${page}`;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => writeHead(status === 200 ? 403 : status, ...rest)) as ServerResponse['writeHead'];
    return next(req, res);
  };
}

async function signInWithLink(auth: Auth, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const link = await auth.links.consume('signin', token);
  const user = link?.userId ? await auth.accounts.userById(link.userId) : null;
  if (!user || user.disabled) return redirect(res, '/login?link=invalid');
  const prior = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (prior) await auth.accounts.endSession(prior);
  setSessionCookie(auth, req, res, await auth.accounts.startSession(user, req.headers['user-agent']));
  redirect(res, '/');
}

async function openDisplay(auth: Auth, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const display = await auth.displays.principal(token);
  if (!display) return redirect(res, '/denied?page=wall&display=invalid');
  appendSetCookie(res, serializeCookie(DISPLAY_COOKIE, token, { maxAge: DISPLAY_COOKIE_SECONDS, secure: auth.origins.secure(req), sameSite: 'Lax' }));
  // the token leaves the address bar (and the browser's history) at once
  redirect(res, '/wall');
}
