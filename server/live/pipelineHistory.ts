import type { PipelineHistorySample } from '@/lib/pipelineHistory';
import { log } from '@/server/log';

export { pipelineHistorySchema, type PipelineHistory, type PipelineHistorySample } from '@/lib/pipelineHistory';

/** one sample every 10 s … */
export const HISTORY_INTERVAL_MS = 10_000;
/** … and an hour of them */
export const HISTORY_CAPACITY = 360;

/**
 * What the pipeline's counters and gauges read at one instant: the live snapshot's pipeline
 * block (the same numbers as the pipeline panel and /metrics) and the log's backlog per consumer
 * (the same call as /api/health). Totals only grow, except when the store holding them starts
 * over (a flushed Redis, a fresh embedded process).
 */
export interface PipelineReading {
  at: number;
  acceptedTotal: number;
  processedTotal: number;
  rejectedTotal: number;
  deadLetters: number;
  backlog: Readonly<Record<string, number>>;
  lagMsP50: number | null;
  lagMsP99: number | null;
}

/**
 * The last hour of pipeline samples in one process: a bounded ring (oldest dropped first) of
 * rates computed from the difference between consecutive readings, so they are true averages
 * over each interval, whatever the interval turned out to be.
 */
export class PipelineHistoryRing {
  private readonly samples: PipelineHistorySample[] = [];
  private previous: PipelineReading | null = null;

  constructor(
    /** when sampling began; answered as `since` */
    readonly since: number,
    readonly capacity = HISTORY_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive whole number, not ${capacity}`);
  }

  record(reading: PipelineReading): PipelineHistorySample {
    const prev = this.previous;
    // a reading no later than the previous one cannot give a rate; treat it as a fresh start
    const seconds = prev && reading.at > prev.at ? (reading.at - prev.at) / 1000 : null;
    const processed = seconds === null ? null : increase(prev!.processedTotal, reading.processedTotal);
    const sample: PipelineHistorySample = {
      at: reading.at,
      acceptedPerSecond: seconds === null ? null : increase(prev!.acceptedTotal, reading.acceptedTotal) / seconds,
      processedPerSecond: seconds === null || processed === null ? null : processed / seconds,
      backlog: copyCounts(reading.backlog),
      // the percentiles describe the most recently processed events: when none were processed
      // in this interval they describe an earlier one, and would draw a flat line through idle time
      lagMsP50: processed === 0 ? null : reading.lagMsP50,
      lagMsP99: processed === 0 ? null : reading.lagMsP99,
      rejected: seconds === null ? null : increase(prev!.rejectedTotal, reading.rejectedTotal),
      deadLetters: Math.max(0, Math.round(reading.deadLetters)),
    };
    this.previous = reading;
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    return sample;
  }

  /** oldest first; a copy */
  list(): PipelineHistorySample[] {
    return this.samples.slice();
  }
}

/**
 * How much a total grew. A total that went down was reset (its store started over) and has
 * counted up from zero since, so its current value is the increase — as Prometheus' rate() does.
 */
function increase(before: number, after: number): number {
  return after >= before ? after - before : after;
}

function copyCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  // consumer names come from code, but the body is built from them: no inherited keys
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(counts)) out[name] = Math.max(0, Math.round(n));
  return out;
}

export interface PipelineSampler {
  readonly ring: PipelineHistoryRing;
  readonly intervalMs: number;
  /** stops the timer and waits for a reading in flight; idempotent */
  stop(): Promise<void>;
}

/**
 * Reads the pipeline every `intervalMs` into a ring holding the last hour, starting with one
 * reading at once (the baseline the first rates are computed from). A reading never overlaps
 * the previous one: a slow store delays the next sample instead of stacking reads. A failed
 * reading (a store down) leaves a gap; the next sample's rates cover the whole gap.
 */
export function startPipelineSampler(opts: {
  read: () => Promise<Omit<PipelineReading, 'at'>>;
  intervalMs?: number;
  capacity?: number;
  now?: () => number;
}): PipelineSampler {
  const intervalMs = opts.intervalMs ?? HISTORY_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  const capacity = opts.capacity ?? Math.max(1, Math.round((60 * 60_000) / intervalMs));
  const ring = new PipelineHistoryRing(now(), capacity);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inflight: Promise<void> | null = null;
  let failing = false;

  const sample = async () => {
    try {
      const values = await opts.read();
      if (stopped) return;
      ring.record({ ...values, at: now() });
      if (failing) log.info('pipeline history: sampling again');
      failing = false;
    } catch (err) {
      // said once per outage, not every 10 s
      if (!failing) log.warn('pipeline history: cannot read the pipeline; this sample is skipped', { error: String(err) });
      failing = true;
    }
  };
  const tick = () => {
    timer = null;
    inflight = sample().finally(() => {
      inflight = null;
      if (stopped) return;
      timer = setTimeout(tick, intervalMs);
      timer.unref();
    });
  };
  tick();

  return {
    ring,
    intervalMs,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inflight;
    },
  };
}
