import { afterEach, describe, expect, it, vi } from 'vitest';
import { backlogKey, historyView, HOUR_MS, tenMinuteTicks, valueTicks } from '@/components/pipeline/historySeries';
import { pipelineHistorySchema, type PipelineHistory, type PipelineHistorySample } from '@/lib/pipelineHistory';
import { PipelineHistoryRing, startPipelineSampler, type PipelineReading } from '@/server/live/pipelineHistory';

const T0 = Date.UTC(2026, 10, 25, 18, 48, 0);

function reading(at: number, over: Partial<PipelineReading> = {}): PipelineReading {
  return { at, acceptedTotal: 0, processedTotal: 0, rejectedTotal: 0, deadLetters: 0, backlog: { live: 0 }, lagMsP50: null, lagMsP99: null, ...over };
}

describe('PipelineHistoryRing', () => {
  it('computes rates per second from the difference of two readings, over the time between them', () => {
    const ring = new PipelineHistoryRing(T0);
    const first = ring.record(reading(T0, { acceptedTotal: 1_000, processedTotal: 990, rejectedTotal: 7, lagMsP50: 4, lagMsP99: 30 }));
    // nothing to take a difference from yet: unknown, not zero
    expect(first).toMatchObject({ acceptedPerSecond: null, processedPerSecond: null, rejected: null, lagMsP50: 4, lagMsP99: 30 });

    // 12.5 s later (a late timer): 250 more accepted = 20/s, 200 more processed = 16/s
    const second = ring.record(reading(T0 + 12_500, { acceptedTotal: 1_250, processedTotal: 1_190, rejectedTotal: 10, deadLetters: 2, backlog: { live: 60, lake: 900 }, lagMsP50: 5, lagMsP99: 41 }));
    expect(second).toEqual({
      at: T0 + 12_500,
      acceptedPerSecond: 20,
      processedPerSecond: 16,
      backlog: { live: 60, lake: 900 },
      lagMsP50: 5,
      lagMsP99: 41,
      rejected: 3,
      deadLetters: 2,
    });
  });

  it('shows no lag for an interval in which nothing was processed (the percentiles are of older events)', () => {
    const ring = new PipelineHistoryRing(T0);
    ring.record(reading(T0, { processedTotal: 50, lagMsP50: 8, lagMsP99: 90 }));
    const idle = ring.record(reading(T0 + 10_000, { processedTotal: 50, lagMsP50: 8, lagMsP99: 90 }));
    expect(idle).toMatchObject({ processedPerSecond: 0, lagMsP50: null, lagMsP99: null });
    const busy = ring.record(reading(T0 + 20_000, { processedTotal: 51, lagMsP50: 9, lagMsP99: 95 }));
    expect(busy).toMatchObject({ processedPerSecond: 0.1, lagMsP50: 9, lagMsP99: 95 });
  });

  it('reads a total that went down as a store that started over: its value is the increase since', () => {
    const ring = new PipelineHistoryRing(T0);
    ring.record(reading(T0, { acceptedTotal: 90_000, processedTotal: 90_000, rejectedTotal: 40 }));
    const after = ring.record(reading(T0 + 10_000, { acceptedTotal: 30, processedTotal: 20, rejectedTotal: 1 }));
    expect(after).toMatchObject({ acceptedPerSecond: 3, processedPerSecond: 2, rejected: 1 });
  });

  it('never gives a rate for a reading that is not later than the one before', () => {
    const ring = new PipelineHistoryRing(T0);
    ring.record(reading(T0 + 10_000, { acceptedTotal: 10 }));
    expect(ring.record(reading(T0 + 10_000, { acceptedTotal: 20 }))).toMatchObject({ acceptedPerSecond: null, rejected: null });
  });

  it('keeps the newest `capacity` samples, oldest first', () => {
    const ring = new PipelineHistoryRing(T0, 360);
    for (let i = 0; i < 400; i++) ring.record(reading(T0 + i * 10_000, { acceptedTotal: i * 10 }));
    const samples = ring.list();
    expect(samples).toHaveLength(360);
    expect(samples[0].at).toBe(T0 + 40 * 10_000);
    expect(samples.at(-1)!.at).toBe(T0 + 399 * 10_000);
    // the oldest kept sample still has its rate: the previous reading is not forgotten with the sample
    expect(samples[0].acceptedPerSecond).toBe(1);
    // a copy: the caller cannot change the ring
    samples.length = 0;
    expect(ring.list()).toHaveLength(360);
  });

  it('copies backlog counts, so a later change to the reading does not rewrite history', () => {
    const ring = new PipelineHistoryRing(T0);
    const backlog = { live: 5 };
    ring.record(reading(T0, { backlog }));
    backlog.live = 500;
    expect(ring.list()[0].backlog).toEqual({ live: 5 });
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new PipelineHistoryRing(T0, 0)).toThrow(/positive whole number/);
  });
});

