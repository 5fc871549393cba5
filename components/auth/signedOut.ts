import type { QueryClient } from '@tanstack/react-query';
import { goToSignIn, pageOfPath, showDisplayRevoked } from './redirect';
import { cachedMe } from './useMe';

/**
 * The live screens' way out once the server no longer accepts this browser: a person signs in
 * again (and comes back here); a wall display, where nobody will sign in, says its link is gone.
 */
export function leaveSignedOut(queryClient: QueryClient): void {
  const me = cachedMe(queryClient);
  if (me?.display || (window.location.pathname === '/wall' && !me?.user && me !== undefined)) showDisplayRevoked();
  else goToSignIn();
}

/** signed in, but this role may not receive what the page shows (its role changed since it loaded) */
export function leaveForbidden(): void {
  const page = pageOfPath(window.location.pathname);
  window.location.assign(page ? `/denied?page=${page}` : '/denied');
}
