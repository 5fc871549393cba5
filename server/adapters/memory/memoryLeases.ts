import type { Lease } from '@/server/ports';
import { LeaseBalancer, type HeartbeatView, type LeaseStore } from '@/server/log/leaseBalancer';

interface Slot {
  owner: string | null;
  token: number;
  expires: number;
  /** the fencing counter: grows whenever the partition gets a new owner, never reset */
  fence: number;
}

interface Group {
  slots: Slot[];
  /** owner → membership expiry (ms) */
  members: Map<string, number>;
}

/**
 * The in-process lease table of one event log: per consumer, an owner, token and expiry per
 * partition plus the live members. Embedded mode has a single owner, but the table behaves like
 * the Redis one so tests can run several owners in one process.
 */
export class MemoryLeaseTable {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly partitions: number,
    /** injectable so tests could drive time; the wall clock otherwise */
    private readonly clock: () => number = Date.now,
  ) {}

  store(consumer: string): LeaseStore {
    const group = this.group(consumer);
    const clock = this.clock;
    return {
      async heartbeat(owner: string, held: Lease[], ttlMs: number): Promise<HeartbeatView> {
        const now = clock();
        group.members.set(owner, now + ttlMs);
        for (const [name, expires] of group.members) if (expires <= now) group.members.delete(name);
        const renewed: number[] = [];
        for (const l of held) {
          const slot = group.slots[l.partition];
          if (slot && slot.owner === owner && slot.token === l.token) {
            slot.expires = now + ttlMs;
            renewed.push(l.partition);
          }
        }
        const free = group.slots.flatMap((s, p) => (s.owner === null || s.expires <= now ? [p] : []));
        return { liveMembers: group.members.size, renewed, free };
      },
      async acquire(owner: string, partitions: number[], ttlMs: number): Promise<Lease[]> {
        const now = clock();
        const got: Lease[] = [];
        for (const p of partitions) {
          const slot = group.slots[p];
          if (!slot || (slot.owner !== null && slot.expires > now)) continue;
          slot.fence++;
          Object.assign(slot, { owner, token: slot.fence, expires: now + ttlMs });
          got.push({ partition: p, token: slot.token });
        }
        return got;
      },
      async release(owner: string, leases: Lease[], leave: boolean): Promise<void> {
        for (const l of leases) {
          const slot = group.slots[l.partition];
          if (slot && slot.owner === owner && slot.token === l.token) Object.assign(slot, { owner: null, expires: 0 });
        }
        if (leave) group.members.delete(owner);
      },
    };
  }

  /** current owner of each partition of a consumer (null: unowned or expired) */
  owners(consumer: string): (string | null)[] {
    const now = this.clock();
    const group = this.groups.get(consumer);
    if (!group) return Array.from({ length: this.partitions }, () => null);
    return group.slots.map((s) => (s.owner !== null && s.expires > now ? s.owner : null));
  }

  consumers(): string[] {
    return [...this.groups.keys()];
  }

  private group(consumer: string): Group {
    let g = this.groups.get(consumer);
    if (!g) {
      g = { slots: Array.from({ length: this.partitions }, () => ({ owner: null, token: 0, expires: 0, fence: 0 })), members: new Map() };
      this.groups.set(consumer, g);
    }
    return g;
  }
}

/** Partition leases over the in-process table (see LeaseBalancer for the algorithm). */
export class MemoryLeases extends LeaseBalancer {
  constructor(table: MemoryLeaseTable, consumer: string, owner: string, opts: { partitions: number; leaseMs: number }) {
    super(table.store(consumer), owner, opts);
  }
}
