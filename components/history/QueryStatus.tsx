'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { describeStats } from './queryStats';
import type { HistoryQueryState } from './useHistoryQuery';

const TICK_MS = 100;

function Elapsed({ since }: { since: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  const ms = since === null ? 0 : Math.max(0, now - since);
  return <span className="hx-elapsed">{(ms / 1000).toFixed(1)} s</span>;
}

/** What a section's query is doing: running (with a Cancel), how it ran, or why it failed. */
export function QueryStatus({ query, label }: { query: HistoryQueryState; label?: string }) {
  let body: ReactNode;
  let state: string;
  if (query.running) {
    state = 'running';
    body = (
      <>
        <span className="hx-spinner" aria-hidden="true" />
        <span>
          {label ? `${label}: running… ` : 'Running… '}
          <Elapsed since={query.startedAt} />
        </span>
        <button type="button" className="hx-button hx-button-small" onClick={query.cancel} data-testid="query-cancel">
          Cancel
        </button>
      </>
    );
  } else if (query.cancelled) {
    state = 'cancelled';
    body = (
      <>
        <span>{label ? `${label}: cancelled.` : 'Cancelled.'}</span>
        <button type="button" className="hx-button hx-button-small" onClick={query.retry} data-testid="query-retry">
          Run again
        </button>
      </>
    );
  } else if (query.error) {
    state = 'error';
    body = (
      <>
        <span className="text-critical" data-testid="query-error">
          {label ? `${label}: ` : ''}
          {query.error}
        </span>
        <button type="button" className="hx-button hx-button-small" onClick={query.retry} data-testid="query-retry">
          Try again
        </button>
      </>
    );
  } else if (query.data) {
    state = 'done';
    const { stats, cached } = query.data;
    body = (
      <span title={stats.queryId ? `query ${stats.queryId}` : undefined}>
        {label ? `${label}: ` : ''}
        {describeStats(stats)}
        {cached && <span className="hx-cached"> · cached</span>}
      </span>
    );
  } else {
    state = 'waiting';
    body = <span>Waiting…</span>;
  }
  return (
    <div className="hx-status" data-testid="query-status" data-state={state} role="status">
      {body}
    </div>
  );
}
