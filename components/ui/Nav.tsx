'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { PAGE_HREFS, PAGE_LABELS } from '@/components/auth/redirect';
import { useMe } from '@/components/auth/useMe';

/**
 * The pages this browser may open (`me.pages`, in the server's order). Until the server has
 * said who this is, no links: a wrong link for a moment is worse than none.
 */
export function Nav({ className = 'nav' }: { className?: string }) {
  const pathname = usePathname();
  const me = useMe();
  const links = (me.data?.pages ?? []).flatMap((page) => {
    const href = PAGE_HREFS[page];
    return href ? [{ href, label: PAGE_LABELS[page], page }] : [];
  });
  return (
    <nav className={className} aria-label="Pages" data-state={me.data ? 'ready' : 'loading'} data-testid="nav">
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className="nav-link"
          data-page={link.page}
          aria-current={pathname === link.href || (link.href !== '/' && pathname.startsWith(`${link.href}/`)) ? 'page' : undefined}
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
