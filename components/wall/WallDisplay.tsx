'use client';

import { assessFreshness } from '@/components/hooks/freshness';
import { useLiveFeed } from '@/components/hooks/useLiveFeed';
import { useNow } from '@/components/hooks/useNow';
import { useWakeLock } from '@/components/hooks/useWakeLock';
import { ConnectionBadge } from '@/components/ui/ConnectionBadge';
import { Logo } from '@/components/ui/Logo';
import { Nav } from '@/components/ui/Nav';
import { staleMessage } from '@/components/ui/staleMessage';
import { formatSpan } from '@/lib/format';
import { WallAlerts } from './WallAlerts';
import { WallClock } from './WallClock';
import { WallTile } from './WallTile';
import { wallTiles } from './wallTiles';

/**
 * The on-call wall display: full screen, no interaction, runs for days. It holds nothing but
 * the current snapshot (whose alert list the server bounds), and it says loudly when what it
 * shows can no longer be trusted.
 */
export function WallDisplay() {
  const feed = useLiveFeed();
  const now = useNow();
  useWakeLock();
  const { snapshot: s, receivedAt } = feed;
  const freshness = now === null ? null : assessFreshness({ ...feed, now });
  const stale = freshness ? staleMessage(freshness, feed.status) : null;
  const serverNow = s && receivedAt !== null && now !== null ? s.computedAt + Math.max(0, now - receivedAt) : null;
  const tiles = s ? wallTiles(s) : null;

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
          <WallClock now={now} timeZone={s?.shop.timeZone ?? null} />
        </header>

        <div className="wall-body">
          <main className="wall-grid">
            {tiles ? tiles.map((tile) => <WallTile key={tile.id} tile={tile} />) : <div className="wall-waiting">Connecting…</div>}
          </main>
          {s && s.newestReceivedAt === null ? (
            <div className="wall-alerts wall-waiting">Waiting for the first events — nothing has been received yet.</div>
          ) : (
            s && <WallAlerts alerts={s.alerts} shop={s.shop} serverNow={serverNow} />
          )}
        </div>
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
