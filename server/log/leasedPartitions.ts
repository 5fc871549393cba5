import type { Lease } from '@/server/ports';

/**
 * What every consumer of the log does with its leases: keep one state per partition it owns.
 * A partition no longer owned is dropped; a new one — or one whose lease token changed, meaning
 * it was lost and won back in between — starts from `fresh` (which re-reads its checkpoint).
 */
export function followLeases<S extends { lease: Lease }>(states: Map<number, S>, owned: readonly Lease[], fresh: (lease: Lease) => S): void {
  const now = new Map(owned.map((l) => [l.partition, l]));
  for (const p of states.keys()) if (!now.has(p)) states.delete(p);
  for (const [p, lease] of now) {
    const cur = states.get(p);
    if (!cur || cur.lease.token !== lease.token) states.set(p, fresh(lease));
  }
}

/** A pause a consumer's loop takes when idle, which a lease change or a stop cuts short. */
export class Pause {
  private wakeUp: (() => void) | null = null;

  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
