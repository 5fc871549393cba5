// Delivers the outbox (the notifications table): every due pending row is claimed, sent once to
// its channel, and marked delivered, retried later, or failed.
//
// Claiming is a conditional update (same id, still pending, same attempt count) that counts the
// attempt and moves nextAttemptAt past this attempt's end BEFORE anything is sent: two
// dispatchers (in one process or several) never send one row at once, and a dispatcher that dies
// mid-send leaves the row to be sent again once that time has passed — with the same delivery id
// (the row's id), so a receiver can deduplicate.
//
// Logs name the channel (name and id) and the delivery, never its URL, secret or the payload.
import type { SNSClient } from '@aws-sdk/client-sns';
import type { ChannelConfig, NotificationPayload } from '@/lib/alerting';
import type { PrismaClient } from '@/server/db/generated/client';
import { log } from '@/server/log';
import { ChannelError, sendNotification } from './channels';

export interface DispatcherOptions {
  send?: typeof sendNotification;
  /** one attempt's limit (default 5000 ms) */
  timeoutMs?: number;
  /** attempts before a row is given up as failed (default 8) */
  maxAttempts?: number;
  /** the wait after the attempt-th attempt failed (default 1 s · 2^(attempt−1), at most 5 min) */
  backoffMs?: (attempt: number) => number;
  /** rows claimed per drain (default 20) */
  batch?: number;
  /** after start(): how often to look for due rows when not kicked (default 1000 ms) */
  idlePollMs?: number;
  now?: () => number;
  sns?: (region: string) => SNSClient;
}

export interface DrainResult {
  delivered: number;
  retried: number;
  failed: number;
}

export const defaultBackoffMs = (attempt: number): number => Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));

/** the longest lastError kept */
const MAX_ERROR = 500;

type Outcome = 'delivered' | 'retried' | 'failed' | 'skipped';

interface Row {
  id: string;
  alertId: string | null;
  channelId: string;
  payload: unknown;
  attempts: number;
  channel: { id: string; name: string; kind: 'webhook' | 'slack' | 'sns'; enabled: boolean; config: unknown; secret: string | null };
}

