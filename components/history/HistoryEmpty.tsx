'use client';

import { useSyncExternalStore } from 'react';
import { formatSpan } from '@/lib/format';
import type { HistoryIndex } from '@/lib/history';

const noSubscribe = () => () => {};
const getOrigin = () => window.location.origin;
const getServerOrigin = () => 'http://localhost:3000';

/** The lake holds no event yet: when new ones show up, and how to fill the past. */
export function HistoryEmpty({ index }: { index: HistoryIndex }) {
  const origin = useSyncExternalStore(noSubscribe, getOrigin, getServerOrigin);
  const within = formatSpan(Math.max(1_000, index.lake.visibleWithinMs));
  return (
    <section className="panel empty-state" data-testid="history-empty">
      <h2>No history yet</h2>
      <p>
        The data lake ({index.lake.kind === 's3' ? 'S3' : 'a local folder'}, <code className="hx-location">{index.lake.location}</code>) holds no
        events. Events sent to Pulse are written to it as they arrive and can be queried here within about {within}.
      </p>
      <div className="empty-steps">
        <div>
          <h3>Fill the last 30 days with simulated traffic</h3>
          <pre className="code">npm run lake:backfill -- --days 30</pre>
        </div>
        <div>
          <h3>Or send live traffic</h3>
          <pre className="code">{`npm run simulate -- --url ${origin} --key <ingest key>`}</pre>
        </div>
      </div>
      <p className="muted small">Queries run on {index.engine === 'athena' ? 'Athena' : 'DuckDB'}; this page checks again every minute.</p>
    </section>
  );
}
