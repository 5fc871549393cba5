'use client';

import { useSyncExternalStore } from 'react';

const noSubscribe = () => () => {};
const getOrigin = () => window.location.origin;
const getServerOrigin = () => 'http://localhost:3000';

/** Shown until the first event is processed: how to get some. */
export function EmptyState() {
  const origin = useSyncExternalStore(noSubscribe, getOrigin, getServerOrigin);
  const curl = [
    `curl -X POST ${origin}/api/events \\`,
    `  -H 'Authorization: Bearer <ingest key>' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"timestamp":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","user_id":"user_1","event_type":"purchase","properties":{"amount":42.5}}'`,
  ].join('\n');
  return (
    <section className="panel empty-state" data-testid="empty-state">
      <h2>Waiting for the first events</h2>
      <p>
        Nothing has been received yet, so every panel would read zero. Send some traffic and this page
        fills in within a second.
      </p>
      <div className="empty-steps">
        <div>
          <h3>Simulate a shop</h3>
          <pre className="code">{`npm run simulate -- --url ${origin} --key <ingest key>`}</pre>
        </div>
        <div>
          <h3>Or post an event yourself</h3>
          <pre className="code">{curl}</pre>
        </div>
      </div>
      <p className="muted small">
        Ingest keys come from <code>INGEST_API_KEYS</code> on the server. The reference tracker,{' '}
        <code>/tracker.js</code>, sends the same format from a browser.
      </p>
    </section>
  );
}
