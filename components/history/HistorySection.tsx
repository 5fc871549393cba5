import type { ReactNode } from 'react';
import { QueryStatus } from './QueryStatus';
import type { HistoryQueryState } from './useHistoryQuery';

/**
 * One card of the history page: its title, how its query ran (or is running, with Cancel), a CSV
 * download of the same query, and the figures, or why there are none.
 */
export function HistorySection(props: {
  title: string;
  meta?: ReactNode;
  query: HistoryQueryState;
  /** the previous period's query, when the section compares */
  previous?: HistoryQueryState | null;
  csvUrl?: string;
  testId: string;
  className?: string;
  children: ReactNode;
}) {
  const { query, previous } = props;
  return (
    <section className={`panel hx-section ${props.className ?? ''}`} data-testid={props.testId}>
      <header className="hx-section-head">
        <h2 className="panel-title">{props.title}</h2>
        {props.meta !== undefined && <span className="panel-meta hx-section-meta">{props.meta}</span>}
      </header>
      <div className="hx-section-tools">
        <QueryStatus query={query} />
        {previous && <QueryStatus query={previous} label="Previous period" />}
        {props.csvUrl && (
          <a className="hx-csv" href={props.csvUrl} download data-testid="csv-link">
            CSV
          </a>
        )}
      </div>
      <div className={`hx-section-body ${query.running && query.data ? 'hx-refreshing' : ''}`}>{props.children}</div>
    </section>
  );
}

/** The body while there is nothing to show yet: the status line above says why. */
export function SectionPlaceholder({ query, empty }: { query: HistoryQueryState; empty: string }) {
  if (query.data) return <p className="muted hx-empty">{empty}</p>;
  if (query.running) return <div className="hx-skeleton" aria-hidden="true" />;
  if (query.error) return <p className="muted hx-empty">No figures: the query did not complete.</p>;
  if (query.cancelled) return <p className="muted hx-empty">The query was cancelled.</p>;
  return <div className="hx-skeleton" aria-hidden="true" />;
}
