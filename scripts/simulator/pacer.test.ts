import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer';
import { createRandom } from './random';
import { createTraffic } from './simulator';

describe('Pacer', () => {
  it('holds the target rate over irregular ticks', () => {
    const rng = createRandom(1);
    const pacer = new Pacer(50, 0);
    let now = 0;
    let total = 0;
    while (now < 60_000) {
      now += rng.int(20, 180);
      total += pacer.due(now);
    }
    expect(Math.abs(total - (now * 50) / 1000)).toBeLessThanOrEqual(1);
  });

  it('handles rates below one event per second', () => {
    const pacer = new Pacer(0.5, 0);
    const emittedAt: number[] = [];
    for (let now = 100; now <= 10_000; now += 100) if (pacer.due(now) > 0) emittedAt.push(now);
    expect(emittedAt).toEqual([2000, 4000, 6000, 8000, 10_000]);
  });

  it('does not flood after a stall, and skip() forgets paused time', () => {
    const pacer = new Pacer(100, 0);
    expect(pacer.due(30_000)).toBe(100); // 30 s stall: at most one second of events
    pacer.skip(60_000);
    expect(pacer.due(60_100)).toBe(10);
  });
});

describe('Traffic', () => {
  const run = (rate: number, seconds: number, patternsPerHour = 20) => {
    const traffic = createTraffic({ seed: 3, rng: createRandom(3), rate, start: 0, patternsPerHour, newId: (() => { let i = 0; return () => `id${++i}`; })() });
    const pacer = new Pacer(rate, 0);
    const events = [];
    const perSecond = new Map<number, number>();
    for (let now = 100; now <= seconds * 1000; now += 100) {
      const batch = traffic.take(now, pacer.due(now));
      events.push(...batch.map((e) => ({ ...e, at: now })));
      perSecond.set(Math.ceil(now / 1000), (perSecond.get(Math.ceil(now / 1000)) ?? 0) + batch.length);
    }
    return { traffic, events, perSecond };
  };

  it('emits exactly the paced number of events, spread across concurrent sessions', () => {
    const { events, perSecond, traffic } = run(50, 120);
    expect(events.length).toBe(6000);
    expect(Math.min(...perSecond.values())).toBe(50);
    expect(Math.max(...perSecond.values())).toBe(50);
    // at ~4.5 s mean think time, 50 events/s needs a couple of hundred sessions in flight
    expect(traffic.activeActors).toBeGreaterThan(100);
    expect(traffic.activeActors).toBeLessThan(600);
  });

  it('lets sessions progress with their think times once warmed up', () => {
    const { events } = run(20, 300);
    const late = events.filter((e) => e.at > 60_000);
    const bySession = new Map<string, number[]>();
    for (const e of late) bySession.set(e.session_id!, [...(bySession.get(e.session_id!) ?? []), Date.parse(e.timestamp)]);
    const gaps = [...bySession.values()].flatMap((ts) => ts.slice(1).map((t, i) => t - ts[i]));
    const tooLate = gaps.filter((g) => g > 20_000).length;
    expect(gaps.length).toBeGreaterThan(1000);
    expect(tooLate / gaps.length).toBeLessThan(0.02);
  });

  it('starts fraud patterns on their schedule, not in proportion to the traffic', () => {
    const patterns = (t: ReturnType<typeof run>['traffic']) =>
      t.started.burst + t.started.country_hop + t.started.outsized_amount + t.started.takeover + t.started.high_value;
    // 120 an hour is one every 30 s on average: about 10 in 300 s at 20 and at 200 events/s
    for (const rate of [20, 200]) {
      const { traffic } = run(rate, 300, 120);
      expect(patterns(traffic)).toBeGreaterThanOrEqual(8);
      expect(patterns(traffic)).toBeLessThanOrEqual(12);
      expect(traffic.started.session).toBeGreaterThan(rate * 10);
    }
    expect(patterns(run(20, 300, 0).traffic)).toBe(0);
  });
});
