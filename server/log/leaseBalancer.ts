import type { Lease, PartitionLeases } from '@/server/ports';
import { log } from '@/server/log';

/** What one heartbeat learns from the lease table, after renewing the caller's leases. */
export interface HeartbeatView {
  /** owners whose membership has not expired, the caller included */
  liveMembers: number;
  /** partitions of the caller's leases that were still its own (same owner and token) */
  renewed: number[];
  /** partitions with no owner or an expired lease, after the renewal */
  free: number[];
}

/**
 * The atomic operations a lease table offers (in-process table, Redis hashes). Every one acts
 * only where the caller's claim is still true, so two owners racing never both hold a
 * partition; the table's own clock decides expiry.
 */
export interface LeaseStore {
  /** records the owner as alive for `ttlMs`, renews those of `held` it still owns, reports the rest */
  heartbeat(owner: string, held: Lease[], ttlMs: number): Promise<HeartbeatView>;
  /** takes each partition that is free or expired; a new owner always gets a higher token */
  acquire(owner: string, partitions: number[], ttlMs: number): Promise<Lease[]>;
  /** gives leases up (only those still held with these tokens); `leave` also ends membership */
  release(owner: string, leases: Lease[], leave: boolean): Promise<void>;
}

export interface LeaseBalancerOptions {
  partitions: number;
  /** a lease not renewed for this long expires; owners heartbeat every third of it */
  leaseMs: number;
}

interface Held {
  token: number;
  /** local time until which the lease is certainly still ours (measured from before the renewal) */
  validUntil: number;
}

/**
 * Keeps one owner's fair share of a consumer's partitions: every `leaseMs / 3` it renews what it
 * holds, learns how many owners are alive, gives up leases above ceil(partitions / owners) so
 * that joiners get some, and takes free or expired ones up to that share. The same algorithm
 * runs over every lease table, so the in-process one exercises what Redis does.
 */
export class LeaseBalancer implements PartitionLeases {
  private readonly held = new Map<number, Held>();
  private onChange: (owned: Lease[]) => void = () => {};
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly store: LeaseStore,
    readonly owner: string,
    private readonly opts: LeaseBalancerOptions,
  ) {}

  async start(onChange: (owned: Lease[]) => void): Promise<void> {
    if (this.running) throw new Error(`leases of ${this.owner} are already running`);
    this.onChange = onChange;
    this.running = true;
    this.stopped = false;
    await this.tick();
    this.schedule();
  }

  owned(): Lease[] {
    return [...this.held.entries()].sort((a, b) => a[0] - b[0]).map(([partition, h]) => ({ partition, token: h.token }));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.halt();
    await this.ticking;
    const leases = this.owned();
    this.held.clear();
    try {
      await this.store.release(this.owner, leases, true);
    } catch (err) {
      // unreleased leases simply expire after leaseMs; the others take them over then
      log.warn('could not release partition leases at stop', { owner: this.owner, error: errorText(err) });
    }
    if (leases.length) this.onChange([]);
  }

  /**
   * Stops heartbeating without releasing anything, as a crashed or frozen process would look to
   * the others (tests use it to simulate a death; `tick()` afterwards simulates waking up).
   */
  halt(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** one heartbeat round; ticks never overlap */
  tick(): Promise<void> {
    this.ticking ??= this.round().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, Math.max(10, Math.floor(this.opts.leaseMs / 3)));
    this.timer.unref?.();
  }

  private async round(): Promise<void> {
    const started = Date.now();
    const before = this.owned();
    try {
      const view = await this.store.heartbeat(this.owner, before, this.opts.leaseMs);
      const renewed = new Set(view.renewed);
      for (const [p, h] of this.held) {
        if (renewed.has(p)) h.validUntil = started + this.opts.leaseMs;
        else {
          this.held.delete(p);
          log.warn('lost a partition lease to another owner', { owner: this.owner, partition: p, token: h.token });
        }
      }
      const share = Math.ceil(this.opts.partitions / Math.max(1, view.liveMembers));
      if (this.held.size > share) {
        // give up the highest-numbered ones: any choice works, a stable one avoids churn
        const excess = this.owned().slice(share);
        for (const l of excess) this.held.delete(l.partition);
        await this.store.release(this.owner, excess, false);
      } else if (this.held.size < share && view.free.length) {
        // joiners start at different free partitions so they do not all race for the same ones
        const offset = Math.floor(Math.random() * view.free.length);
        const wanted = [...view.free.slice(offset), ...view.free.slice(0, offset)].slice(0, share - this.held.size);
        for (const l of await this.store.acquire(this.owner, wanted, this.opts.leaseMs)) {
          this.held.set(l.partition, { token: l.token, validUntil: started + this.opts.leaseMs });
        }
      }
    } catch (err) {
      // the table is unreachable: a lease we could not renew is only ours until it would expire
      const now = Date.now();
      for (const [p, h] of this.held) if (h.validUntil <= now) this.held.delete(p);
      log.warn('partition lease heartbeat failed', { owner: this.owner, error: errorText(err) });
    }
    const after = this.owned();
    if (!sameLeases(before, after) && !this.stopped) this.onChange(after);
  }
}

function sameLeases(a: Lease[], b: Lease[]): boolean {
  return a.length === b.length && a.every((l, i) => l.partition === b[i].partition && l.token === b[i].token);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