export class Dispatcher {
  private readonly send: typeof sendNotification;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly batch: number;
  private readonly idlePollMs: number;
  private readonly now: () => number;
  private readonly sns?: (region: string) => SNSClient;

  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** the kick loop, while it runs */
  private loop: Promise<void> | null = null;
  private again = false;
  /** drains run one after another (drainOnce called directly waits for the one running) */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    opts: DispatcherOptions = {},
  ) {
    this.send = opts.send ?? sendNotification;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.backoffMs = opts.backoffMs ?? defaultBackoffMs;
    this.batch = opts.batch ?? 20;
    this.idlePollMs = opts.idlePollMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.sns = opts.sns;
  }

  /** drains now and then every idlePollMs (and at once on kick) until stop() */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.kick();
  }

  /** a drain at once (e.g. a notification was just written); coalesced with one running */
  kick(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.loop = this.runLoop();
  }

  private async runLoop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          const r = await this.drainOnce();
          // a full batch: there may be more due rows
          if (r.delivered + r.retried + r.failed >= this.batch) this.again = true;
        } catch (err) {
          log.error('alert dispatcher: drain failed', { error: err instanceof Error ? err.name : 'error' });
        }
      } while (this.again && !this.stopped);
    } finally {
      this.loop = null;
      if (this.started && !this.stopped) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.kick();
        }, this.idlePollMs);
        this.timer.unref?.();
      }
    }
  }

  /** stops polling and waits for the drain in progress (its sends end within timeoutMs) */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.loop;
    await this.chain.catch(() => {});
  }

  /** one pass over the due rows (at most batch of them) */
  drainOnce(): Promise<DrainResult> {
    const run = this.chain.catch(() => {}).then(() => this.drain());
    this.chain = run;
    return run;
  }

  private async drain(): Promise<DrainResult> {
    const result: DrainResult = { delivered: 0, retried: 0, failed: 0 };
    const now = this.now();
    const rows = (await this.prisma.notification.findMany({
      where: { status: 'pending', nextAttemptAt: { lte: new Date(now) } },
      orderBy: [{ nextAttemptAt: 'asc' }, { createdAt: 'asc' }],
      take: this.batch,
      select: {
        id: true,
        alertId: true,
        channelId: true,
        payload: true,
        attempts: true,
        channel: { select: { id: true, name: true, kind: true, enabled: true, config: true, secret: true } },
      },
    })) as Row[];
    const outcomes = await Promise.all(rows.map((row) => this.deliver(row).catch((err): Outcome => {
      log.error('alert delivery: bookkeeping failed', { channel: row.channel.name, channelId: row.channelId, deliveryId: row.id, error: err instanceof Error ? err.name : 'error' });
      return 'skipped';
    })));
    for (const o of outcomes) if (o !== 'skipped') result[o]++;
    return result;
  }

  private async deliver(row: Row): Promise<Outcome> {
    const { channel } = row;
    const where = { id: row.id, status: 'pending' as const, attempts: row.attempts };
    if (!channel.enabled) {
      const done = await this.prisma.notification.updateMany({ where, data: { status: 'failed', lastError: 'channel disabled' } });
      if (done.count === 0) return 'skipped';
      log.warn('alert delivery failed: channel disabled', { channel: channel.name, channelId: channel.id, deliveryId: row.id });
      await this.timeline(row, 'delivery_failed', `${channel.name}: channel disabled`);
      return 'failed';
    }

    // claim: count the attempt, and keep others off the row until this attempt is surely over
    const attempt = row.attempts + 1;
    const claimedAt = this.now();
    const claim = await this.prisma.notification.updateMany({
      where,
      data: { attempts: attempt, nextAttemptAt: new Date(claimedAt + this.timeoutMs + this.backoffMs(attempt)) },
    });
    if (claim.count === 0) return 'skipped'; // another dispatcher has it

    const payload = { ...(row.payload as NotificationPayload), deliveryId: row.id };
    const config = { ...(channel.config as object), kind: channel.kind } as ChannelConfig;
    let error: ChannelError | null = null;
    // the signature's timestamp is the wall clock (what receivers check it against), not this.now
    try {
      await this.send({ id: channel.id, name: channel.name, kind: channel.kind, config, secret: channel.secret }, payload, { timeoutMs: this.timeoutMs, sns: this.sns });
    } catch (err) {
      // anything else than a ChannelError is unexpected: its message could hold anything, keep only its name
      error = err instanceof ChannelError ? err : new ChannelError(`unexpected error (${err instanceof Error ? err.name : typeof err})`, true);
    }

    if (!error) {
      // delivered even when another dispatcher has reclaimed the row meanwhile (it was sent)
      const done = await this.prisma.notification.updateMany({
        where: { id: row.id, status: 'pending' },
        data: { status: 'delivered', deliveredAt: new Date(this.now()), lastError: null },
      });
      if (done.count > 0) await this.timeline(row, 'delivered', channel.name);
      return 'delivered';
    }

    const message = error.message.slice(0, MAX_ERROR);
    const mine = { id: row.id, status: 'pending' as const, attempts: attempt };
    if (!error.retryable || attempt >= this.maxAttempts) {
      const done = await this.prisma.notification.updateMany({ where: mine, data: { status: 'failed', lastError: message } });
      if (done.count === 0) return 'skipped';
      log.warn('alert delivery failed, giving up', { channel: channel.name, channelId: channel.id, deliveryId: row.id, attempt, error: message });
      await this.timeline(row, 'delivery_failed', `${channel.name}: ${message}`);
      return 'failed';
    }
    const done = await this.prisma.notification.updateMany({
      where: mine,
      data: { lastError: message, nextAttemptAt: new Date(this.now() + this.backoffMs(attempt)) },
    });
    if (done.count === 0) return 'skipped';
    log.warn('alert delivery failed, will retry', { channel: channel.name, channelId: channel.id, deliveryId: row.id, attempt, error: message });
    return 'retried';
  }

  private async timeline(row: Row, kind: 'delivered' | 'delivery_failed', comment: string): Promise<void> {
    if (!row.alertId) return;
    try {
      await this.prisma.alertTimelineEntry.create({ data: { alertId: row.alertId, at: new Date(this.now()), kind, comment: comment.slice(0, 1000) } });
    } catch (err) {
      // the alert may have been deleted meanwhile: the delivery's own state is what counts
      log.warn('alert delivery: timeline entry not written', { channelId: row.channelId, deliveryId: row.id, error: err instanceof Error ? err.name : 'error' });
    }
  }
}
