import type { PageId } from '@/lib/auth';

/** Where sign-in may send a browser next, and the ways out when the server says it is signed out. */

/**
 * `next` only when it is a path on this site: one leading slash, not `//host` or `/\host`
 * (browsers read both as another host), no scheme, no control characters. Anything else → `/`.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  try {
    // the URL parser is the judge of what a browser would do with it
    const url = new URL(next, 'http://pulse.invalid');
    if (url.origin !== 'http://pulse.invalid') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

/** /login?next=<this page>; the login page itself never becomes a `next` */
export function signInHref(current?: string): string {
  const here = current ?? (typeof window === 'undefined' ? '/' : `${window.location.pathname}${window.location.search}`);
  const path = here.split('?')[0];
  if (path === '/login' || path === '/setup' || path === '/denied') return '/login';
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

let leaving = false;
/** The server no longer knows this browser: off to sign in, once, coming back here afterwards. */
export function goToSignIn(): void {
  if (typeof window === 'undefined' || leaving) return;
  leaving = true;
  window.location.assign(signInHref());
}

/** a display whose token was revoked: nobody will sign in on a TV, so it says so instead */
export const DISPLAY_REVOKED_HREF = '/denied?display=revoked';
export function showDisplayRevoked(): void {
  if (typeof window === 'undefined' || leaving) return;
  leaving = true;
  window.location.replace(DISPLAY_REVOKED_HREF);
}

export const PAGE_HREFS: Readonly<Record<PageId, string | null>> = {
  overview: '/',
  wall: '/wall',
  history: '/history',
  // per-user and per-session pages are reached from links, not the navigation
  entities: null,
  pipeline: '/pipeline',
  admin: '/admin',
};

export const PAGE_LABELS: Readonly<Record<PageId, string>> = {
  overview: 'Overview',
  wall: 'Wall',
  history: 'History',
  entities: 'user and session pages',
  pipeline: 'Pipeline',
  admin: 'Admin',
};

/** the page a path belongs to, for a denied notice */
export function pageOfPath(path: string): PageId | null {
  if (path === '/') return 'overview';
  const first = path.split('/')[1];
  if (first === 'wall' || first === 'history' || first === 'pipeline' || first === 'admin') return first;
  if (first === 'users' || first === 'sessions') return 'entities';
  return null;
}
