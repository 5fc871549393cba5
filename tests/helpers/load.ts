import { TEST_KEY } from './keys';
import { sleep } from './wait';

interface WireEvent {
  event_id: string;
  timestamp: string;
  user_id: string;
  session_id: string;
  event_type: string;
  properties: Record<string, unknown>;
}

/**
 * A client that keeps a ledger: it sends batches at a steady pace, retries a batch (same
 * event_ids) until Pulse answers 202, and knows exactly what Pulse should have counted.
 */
export class LedgerClient {
  readonly sent: WireEvent[] = [];
  retries = 0;
  duplicatesReported = 0;
  private seq = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly tag = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly url: () => string,
    private readonly opts: { batch: number; intervalMs: number; users: number },
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private makeBatch(): WireEvent[] {
    return Array.from({ length: this.opts.batch }, () => {
      const n = this.seq++;
      const user = `user_${n % this.opts.users}`;
      const type = n % 7 === 0 ? 'purchase' : n % 3 === 0 ? 'add_to_cart' : 'page_view';
      return {
        event_id: `ledger-${this.tag}-${n}`,
        timestamp: new Date().toISOString(),
        user_id: user,
        session_id: `sess_${user}`,
        event_type: type,
        properties: type === 'purchase' ? { amount: 10 + (n % 50) + 0.99 } : { page: `/p/${n % 20}` },
      };
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      await this.deliver(this.makeBatch());
      await sleep(Math.max(0, this.opts.intervalMs - (Date.now() - started)));
    }
  }

  /** resolves only once Pulse has taken the batch (202); every event is then stored exactly once */
  async deliver(events: WireEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.url()}/api/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(5000),
        });
        if (res.status === 202) {
          const body = (await res.json()) as { duplicates: number };
          this.duplicatesReported += body.duplicates;
          this.sent.push(...events);
          return;
        }
        await res.text();
      } catch {
        /* network error: retry */
      }
      this.retries++;
      if (attempt > 200) throw new Error('gave up delivering a batch');
      await sleep(100);
    }
  }

  expected() {
    const purchases = this.sent.filter((e) => e.event_type === 'purchase');
    const byType: Record<string, number> = {};
    for (const e of this.sent) byType[e.event_type] = (byType[e.event_type] ?? 0) + 1;
    const cents = purchases.reduce((sum, e) => sum + Math.round((e.properties.amount as number) * 100), 0);
    const perUser = new Map<string, { events: number; ltv: number }>();
    for (const e of this.sent) {
      const u = perUser.get(e.user_id) ?? { events: 0, ltv: 0 };
      u.events++;
      if (e.event_type === 'purchase') u.ltv += Math.round((e.properties.amount as number) * 100);
      perUser.set(e.user_id, u);
    }
    return { events: this.sent.length, orders: purchases.length, revenueMinor: cents, byType, perUser };
  }
}
