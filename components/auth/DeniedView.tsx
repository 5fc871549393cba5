'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { PAGES, ROLE_LABELS, type PageId } from '@/lib/auth';
import { AuthCard } from './AuthCard';
import { PAGE_HREFS, PAGE_LABELS, pageOfPath, signInHref } from './redirect';
import { useMe, useSignOut } from './useMe';

const isPageId = (value: string | null): value is PageId => value !== null && (PAGES as readonly string[]).includes(value);

/**
 * What a signed-in browser sees for a page its role may not use (the server renders this with
 * 403 under the page's own address, so the page is also read from the address bar), and what a
 * wall display sees once its link was revoked.
 */
export function DeniedView() {
  const params = useSearchParams();
  const fromQuery = params.get('page');
  // the server rewrites /history to this page: the address bar still says /history
  const [fromPath, setFromPath] = useState<PageId | null>(null);
  useEffect(() => setFromPath(pageOfPath(window.location.pathname)), []);
  // revoked while open (the wall sends it here), or a link that was never valid (the server does)
  const display = params.get('display');
  if (display === 'revoked' || display === 'invalid') return <DisplayRevoked />;
  const page = isPageId(fromQuery) ? fromQuery : fromPath;
  return <Denied page={page} />;
}

function Denied({ page }: { page: PageId | null }) {
  const me = useMe();
  const signOut = useSignOut();
  const user = me.data?.user ?? null;
  const pageName = page ? PAGE_LABELS[page] : 'this page';
  const links = (me.data?.pages ?? []).flatMap((p) => {
    const href = PAGE_HREFS[p];
    return href ? [{ href, label: PAGE_LABELS[p] }] : [];
  });

  if (me.isPending) {
    return (
      <AuthCard title="Not available" testId="denied">
        <p className="muted">Checking who you are…</p>
      </AuthCard>
    );
  }
  if (!user && !me.data?.display) {
    return (
      <AuthCard title="Sign in needed" testId="denied">
        <p className="auth-lead">You are not signed in, so Pulse cannot show {pageName}.</p>
        <a className="btn btn-primary auth-submit" href={signInHref(page && PAGE_HREFS[page] ? PAGE_HREFS[page]! : '/')}>
          Sign in
        </a>
      </AuthCard>
    );
  }
  const who = user ? `Your role (${ROLE_LABELS[user.role]})` : `This display (${me.data?.display?.name})`;
  return (
    <AuthCard title="Not available to you" testId="denied" wide>
      <p className="auth-lead" data-testid="denied-message" data-page={page ?? undefined}>
        {who} can&apos;t open {pageName}.
      </p>
      {user && <p className="muted">Signed in as {user.email}. An admin can change your role if you need it.</p>}
      {links.length > 0 && (
        <nav className="denied-links" aria-label="Pages you can open">
          <span className="muted">You can open:</span>
          {links.map((link) => (
            <Link key={link.href} href={link.href} className="btn">
              {link.label}
            </Link>
          ))}
        </nav>
      )}
      {user && (
        <div className="denied-actions">
          <button type="button" className="btn btn-quiet" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {signOut.isPending ? 'Signing out…' : 'Sign out'}
          </button>
          {signOut.error && <span className="text-critical">{signOut.error.message}</span>}
        </div>
      )}
    </AuthCard>
  );
}

/** on a TV across the room: big, dark, and saying what to do */
export function DisplayRevoked() {
  return (
    <div className="display-revoked" role="alert" data-testid="display-revoked">
      <div className="display-revoked-box">
        <div className="display-revoked-title">This display link was revoked or has expired</div>
        <div className="display-revoked-detail">Ask an admin for a new link and open it on this screen.</div>
      </div>
    </div>
  );
}
