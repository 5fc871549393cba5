import type { ReactNode } from 'react';

export function Panel(props: {
  title: string;
  /** a short qualifier shown after the title, e.g. the window */
  meta?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`panel ${props.className ?? ''}`} data-testid={props.testId}>
      <header className="panel-head">
        <h2 className="panel-title">{props.title}</h2>
        {props.meta !== undefined && <span className="panel-meta">{props.meta}</span>}
      </header>
      <div className="panel-body">{props.children}</div>
    </section>
  );
}
