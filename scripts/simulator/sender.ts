import type { WireEvent } from '../../lib/events';

/** The ingest API's batch limit (PRODUCT.md). */
export const MAX_BATCH = 500;

export interface SenderOptions {
  /** Pulse base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  key: string;
  /** most events per request; 1 sends each event on its own, unwrapped */
  batchSize: number;
  /** how long a partial batch may wait for more events before it is sent, ms */
  lingerMs?: number;
  maxInFlight?: number;
  requestTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  warn?: (line: string) => void;
  /** the key was refused: nothing more can be sent */
  onFatal?: (message: string) => void;
  random?: () => number;
}

export interface SenderStats {
  /** events in requests the server answered (accepted + duplicates + rejected) */
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** events given up after a non-retryable answer (400, 415, …) */
  failed: number;
  /** requests sent again after a 429, a 5xx or a network error */
  retries: number;
  requests: number;
}

interface IngestAnswer {
  accepted?: number;
  duplicates?: number;
  rejected?: { index: number; error: string }[];
  error?: { code?: string; message?: string };
}

/**
 * Posts events to `POST /api/events` like any client would. A batch that meets a 429, a 5xx or
 * a network error goes back to the front of the queue unchanged — same `event_id`s — so the
 * server's deduplication makes the retry safe. Sending pauses for `Retry-After` (429) or an
 * exponential backoff with jitter (errors). A 401/403 is fatal: the key will not start working.
 */
