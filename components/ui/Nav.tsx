'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/wall', label: 'Wall' },
  { href: '/history', label: 'History' },
  { href: '/pipeline', label: 'Pipeline' },
] as const;

export function Nav({ className = 'nav' }: { className?: string }) {
  const pathname = usePathname();
  return (
    <nav className={className} aria-label="Pages">
      {LINKS.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className="nav-link"
          aria-current={pathname === link.href ? 'page' : undefined}
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
