'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { AppHeader } from '@/components/ui/AppHeader';
import { AuditSection } from './AuditSection';
import { DisplayTokensSection } from './DisplayTokensSection';
import { KeysSection } from './KeysSection';
import { UsersSection } from './UsersSection';

const SECTIONS = [
  { id: 'users', label: 'Users', Section: UsersSection },
  { id: 'keys', label: 'API keys', Section: KeysSection },
  { id: 'displays', label: 'Display links', Section: DisplayTokensSection },
  { id: 'audit', label: 'Audit log', Section: AuditSection },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

/** The admin page: one section at a time, chosen in the address (?section=keys), so a link can point at it. */
export function AdminView() {
  const params = useSearchParams();
  const router = useRouter();
  const asked = params.get('section');
  const current = SECTIONS.find((s) => s.id === asked) ?? SECTIONS[0];
  const choose = (id: SectionId) => router.replace(id === 'users' ? '/admin' : `/admin?section=${id}`, { scroll: false });
  const { Section } = current;
  return (
    <div className="overview page-scaled admin-page">
      <AppHeader />
      <main className="overview-main admin-main">
        <h1 className="admin-title">Admin</h1>
        <nav className="admin-tabs" aria-label="Admin sections">
          {SECTIONS.map((s) => (
            <a
              key={s.id}
              href={s.id === 'users' ? '/admin' : `/admin?section=${s.id}`}
              className="admin-tab"
              aria-current={s.id === current.id ? 'page' : undefined}
              data-testid={`admin-tab-${s.id}`}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                choose(s.id);
              }}
            >
              {s.label}
            </a>
          ))}
        </nav>
        <Section />
      </main>
    </div>
  );
}
