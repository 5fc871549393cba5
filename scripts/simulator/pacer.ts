/**
 * Rate control: how many events are due at `now` to hold `rate` events per second. Fractions
 * carry over between calls, so 0.5/s yields one event every two seconds and an irregular tick
 * still averages out. After a stall (a busy event loop, a pause for backpressure) at most
 * `maxBurstSeconds` of events are made up, so a stall never turns into a flood.
 */
export class Pacer {
  private last: number;
  private credit = 0;

  constructor(
    private readonly rate: number,
    start: number,
    private readonly maxBurstSeconds = 1,
  ) {
    if (!(rate > 0)) throw new Error('rate must be a positive number of events per second');
    this.last = start;
  }

  due(now: number): number {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.credit = Math.min(this.credit + (elapsed * this.rate) / 1000, Math.max(1, this.rate * this.maxBurstSeconds));
    const whole = Math.floor(this.credit);
    this.credit -= whole;
    return whole;
  }

  /** Forget the time since the last call (generation was paused on purpose). */
  skip(now: number): void {
    this.last = now;
    this.credit = 0;
  }
}
