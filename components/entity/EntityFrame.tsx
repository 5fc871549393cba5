import Link from 'next/link';
import type { ReactNode } from 'react';
import { AppHeader } from '@/components/ui/AppHeader';

/** The frame of a per-user or per-session page: the app header, what the page is about, its id. */
export function EntityFrame(props: { kind: 'user' | 'session'; id: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <div className="entity-page page-scaled">
      <AppHeader>{props.aside}</AppHeader>
      <main className="entity-main">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link href="/">Live overview</Link> <span aria-hidden="true">›</span> {props.kind === 'user' ? 'User' : 'Session'}
        </nav>
        <h1 className="entity-title">
          <span className="entity-kind">{props.kind === 'user' ? 'User' : 'Session'}</span>
          <code className="entity-id" data-testid="entity-id">
            {props.id}
          </code>
        </h1>
        {props.children}
      </main>
    </div>
  );
}

/** What the page says instead of the figures: nothing seen yet, an id refused, the server away. */
export function EntityMessage(props: { testId: string; title: string; tone?: 'info' | 'warning' | 'critical'; children?: ReactNode }) {
  return (
    <section className={`panel entity-message entity-message-${props.tone ?? 'info'}`} data-testid={props.testId} role="status">
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}