describe('startPipelineSampler', () => {
  afterEach(() => vi.useRealTimers());

  it('reads at once and then every interval; `since` is when sampling began, so a restart starts over', async () => {
    vi.useFakeTimers({ now: T0 });
    let accepted = 0;
    const read = vi.fn(async () => ({ acceptedTotal: accepted, processedTotal: accepted, rejectedTotal: 0, deadLetters: 0, backlog: { live: 0 }, lagMsP50: 3, lagMsP99: 9 }));
    const sampler = startPipelineSampler({ read, intervalMs: 10_000 });
    expect(sampler.ring.since).toBe(T0);
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(1);
    accepted = 150;
    await vi.advanceTimersByTimeAsync(10_000);
    accepted = 150;
    await vi.advanceTimersByTimeAsync(10_000);
    const samples = sampler.ring.list();
    expect(samples.map((s) => [s.at - T0, s.acceptedPerSecond])).toEqual([
      [0, null],
      [10_000, 15],
      [20_000, 0],
    ]);
    // what the route answers must pass the schema the page parses with
    expect(pipelineHistorySchema.safeParse({ intervalMs: 10_000, since: sampler.ring.since, samples }).success).toBe(true);
    await sampler.stop();

    // a new process (a restart): its history begins now, with nothing from before
    vi.setSystemTime(T0 + 3_600_000);
    const restarted = startPipelineSampler({ read, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(restarted.ring.since).toBe(T0 + 3_600_000);
    expect(restarted.ring.list()).toHaveLength(1);
    expect(restarted.ring.list()[0].acceptedPerSecond).toBeNull();
    await restarted.stop();
  });

  it('holds an hour of samples whatever the interval', () => {
    vi.useFakeTimers({ now: T0 });
    const read = async () => ({ acceptedTotal: 0, processedTotal: 0, rejectedTotal: 0, deadLetters: 0, backlog: {}, lagMsP50: null, lagMsP99: null });
    const tenSeconds = startPipelineSampler({ read, intervalMs: 10_000 });
    const oneMinute = startPipelineSampler({ read, intervalMs: 60_000 });
    expect([tenSeconds.ring.capacity, oneMinute.ring.capacity]).toEqual([360, 60]);
    void tenSeconds.stop();
    void oneMinute.stop();
  });

  it('skips a failed reading and goes on; the next rate spans the gap', async () => {
    vi.useFakeTimers({ now: T0 });
    let call = 0;
    const read = vi.fn(async () => {
      call++;
      if (call === 2) throw new Error('redis down');
      return { acceptedTotal: call === 1 ? 0 : 200, processedTotal: 0, rejectedTotal: 0, deadLetters: 0, backlog: {}, lagMsP50: null, lagMsP99: null };
    });
    const sampler = startPipelineSampler({ read, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(read).toHaveBeenCalledTimes(3);
    expect(sampler.ring.list().map((s) => [s.at - T0, s.acceptedPerSecond])).toEqual([
      [0, null],
      [20_000, 10],
    ]);
    await sampler.stop();
  });

  it('never overlaps readings, and stops for good, waiting for the reading in flight', async () => {
    vi.useFakeTimers({ now: T0 });
    let inFlight = 0;
    let maxInFlight = 0;
    const read = vi.fn(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // slower than the interval
      await new Promise((r) => setTimeout(r, 25_000));
      inFlight--;
      return { acceptedTotal: 0, processedTotal: 0, rejectedTotal: 0, deadLetters: 0, backlog: {}, lagMsP50: null, lagMsP99: null };
    });
    const sampler = startPipelineSampler({ read, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(100_000);
    expect(maxInFlight).toBe(1);
    const calls = read.mock.calls.length;
    const stopped = sampler.stop();
    await vi.advanceTimersByTimeAsync(25_000);
    await stopped;
    expect(inFlight).toBe(0);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(read).toHaveBeenCalledTimes(calls);
    await sampler.stop();
  });
});

describe('historyView (the page\'s charts)', () => {
  const sample = (at: number, backlog: Record<string, number>, over: Partial<PipelineHistorySample> = {}): PipelineHistorySample => ({
    at,
    acceptedPerSecond: 1,
    processedPerSecond: 1,
    backlog,
    lagMsP50: 5,
    lagMsP99: 50,
    rejected: 0,
    deadLetters: 0,
    ...over,
  });
  const body = (since: number, samples: PipelineHistorySample[]): PipelineHistory => ({ intervalMs: 10_000, since, samples });

  it('shows the hour up to now, drops older samples and gives each consumer a line, the live state first', () => {
    const now = T0 + 2 * HOUR_MS;
    const view = historyView(
      body(T0, [
        sample(now - HOUR_MS - 10_000, { live: 9, zeta: 1 }),
        sample(now - 30 * 60_000, { lake: 400, live: 2 }),
        sample(now - 10_000, { live: 0 }, { acceptedPerSecond: null, lagMsP50: null }),
      ]),
      now,
    );
    expect([view.start, view.end]).toEqual([now - HOUR_MS, now]);
    // the whole hour is covered: nothing to mark
    expect(view.historyBegins).toBeNull();
    // zeta was only in the sample that fell out of the hour
    expect(view.consumers).toEqual(['live', 'lake']);
    expect(view.rows).toEqual([
      { at: now - 30 * 60_000, accepted: 1, processed: 1, lagP50: 5, lagP99: 50, [backlogKey('live')]: 2, [backlogKey('lake')]: 400 },
      // a consumer missing from a sample is a gap in its line, not a zero; so is a missing rate
      { at: now - 10_000, accepted: null, processed: 1, lagP50: null, lagP99: 50, [backlogKey('live')]: 0, [backlogKey('lake')]: null },
    ]);
    expect(view.newestAt).toBe(now - 10_000);
  });

  it('marks where history begins when the server started within the hour (after a restart)', () => {
    const now = T0 + 20 * 60_000;
    const view = historyView(body(T0, [sample(T0 + 10_000, { live: 0 })]), now);
    expect(view.historyBegins).toBe(T0);
    expect(view.start).toBe(now - HOUR_MS);
  });

  it('keeps a sample from a server clock slightly ahead of the browser on the chart', () => {
    const now = T0 + HOUR_MS;
    const view = historyView(body(T0 - HOUR_MS, [sample(now + 3_000, { live: 0 })]), now);
    expect(view.end).toBe(now + 3_000);
    expect(view.rows).toHaveLength(1);
  });

  it('has no rows and no newest time before the first sample', () => {
    const view = historyView(body(T0, []), T0 + 1_000);
    expect(view).toMatchObject({ rows: [], consumers: [], newestAt: null, historyBegins: T0 });
  });
});

describe('tenMinuteTicks', () => {
  it('marks :00, :10, … of the shop clock inside the window', () => {
    const start = Date.UTC(2026, 10, 25, 17, 53, 20);
    const end = start + HOUR_MS;
    const utcHour = (ts: number) => ts - (ts % HOUR_MS);
    expect(tenMinuteTicks(start, end, utcHour).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['18:00', '18:10', '18:20', '18:30', '18:40', '18:50']);
  });

  it('follows a zone whose hours do not start on UTC hours (Nepal, UTC+5:45)', () => {
    const offset = (5 * 60 + 45) * 60_000;
    const nepalHour = (ts: number) => ts - ((ts + offset) % HOUR_MS);
    const start = Date.UTC(2026, 10, 25, 12, 0, 0);
    const local = tenMinuteTicks(start, start + HOUR_MS, nepalHour).map((t) => new Date(t + offset).toISOString().slice(11, 16));
    expect(local).toEqual(['17:50', '18:00', '18:10', '18:20', '18:30', '18:40']);
  });
});

describe('valueTicks', () => {
  it('gives about four round steps from zero to at least the largest value', () => {
    expect(valueTicks(3_406, 4)).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
    expect(valueTicks(40_900, 4)).toEqual([0, 20_000, 40_000, 60_000]);
    expect(valueTicks(2_880, 40)).toEqual([0, 1_000, 2_000, 3_000]);
    // whole steps: counts of events have no halves
    expect(valueTicks(9, 4)).toEqual([0, 5, 10]);
  });

  it('reaches at least the minimum top, so an idle hour lies along the bottom', () => {
    expect(valueTicks(0, 4)).toEqual([0, 1, 2, 3, 4]);
    expect(valueTicks(0.3, 4)).toEqual([0, 1, 2, 3, 4]);
  });

  it('never leaves the largest value above the top mark', () => {
    for (const max of [1, 7, 13, 99, 101, 999, 1_001, 123_456, 0.7]) {
      const ticks = valueTicks(max, 0.5);
      expect(ticks.at(-1)!, String(max)).toBeGreaterThanOrEqual(max);
      expect(ticks.length, String(max)).toBeLessThanOrEqual(6);
    }
  });
});
