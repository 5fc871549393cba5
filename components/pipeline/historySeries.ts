import type { PipelineHistory } from '@/lib/pipelineHistory';

/**
 * The pipeline history (`GET /api/pipeline/history`) shaped for the page's three charts: one row
 * per sample, a fixed one-hour window ending now, and where history begins when the server has
 * sampled for less than that hour. Pure, so the edge cases are tested without a browser.
 */

export const HOUR_MS = 60 * 60_000;
const TICK_STEP_MS = 10 * 60_000;

export interface HistoryRow {
  at: number;
  accepted: number | null;
  processed: number | null;
  lagP50: number | null;
  lagP99: number | null;
  /** `backlog:<consumer>` → events; absent where the consumer was not reported */
  [backlogKey: `backlog:${string}`]: number | null;
}

export interface HistoryView {
  rows: HistoryRow[];
  /** every consumer with a backlog in the window, the live consumer first, then by name */
  consumers: string[];
  /** the x axis: the hour before `end` */
  start: number;
  end: number;
  /**
   * when the server began sampling, if that is inside the hour: nothing before it is known, so
   * the charts mark it and the page says "history since …". Null when the whole hour is covered.
   */
  historyBegins: number | null;
  /** the newest sample's time; null before the first */
  newestAt: number | null;
}

export const backlogKey = (consumer: string): `backlog:${string}` => `backlog:${consumer}`;

const LIVE_CONSUMER = 'live';

export function historyView(history: PipelineHistory, now: number): HistoryView {
  const newestAt = history.samples.at(-1)?.at ?? null;
  // the window ends at the newest of now and the newest sample, so a server clock slightly ahead
  // of this browser's does not push its last sample off the right edge
  const end = Math.max(now, newestAt ?? now);
  const start = end - HOUR_MS;
  const inWindow = history.samples.filter((s) => s.at >= start);
  const names = new Set<string>();
  for (const s of inWindow) for (const name of Object.keys(s.backlog)) names.add(name);
  const consumers = [...names].sort((a, b) => (a === LIVE_CONSUMER ? -1 : b === LIVE_CONSUMER ? 1 : a.localeCompare(b)));

  const rows = inWindow.map((s) => {
    const row: HistoryRow = {
      at: s.at,
      accepted: s.acceptedPerSecond,
      processed: s.processedPerSecond,
      lagP50: s.lagMsP50,
      lagP99: s.lagMsP99,
    };
    for (const name of consumers) row[backlogKey(name)] = Object.hasOwn(s.backlog, name) ? s.backlog[name] : null;
    return row;
  });
  return { rows, consumers, start, end, historyBegins: history.since > start ? history.since : null, newestAt };
}

/**
 * Axis marks every ten minutes of the shop's clock inside [start, end]. `hourStart` gives the
 * first instant of the hour containing a time in the shop's zone, so a zone that is 5 h 45 min
 * off UTC still gets its marks on :00, :10, … rather than on :45, :55.
 */
export function tenMinuteTicks(start: number, end: number, hourStart: (ts: number) => number): number[] {
  const ticks: number[] = [];
  for (let t = hourStart(start); t <= end; t += TICK_STEP_MS) if (t >= start) ticks.push(t);
  return ticks;
}

/**
 * Round y-axis marks from zero to at least `max` (and at least `minTop`, so an idle hour is a
 * flat line at the bottom rather than a line in the middle of a 0–0 axis): about four steps of
 * 1, 2 or 5 times a power of ten (no 2.5: counts of events have no halves).
 */
export function valueTicks(max: number, minTop: number): number[] {
  const top = Math.max(max, minTop);
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  // tolerance: 0.1 + 0.2 is not 0.3
  for (let i = 0; i * step < top + step - 1e-9 * step; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** the largest value of some fields over the rows */
export function maxOf(rows: readonly HistoryRow[], keys: readonly (keyof HistoryRow)[]): number {
  let max = 0;
  for (const row of rows) for (const key of keys) max = Math.max(max, row[key] ?? 0);
  return max;
}
