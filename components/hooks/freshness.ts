import type { LiveSnapshot } from '@/lib/live';
import type { ConnectionStatus } from './useLiveFeed';

/**
 * How much a screen can trust what it shows. Ages are measured so that a skewed client clock
 * does not matter: the snapshot's age on the local clock since it arrived, and the newest
 * event's age on the server clock (computedAt − newestReceivedAt) plus the time since then.
 */
export type FreshnessState =
  /** no snapshot yet */
  | 'waiting'
  /** socket down for a while: whatever is shown may be old */
  | 'disconnected'
  /** no new snapshot for a while, although the socket looks up */
  | 'stale'
  /** snapshots flow but no events have been received for much longer than usual */
  | 'silent'
  | 'fresh';

export interface Freshness {
  state: FreshnessState;
  /** time since the newest snapshot arrived */
  dataAgeMs: number | null;
  /** time since the server received the newest processed event */
  eventAgeMs: number | null;
}

/** No new snapshot for longer than this is stale (the server sends one every 1–2 s). */
export const STALE_AFTER_MS = 10_000;
/** A socket blip shorter than this does not paint the screen red. */
export const DISCONNECTED_AFTER_MS = 3_000;
/** Silence is suspicious after max(this, SILENCE_GAPS × the usual gap between events). */
export const SILENT_AFTER_MS = 60_000;
const SILENCE_GAPS = 10;

export function assessFreshness(input: {
  snapshot: LiveSnapshot | undefined;
  receivedAt: number | null;
  status: ConnectionStatus;
  socketDownSince: number | null;
  now: number;
}): Freshness {
  const { snapshot, receivedAt, status, socketDownSince, now } = input;
  const dataAgeMs = receivedAt === null ? null : Math.max(0, now - receivedAt);
  const eventAgeMs =
    snapshot && receivedAt !== null && snapshot.newestReceivedAt !== null
      ? Math.max(0, snapshot.computedAt - snapshot.newestReceivedAt + (dataAgeMs ?? 0))
      : null;
  const result = (state: FreshnessState): Freshness => ({ state, dataAgeMs, eventAgeMs });

  const socketDownFor = status === 'live' || socketDownSince === null ? 0 : now - socketDownSince;
  if (status === 'offline' || socketDownFor > DISCONNECTED_AFTER_MS) return result('disconnected');
  if (!snapshot || dataAgeMs === null) return result('waiting');
  if (dataAgeMs > STALE_AFTER_MS) return result('stale');
  if (eventAgeMs !== null && eventAgeMs > silenceThresholdMs(snapshot)) return result('silent');
  return result('fresh');
}

/**
 * How long without events counts as suspicious, from the last hour's traffic: a shop doing
 * 600 events an hour goes quiet for 60 s only when something broke; one doing 10 an hour does
 * so all the time. Infinity when nothing flowed in the last hour (an idle shop is not stale).
 */
export function silenceThresholdMs(snapshot: LiveSnapshot): number {
  const eventsLastHour = snapshot.series.reduce((sum, point) => sum + point.events, 0);
  if (eventsLastHour === 0) return Infinity;
  const usualGapMs = (snapshot.series.length * 60_000) / eventsLastHour;
  return Math.max(SILENT_AFTER_MS, SILENCE_GAPS * usualGapMs);
}
