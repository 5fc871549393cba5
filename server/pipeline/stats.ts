/**
 * Pipeline health counters: accepted, rejected, duplicates, processed, events/s and processing
 * lag percentiles over a recent sample. In-process; each process reports its own.
 */

const RATE_WINDOW_S = 5;
const LAG_SAMPLE = 2048;

export class PipelineStats {
  acceptedTotal = 0;
  rejectedTotal = 0;
  duplicatesTotal = 0;
  processedTotal = 0;
  deadLetters = 0;
  private readonly perSecond = new Map<number, number>();
  private readonly lags = new Float64Array(LAG_SAMPLE);
  private lagCount = 0;
  private lagNext = 0;

  recordIngest(accepted: number, duplicates: number, rejected: number): void {
    this.acceptedTotal += accepted;
    this.duplicatesTotal += duplicates;
    this.rejectedTotal += rejected;
  }

  recordProcessed(count: number, lagsMs: number[], now: number): void {
    this.processedTotal += count;
    const second = Math.floor(now / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + count);
    for (const s of this.perSecond.keys()) if (s < second - RATE_WINDOW_S - 1) this.perSecond.delete(s);
    // sample evenly when a batch is larger than the ring
    const step = Math.max(1, Math.floor(lagsMs.length / 256));
    for (let i = 0; i < lagsMs.length; i += step) {
      this.lags[this.lagNext] = lagsMs[i];
      this.lagNext = (this.lagNext + 1) % LAG_SAMPLE;
      this.lagCount = Math.min(LAG_SAMPLE, this.lagCount + 1);
    }
  }

  /** processed events per second over the last full seconds */
  eventsPerSecond(now: number): number {
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let s = second - RATE_WINDOW_S; s < second; s++) sum += this.perSecond.get(s) ?? 0;
    return sum / RATE_WINDOW_S;
  }

  lagPercentile(p: number): number | null {
    if (this.lagCount === 0) return null;
    const sorted = Array.from(this.lags.subarray(0, this.lagCount)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }
}
