import { Panel } from '@/components/ui/Panel';
import { formatShare } from '@/components/ui/numbers';
import { formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';
import { WindowMeta } from './WindowMeta';

/** Sessions in the window → with a page view → with an add-to-cart → with a purchase. */
export function FunnelPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const f = snapshot.funnel;
  const steps = [
    { key: 'sessions', label: 'Sessions', count: f.sessions, of: null },
    { key: 'viewed', label: 'Viewed a page', count: f.viewed, of: { count: f.sessions, what: 'of sessions' } },
    { key: 'carted', label: 'Added to cart', count: f.carted, of: { count: f.viewed, what: 'of those who viewed' } },
    { key: 'purchased', label: 'Purchased', count: f.purchased, of: { count: f.carted, what: 'of those with a cart' } },
  ] as const;
  const widest = Math.max(1, f.sessions, f.viewed, f.carted, f.purchased);
  return (
    <Panel title="Live funnel" meta={<WindowMeta snapshot={snapshot} minutes={f.windowMinutes} />} testId="funnel-panel">
      {f.sessions === 0 ? (
        <p className="muted">No sessions in the last {f.windowMinutes} minutes.</p>
      ) : (
        <ol className="funnel">
          {steps.map((step) => {
            const share = step.of ? formatShare(step.count, step.of.count) : null;
            return (
              <li key={step.key} className="funnel-step" data-testid="funnel-step" data-step={step.key} data-value={step.count}>
                <span className="funnel-label">{step.label}</span>
                <span className="funnel-count">{formatNumber(step.count)}</span>
                <span className="funnel-track" aria-hidden="true">
                  <span className="funnel-fill" style={{ width: `${(step.count / widest) * 100}%` }} />
                </span>
                <span className="funnel-share" data-testid="funnel-share">
                  {step.of ? (share === null ? '—' : `${share} ${step.of.what}`) : 'with any event'}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </Panel>
  );
}
