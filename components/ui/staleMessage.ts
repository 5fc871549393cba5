import type { Freshness } from '@/components/hooks/freshness';
import type { ConnectionStatus } from '@/components/hooks/useLiveFeed';
import { formatSpan } from '@/lib/format';

export interface StaleMessage {
  level: 'critical' | 'warning';
  title: string;
  detail: string;
}

/** What a screen says when its numbers cannot be trusted as current; null when they can. */
export function staleMessage(freshness: Freshness, status: ConnectionStatus): StaleMessage | null {
  const { state, dataAgeMs, eventAgeMs } = freshness;
  const lastData = dataAgeMs === null ? 'no data received yet' : `last data ${formatSpan(dataAgeMs)} ago`;
  switch (state) {
    case 'disconnected':
      return {
        level: 'critical',
        title: 'Disconnected — reconnecting…',
        detail:
          status === 'reconnecting' && dataAgeMs !== null && dataAgeMs < 10_000
            ? `Live updates are down; numbers are polled over HTTP instead (${lastData}).`
            : `The server cannot be reached; ${lastData}. Numbers on screen may be out of date.`,
      };
    case 'stale':
      return {
        level: 'critical',
        title: `Stale — ${lastData}`,
        detail: 'The connection is up, but no new snapshot has arrived. Numbers on screen are out of date.',
      };
    case 'silent':
      return {
        level: 'warning',
        title: `No new events — last event received ${formatSpan(eventAgeMs ?? 0)} ago`,
        detail: 'Snapshots arrive, but the pipeline has received no events for far longer than usual.',
      };
    default:
      return null;
  }
}
