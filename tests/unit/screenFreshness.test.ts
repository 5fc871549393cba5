import { describe, expect, it } from 'vitest';
import type { Alert, LiveSnapshot } from '@/lib/live';
import { liveSnapshot } from './liveFixture';
import { assessFreshness, silenceThresholdMs } from '@/components/hooks/freshness';
import { mergeAlerts, nextLiveState } from '@/components/hooks/liveSnapshotQuery';

/** What a screen concludes about its own data: the logic behind the wall's STALE banners. */
const NOW = 1_800_000_000_000;

function snapshot(over: Partial<LiveSnapshot> = {}, eventsPerMinute = 60): LiveSnapshot {
  return liveSnapshot(NOW, {
    newestEventTime: NOW - 1000,
    newestReceivedAt: NOW - 1000,
    series: Array.from({ length: 60 }, (_, i) => ({ minute: NOW - (59 - i) * 60_000, activeUsers: 1, revenueMinor: 0, orders: 0, events: eventsPerMinute })),
    pipeline: { eventsPerSecond: 1, acceptedTotal: 1, processedTotal: 1, rejectedTotal: 0, duplicatesTotal: 0, deadLetters: 0, backlog: 0, lagMsP50: 1, lagMsP99: 1 },
    alerts: [],
    ...over,
  });
}

const live = { status: 'live' as const, socketDownSince: null };

describe('assessFreshness', () => {
  it('is fresh while snapshots and events keep arriving', () => {
    expect(assessFreshness({ ...live, snapshot: snapshot(), receivedAt: NOW - 500, now: NOW }).state).toBe('fresh');
  });

  it('turns stale when no new snapshot arrived for more than 10 s, even with the socket up', () => {
    const r = assessFreshness({ ...live, snapshot: snapshot(), receivedAt: NOW - 10_001, now: NOW });
    expect(r).toMatchObject({ state: 'stale', dataAgeMs: 10_001 });
  });

  it('ignores a socket blip shorter than 3 s, then says disconnected', () => {
    const base = { snapshot: snapshot(), receivedAt: NOW - 500, status: 'reconnecting' as const };
    expect(assessFreshness({ ...base, socketDownSince: NOW - 2_000, now: NOW }).state).toBe('fresh');
    expect(assessFreshness({ ...base, socketDownSince: NOW - 3_001, now: NOW }).state).toBe('disconnected');
  });

  it('measures event age on the server clock, so a skewed screen clock does not matter', () => {
    // the screen clock is 1 h ahead of the server: the snapshot's own times still agree
    const skewed = snapshot({ computedAt: NOW - 3_600_000, newestReceivedAt: NOW - 3_600_000 - 2_000 });
    const r = assessFreshness({ ...live, snapshot: skewed, receivedAt: NOW - 1_000, now: NOW });
    expect(r).toMatchObject({ state: 'fresh', eventAgeMs: 3_000 });
  });

  it('says silent when events stopped for far longer than usual, but not for an idle shop', () => {
    const busy = snapshot({ newestReceivedAt: NOW - 61_000 });
    expect(assessFreshness({ ...live, snapshot: busy, receivedAt: NOW, now: NOW }).state).toBe('silent');
    const idle = snapshot({ newestReceivedAt: NOW - 600_000 }, 0);
    expect(assessFreshness({ ...live, snapshot: idle, receivedAt: NOW, now: NOW }).state).toBe('fresh');
    expect(silenceThresholdMs(snapshot({}, 0.1))).toBeCloseTo(6_000_000); // 6 events an hour: 10 usual gaps of 10 min
    expect(silenceThresholdMs(snapshot({}, 60))).toBe(60_000); // 1 event/s: the 60 s floor
  });
});

describe('nextLiveState', () => {
  it('never lets an older snapshot (a slow poll) replace a newer one', () => {
    const held = nextLiveState(undefined, snapshot({ computedAt: NOW }), [], NOW);
    expect(nextLiveState(held, snapshot({ computedAt: NOW - 100 }), [], NOW + 50)).toBe(held);
    const newer = nextLiveState(held, snapshot({ computedAt: NOW + 100 }), [], NOW + 150);
    expect(newer.receivedAt).toBe(NOW + 150);
  });

  it('keeps pushed alerts the snapshot does not list yet, newest first, once each', () => {
    const alert = (id: string, firedAt: number): Alert => ({
      id, kind: 'high_value', severity: 'warning', title: id, message: id, eventId: id, userId: 'u', productId: null,
      amountMinor: 1, currency: 'EUR', shopAmountMinor: 1, score: 0, reasons: [], eventTime: firedAt, firedAt, ruleId: null, dedupKey: null, value: null,
    });
    const merged = mergeAlerts([alert('a', 1), alert('b', 3)], [alert('b', 3), alert('c', 2)]);
    expect(merged.map((a) => a.id)).toEqual(['b', 'c', 'a']);
    const state = nextLiveState(undefined, snapshot({ alerts: [alert('a', 1)] }), [alert('pushed', 5)], NOW);
    expect(state.snapshot.alerts.map((a) => a.id)).toEqual(['pushed', 'a']);
  });
});
