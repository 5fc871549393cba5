import { eventRulesFrom } from '@/server/rules/eventRules';
import { describe, expect, it } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import { hourOf } from '@/lib/metrics';
import { figuresFromBuckets, snapshotRanges, type MinuteView } from '@/server/pipeline/bucketMetrics';
import { shopSettings } from '@/server/shop';
import { addMinute, emptyMinute, sessionKeyOf, type EngineState, type MinuteDelta } from '@/server/pipeline/effects';
import { runEngine, stateRequestFor } from '@/server/pipeline/engine';
import { DEFAULT_FRAUD_WEIGHTS } from '@/server/pipeline/fraud';
import type { LogRecord } from '@/server/ports';
import { ev } from '../helpers/events';

const NOW = Date.parse('2026-11-25T12:30:30Z');
const at = (hhmmss: string) => Date.parse(`2026-11-25T${hhmmss}Z`);
const rules = eventRulesFrom({ fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: DEFAULT_FRAUD_WEIGHTS });
const shop = shopSettings();
const opts = (attempt = 1) => ({ rules, shop, now: NOW, attempt, deadLetterFrom: 3, entryIdOf: () => 'p0:1' });
const empty = (): EngineState => ({ users: new Map(), sessions: new Map(), stock: new Map() });
let offset = 0;
const recs = (events: PulseEvent[]): LogRecord[] => events.map((event) => ({ offset: ++offset, event, appendedAt: NOW - 5 }));

/** applies effects to plain buckets the way every store does, then reads the figures back */
function figures(deltas: Map<number, MinuteDelta>[]) {
  const buckets = new Map<number, MinuteDelta>();
  for (const d of deltas) {
    for (const [m, x] of d) {
      const b = buckets.get(m) ?? emptyMinute();
      addMinute(b, x);
      buckets.set(m, b);
    }
  }
  return figuresFromBuckets(NOW, shop, snapshotRanges(NOW, shop.cartAbandonAfterMs), (m): MinuteView | undefined => {
    const b = buckets.get(m);
    return b ? { ...b, distinctUsers: b.users.size } : undefined;
  });
}

describe('processing engine', () => {
  it('asks for every user, session and purchased product of the delivery', () => {
    const r = recs([
      ev({ ts: at('12:20:00'), userId: 'a', sessionId: 's', type: 'page_view' }),
      ev({ ts: at('12:21:00'), userId: 'b', type: 'purchase', amountMinor: 1, items: [{ productId: 'p', quantity: 1, priceMinor: 1 }] }),
    ]);
    expect(stateRequestFor(r)).toEqual({ users: ['a', 'b'], sessions: [sessionKeyOf('a', 's'), sessionKeyOf('b', null)], products: ['p'] });
  });

  it('moves a session from the bucket of its old last event to that of the new one, across deliveries', () => {
    const first = runEngine(recs([ev({ ts: at('12:10:00'), userId: 'u', sessionId: 's', type: 'page_view', page: '/a' })]), empty(), opts());
    const state = empty();
    for (const [k, s] of first.effects.sessions) state.sessions.set(k, s);
    for (const [k, u] of first.effects.users) state.users.set(k, u);
    const second = runEngine(recs([ev({ ts: at('12:28:00'), userId: 'u', sessionId: 's', type: 'page_view', page: '/b' })]), state, opts());
    expect(second.effects.minutes.get(at('12:10:00'))).toMatchObject({ sessions: -1, usersLast: -1 });
    expect(second.effects.minutes.get(at('12:28:00'))).toMatchObject({ sessions: 1, sessionDurationMs: 18 * 60_000, sessionPages: 2, usersLast: 1 });
    const f = figures([first.effects.minutes, second.effects.minutes]);
    expect(f.sessions).toMatchObject({ sessions: 1, active: 1, avgDurationSeconds: 18 * 60, avgUniquePages: 2 });
    expect(f.activeUsers).toBe(1);
    expect(second.effects.users.get('u')).toMatchObject({ version: 2, totalEvents: 2 });
  });

  it('leaves sessions alone for events older than their retention, but counts them for the user', () => {
    const r = runEngine(recs([ev({ ts: Date.parse('1970-01-01T00:00:00Z'), userId: 'old', sessionId: 's', type: 'page_view' })]), empty(), opts());
    expect(r.effects.sessions.size).toBe(0);
    expect(r.effects.minutes.size).toBe(0);
    expect(r.effects.users.get('old')).toMatchObject({ totalEvents: 1 });
  });

  it('counts event types spelled like object properties exactly', () => {
    const types = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const r = runEngine(recs(types.flatMap((type) => [ev({ ts: at('12:20:00'), userId: type, type }), ev({ ts: at('12:20:00'), userId: 'x', type })])), empty(), opts());
    const f = figures([r.effects.minutes]);
    expect(Object.entries(f.eventsByType).sort()).toEqual(types.map((t) => [t, 2]).sort());
    expect(r.effects.users.get('x')!.eventsByType).toEqual(types.map((t) => [t, 1]));
    expect(Object.getPrototypeOf(f.eventsByType)).toBe(Object.prototype);
  });

  it('scores purchases of one user in order within a delivery', () => {
    const buys = [0, 1, 2, 3, 4].map((i) => ev({ ts: at(`12:2${i}:00`), userId: 'f', type: 'purchase', amountMinor: 1000 }));
    const r = runEngine(recs(buys), empty(), opts());
    // the fifth purchase has four in the previous 10 minutes: velocity only, 0.4
    expect(r.effects.alerts).toEqual([]);
    expect(r.effects.users.get('f')!.recentPurchaseTimes).toHaveLength(5);
  });

  it('decrements only tracked stock and alerts when it crosses the threshold', () => {
    const state = empty();
    state.stock.set('p1', 6);
    const buy = ev({ ts: at('12:20:00'), userId: 'u', type: 'purchase', amountMinor: 100, items: [{ productId: 'p1', quantity: 2, priceMinor: 50 }, { productId: 'untracked', quantity: 1, priceMinor: 50 }] });
    const r = runEngine(recs([buy]), state, opts());
    expect([...r.effects.stock]).toEqual([['p1', -2]]);
    expect(r.effects.alerts.map((a) => a.id)).toEqual([`low_stock:p1:${buy.eventId}`]);
  });

  it('reports a malformed record, and makes it a dead letter on the last attempt while its neighbours apply', () => {
    const bad = ev({ ts: at('12:20:00'), userId: 'bad', type: 'purchase', amountMinor: 100, items: null as never });
    const good = ev({ ts: at('12:20:00'), userId: 'good', type: 'page_view' });
    const early = runEngine(recs([bad, good]), empty(), opts(1));
    expect(early.failures.map((f) => f.error)).toEqual(['items: not a list']);
    expect(early.effects.deadLetters).toEqual([]);
    const last = runEngine(recs([bad, good]), empty(), opts(3));
    expect(last.effects.deadLetters).toMatchObject([{ eventId: bad.eventId, attempts: 3 }]);
    expect(last.effects.deadLetters[0].error).toMatch(/items: not a list \(log entry p0:1, offset \d+\)/);
    expect(last.effects.processed).toBe(1);
    expect([...last.effects.users.keys()]).toEqual(['good']);
  });
});
