'use client';

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { groupAlerts } from '@/lib/alertGroups';
import { formatNumber } from '@/lib/format';
import type { Alert, LiveSnapshot } from '@/lib/live';
import { WallAlertCard } from './WallAlertCard';

const useBrowserLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/** Alerts younger than this are drawn as new. */
const RECENT_MS = 5 * 60_000;
/** More cards than this never fit any screen; they are not even laid out to be measured. */
const MOST_MEASURED = 24;

/**
 * The alert column: one card per purchase (groupAlerts), most severe and newest first, and only
 * as many as fit whole at the current size, then "+N more". How many fit is measured, not
 * guessed: all candidates are laid out, the ones whose bottom edge passes the list's are
 * dropped, before the browser paints. Measured again when the list's box changes size, when
 * the alerts change and when fonts load.
 */
export function WallAlerts({ alerts, shop, serverNow }: { alerts: Alert[]; shop: LiveSnapshot['shop']; serverNow: number | null }) {
  const groups = useMemo(() => groupAlerts(alerts), [alerts]);
  const listRef = useRef<HTMLDivElement | null>(null);
  const [box, setBox] = useState('');
  const [fontsVersion, setFontsVersion] = useState(0);
  // the ages on the cards change every second, and a longer one may wrap a line
  const second = serverNow === null ? 0 : Math.floor(serverNow / 1_000);
  const contentKey = `${box}|${fontsVersion}|${second}|${groups.map((g) => `${g.key}:${g.alerts.length}`).join(',')}`;
  const [fit, setFit] = useState<{ key: string; count: number } | null>(null);
  const measuring = fit === null || fit.key !== contentKey;
  const shown = measuring ? groups.slice(0, MOST_MEASURED) : groups.slice(0, fit.count);
  const hidden = groups.length - shown.length;

  useBrowserLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    // The box the cards may use. On a phone the list's height follows its content up to a
    // max-height: that cap is the box, so showing fewer cards (a shorter list) is no resize.
    const observe = () => {
      const cap = parseFloat(getComputedStyle(list).maxHeight);
      setBox(`${list.clientWidth}x${Number.isFinite(cap) ? Math.round(cap) : list.clientHeight}`);
    };
    observe();
    const observer = new ResizeObserver(observe);
    observer.observe(list);
    let alive = true;
    document.fonts?.ready.then(() => alive && setFontsVersion((v) => v + 1)).catch(() => undefined);
    return () => {
      alive = false;
      observer.disconnect();
    };
  }, []);

  useBrowserLayoutEffect(() => {
    if (!measuring) return;
    const list = listRef.current;
    if (!list) return;
    // fractional pixels: clientHeight is rounded, the rectangles are not
    const bottom = list.getBoundingClientRect().bottom;
    let count = 0;
    for (const card of Array.from(list.children)) {
      if (card.getBoundingClientRect().bottom > bottom + 0.01) break;
      count++;
    }
    setFit({ key: contentKey, count });
  });

  return (
    <section className="wall-alerts" data-testid="alert-feed" data-alert-groups={groups.length} data-shown={measuring ? undefined : shown.length}>
      <h2 className="wall-alerts-label">
        Alerts{groups.length > 0 && <span className="wall-alerts-count"> · {formatNumber(groups.length)}</span>}
      </h2>
      <div className="wall-alerts-list" ref={listRef}>
        {groups.length === 0 && <div className="wall-alerts-empty">No alerts</div>}
        {shown.map((group) => (
          <WallAlertCard
            key={group.key}
            group={group}
            shop={shop}
            serverNow={serverNow}
            recent={serverNow !== null && serverNow - group.firedAt < RECENT_MS}
          />
        ))}
      </div>
      <div className="wall-alerts-more" data-testid="alerts-more" aria-hidden={measuring || hidden === 0} data-hidden-count={measuring ? undefined : hidden}>
        {!measuring && hidden > 0 ? `+${formatNumber(hidden)} more` : '\u00a0'}
      </div>
    </section>
  );
}
