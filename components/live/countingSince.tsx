import { formatTimeIn } from '@/lib/shopTime';
import type { LiveSnapshot } from '@/lib/live';
import { windowStart } from '@/lib/metrics';

type Shop = LiveSnapshot['shop'];

/** The first instant of a trailing window of `minutes` minute buckets, at the snapshot's time. */
export function windowFrom(snapshot: LiveSnapshot, minutes: number): number {
  return windowStart(snapshot.computedAt, minutes);
}

/**
 * When counting began, if that was after `from`: a window reaching back before it covers less
 * than its name says (after a restart in embedded mode, or on a fresh store). Null when the
 * window is whole or the start is unknown.
 */
export function countingBeganAfter(shop: Shop, from: number): number | null {
  return shop.countingSince !== null && shop.countingSince > from ? shop.countingSince : null;
}

/** "counting since 18:48", in the shop's time zone */
export function countingSinceText(shop: Shop, since: number): string {
  return `counting since ${formatTimeIn(shop.timeZone, since)}`;
}

/** The note a panel or tile shows when its window began before counting did; nothing otherwise. */
export function CountingSince({ shop, from }: { shop: Shop; from: number }) {
  const since = countingBeganAfter(shop, from);
  if (since === null) return null;
  return (
    <span className="counting-since" data-testid="counting-since" data-since={since} title="Numbers before this time were not counted (the server started then); the window is partial">
      {countingSinceText(shop, since)}
    </span>
  );
}