export class Sender {
  readonly stats: SenderStats = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failed: 0, retries: 0, requests: 0 };
  private queue: WireEvent[] = [];
  private queuedSince: number | null = null;
  private inFlight = 0;
  private inFlightEvents = 0;
  private pausedUntil = 0;
  private failures = 0;
  private lastWarnAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private stopped = false;
  private fatalMessage: string | null = null;
  /** the last attempt met a network error (nothing answered since) */
  private unreachable = false;
  private idleWaiters: (() => void)[] = [];
  private readonly endpoint: string;
  private readonly o: Required<Omit<SenderOptions, 'onFatal'>> & Pick<SenderOptions, 'onFatal'>;

  constructor(options: SenderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > MAX_BATCH) {
      throw new Error(`batch size must be a whole number from 1 to ${MAX_BATCH}`);
    }
    this.o = {
      lingerMs: 250,
      maxInFlight: 4,
      requestTimeoutMs: 10_000,
      retryBaseMs: 500,
      retryMaxMs: 15_000,
      warn: (line) => console.warn(line),
      random: Math.random,
      ...options,
    };
    this.endpoint = `${options.url.replace(/\/+$/, '')}/api/events`;
  }

  /** events waiting or in flight */
  get backlog(): number {
    return this.queue.length + this.inFlightEvents;
  }

  get fatal(): string | null {
    return this.fatalMessage;
  }

  /** true while sending is paused by a 429 or an error backoff */
  get backingOff(): boolean {
    return Date.now() < this.pausedUntil;
  }

  enqueue(events: WireEvent[]): void {
    if (events.length === 0 || this.fatalMessage) return;
    this.queue.push(...events);
    this.queuedSince ??= Date.now();
    this.pump();
  }

  /**
   * Sends everything queued, partial batches included, and resolves true once all of it has
   * been answered; false at the deadline, when the key was refused, or at the first network
   * error (when stopping, an unreachable server is not worth waiting for).
   */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    this.flushing = true;
    if (this.unreachable) this.pausedUntil = 0; // one last try now rather than after the backoff
    this.pump();
    if (this.backlog > 0 && !this.fatalMessage) {
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timeout);
    }
    this.flushing = false;
    return this.backlog === 0;
  }

  /** Stops all timers; events still queued stay unsent. Idempotent. */
  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wakeIdle(true);
  }

  private pump(): void {
    if (this.stopped || this.fatalMessage) return;
    const now = Date.now();
    if (now < this.pausedUntil) return this.wakeAt(this.pausedUntil - now);
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      const waited = now - (this.queuedSince ?? now);
      if (this.queue.length < this.o.batchSize && !this.flushing && waited < this.o.lingerMs) {
        return this.wakeAt(this.o.lingerMs - waited);
      }
      const batch = this.queue.splice(0, this.o.batchSize);
      if (this.queue.length === 0) this.queuedSince = null;
      this.inFlight++;
      this.inFlightEvents += batch.length;
      void this.post(batch).finally(() => {
        this.inFlight--;
        this.inFlightEvents -= batch.length;
        this.wakeIdle(false);
        this.pump();
      });
    }
  }

  private wakeAt(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, ms));
  }

  private wakeIdle(force: boolean): void {
    if (!force && (this.backlog > 0 && !this.fatalMessage)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((resolve) => resolve());
  }

  private async post(batch: WireEvent[]): Promise<void> {
    const body = this.o.batchSize === 1 && batch.length === 1 ? JSON.stringify(batch[0]) : JSON.stringify({ events: batch });
    this.stats.requests++;
    let status: number;
    let retryAfter: string | null;
    let answer: IngestAnswer = {};
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.o.key}`, 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
      });
      status = res.status;
      this.unreachable = false;
      retryAfter = res.headers.get('retry-after');
      const text = await res.text();
      try {
        answer = JSON.parse(text) as IngestAnswer;
      } catch {
        answer = {};
      }
    } catch (err) {
      this.unreachable = true;
      this.retryLater(batch, `POST ${this.endpoint} failed (${networkReason(err)})`, null);
      if (this.flushing) this.wakeIdle(true);
      return;
    }

    const counted = Array.isArray(answer.rejected) && typeof answer.accepted === 'number';
    if ((status >= 200 && status < 300) || (status === 400 && counted)) {
      // 400 with counts: every event of the batch was rejected individually
      this.failures = 0;
      this.stats.sent += batch.length;
      this.stats.accepted += answer.accepted ?? 0;
      this.stats.duplicates += answer.duplicates ?? 0;
      const rejected = answer.rejected ?? [];
      this.stats.rejected += rejected.length;
      if (rejected.length > 0) {
        const first = rejected[0];
        this.warnThrottled(`${rejected.length} event(s) rejected, e.g. ${batch[first.index]?.event_type ?? '?'} event: ${first.error}`);
      }
      return;
    }
    const reason = answer.error?.message ? `${status}: ${answer.error.message}` : `HTTP ${status}`;
    if (status === 401 || status === 403) {
      this.fatalMessage = `the ingest key was refused (${reason}). Pass a valid key with --key or PULSE_INGEST_KEY (it must be one of the server's INGEST_API_KEYS).`;
      this.queue = [];
      this.wakeIdle(true);
      this.o.onFatal?.(this.fatalMessage);
      return;
    }
    if (status === 429 || status === 408 || status >= 500) {
      return this.retryLater(batch, `server answered ${reason}`, status === 429 || status === 503 ? retryAfter : null);
    }
    if (status === 413 && batch.length > 1) {
      // too big for the server's body limit: try halves
      this.o.batchSize = Math.min(this.o.batchSize, Math.ceil(batch.length / 2));
      this.queue.unshift(...batch);
      this.stats.retries++;
      this.warnThrottled(`server answered ${reason}; sending at most ${this.o.batchSize} events per request`);
      return;
    }
    this.stats.failed += batch.length;
    this.warnThrottled(`${batch.length} event(s) not accepted and not retried (${reason})`);
  }

  private retryLater(batch: WireEvent[], why: string, retryAfter: string | null): void {
    this.stats.retries++;
    this.failures++;
    const backoff = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (this.failures - 1)) * (0.5 + this.o.random() / 2);
    const delay = retryAfterMs(retryAfter) ?? backoff;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
    this.queue.unshift(...batch);
    this.queuedSince ??= Date.now();
    this.warnThrottled(`${why}; retrying ${batch.length} event(s) in ${(delay / 1000).toFixed(1)} s`);
  }

  private warnThrottled(line: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 5000) return;
    this.lastWarnAt = now;
    this.o.warn(`[pulse-sim] warning: ${line}`);
  }
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110), in ms; null when absent/invalid. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
