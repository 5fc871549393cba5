'use client';

import { Sparkline } from '@/components/charts/Sparkline';
import { assessFreshness } from '@/components/hooks/freshness';
import { useLiveFeed } from '@/components/hooks/useLiveFeed';
import { useNow } from '@/components/hooks/useNow';
import { useWakeLock } from '@/components/hooks/useWakeLock';
import { ConnectionBadge } from '@/components/ui/ConnectionBadge';
import { Logo } from '@/components/ui/Logo';
import { Nav } from '@/components/ui/Nav';
import { staleMessage } from '@/components/ui/staleMessage';
import { formatCompactNumber, formatNumber, formatPercent, formatSpan, formatWholeMoney } from '@/lib/format';
import { WallAlerts } from './WallAlerts';
import { WallClock } from './WallClock';
import { WallTile } from './WallTile';

const DASH = '—';

/**
 * The on-call wall display: full screen, no interaction, runs for days. It holds nothing but
 * the current snapshot (whose alert list the server bounds), and it says loudly when what it
 * shows can no longer be trusted.
 */
export function WallDisplay() {
  const feed = useLiveFeed();
  const now = useNow();
  useWakeLock();
  const { snapshot, receivedAt } = feed;
  const freshness = now === null ? null : assessFreshness({ ...feed, now });
  const stale = freshness ? staleMessage(freshness, feed.status) : null;
  const serverNow =
    snapshot && receivedAt !== null && now !== null ? snapshot.computedAt + Math.max(0, now - receivedAt) : null;
  const s = snapshot;
  const cart = s?.cartAbandonment;

  return (
    <div className={`wall ${stale ? `wall-untrusted wall-untrusted-${stale.level}` : ''}`} data-testid="wall" data-state={freshness?.state ?? 'waiting'}>
      <div className="wall-content">
        <header className="wall-top">
          <div className="wall-brand">
            <Logo className="logo logo-wall" />
            <Nav className="nav nav-wall" />
          </div>
          <div className="wall-status">
            <ConnectionBadge status={feed.status} className="wall-conn" />
            <span
              className="wall-freshness"
              data-testid="freshness"
              data-age-ms={freshness?.dataAgeMs ?? undefined}
              data-state={freshness?.state}
            >
              {freshness?.dataAgeMs == null ? 'no data yet' : `data ${formatSpan(freshness.dataAgeMs)} old`}
            </span>
            {s && !s.durable && <span className="wall-mode">in-memory ({s.mode})</span>}
          </div>
          <WallClock now={now} />
        </header>

        <main className="wall-grid">
          <WallTile
            label="Revenue today"
            display={s ? formatWholeMoney(s.revenue.todayMinor) : DASH}
            value={s?.revenue.todayMinor}
            testId="revenue-today"
            sub="since 00:00 UTC"
          />
          <WallTile
            label="Revenue this hour"
            display={s ? formatWholeMoney(s.revenue.thisHourMinor) : DASH}
            value={s?.revenue.thisHourMinor}
            testId="revenue-hour"
            sub={s ? `last 60 min ${formatWholeMoney(s.revenue.lastHourMinor)}` : undefined}
          />
          <WallTile
            label="Active users"
            display={s ? formatCompactNumber(s.activeUsers.current) : DASH}
            value={s?.activeUsers.current}
            testId="active-users"
            sub={s ? `last ${s.activeUsers.windowMinutes} min` : undefined}
          />
          <WallTile
            label="Events / s"
            display={s ? formatNumber(s.pipeline.eventsPerSecond, s.pipeline.eventsPerSecond < 10 ? 1 : 0) : DASH}
            value={s?.pipeline.eventsPerSecond}
            testId="events-per-second"
            sub={s ? pipelineSummary(s.pipeline.backlog, s.pipeline.deadLetters) : undefined}
          />
          <WallTile
            label="Orders, last 60 min"
            display={s ? formatCompactNumber(s.orders.lastHour) : DASH}
            value={s?.orders.lastHour}
            testId="orders-last-hour"
            className="wall-tile-wide"
            sub={s ? `${formatNumber(s.orders.thisMinute)} this minute · per minute, last hour` : undefined}
          >
            {s && <Sparkline values={s.series.map((p) => p.orders)} color="#2dd4bf" className="wall-spark" />}
          </WallTile>
          <WallTile
            label="Conversion"
            display={s ? formatPercent(s.conversion.rate) : DASH}
            value={s?.conversion.rate}
            testId="conversion"
            sub={s ? `${formatNumber(s.conversion.sessionsWithPurchase)} of ${formatNumber(s.conversion.sessions)} sessions` : undefined}
          />
          <WallTile
            label="Cart abandonment"
            display={!cart ? DASH : cart.rate === null ? 'n/a' : formatPercent(cart.rate)}
            value={cart?.rate}
            testId="cart-abandonment"
            sub={
              !cart
                ? undefined
                : cart.rate === null
                  ? `not enough data (${cart.cartsCreated} of ${cart.minimumCarts} carts)`
                  : `${formatNumber(cart.cartsCreated)} carts`
            }
            data={cart ? { 'carts-created': cart.cartsCreated } : undefined}
          />
        </main>

        {s && s.newestReceivedAt === null ? (
          <div className="wall-waiting">Waiting for the first events — nothing has been received yet.</div>
        ) : (
          <WallAlerts alerts={s?.alerts ?? []} serverNow={serverNow} />
        )}
      </div>

      {stale && (
        <div className={`wall-banner wall-banner-${stale.level}`} role="alert" data-testid="stale-banner" data-state={freshness?.state}>
          <div className="wall-banner-title">{stale.title}</div>
          <div className="wall-banner-detail">{stale.detail}</div>
        </div>
      )}
    </div>
  );
}

function pipelineSummary(backlog: number, deadLetters: number): string {
  const parts = [`backlog ${formatCompactNumber(backlog)}`];
  if (deadLetters > 0) parts.push(`${formatCompactNumber(deadLetters)} dead letters`);
  return parts.join(' · ');
}
