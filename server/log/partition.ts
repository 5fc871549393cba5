import type { PulseEvent } from '@/lib/events';

/**
 * Which partition of the log a user's events go to. FNV-1a (32 bit) over the UTF-16 code units:
 * cheap, stable across processes and releases (no seed), and the same in every adapter, so one
 * user's events always meet one owner in order. Changing it (or the partition count) re-homes
 * users, so both are fixed for the lifetime of a log.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    // Math.imul keeps the multiplication in 32 bits, as the algorithm requires
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function partitionOf(userId: string, partitions: number): number {
  return fnv1a32(userId) % partitions;
}

/** the accepted events of one append that hash to one partition, in request order */
export interface PartitionGroup {
  partition: number;
  events: PulseEvent[];
}

/** groups accepted events by partition, keeping their order (partitions in ascending order) */
export function groupByPartition(events: PulseEvent[], partitions: number): PartitionGroup[] {
  const groups = new Map<number, PulseEvent[]>();
  for (const e of events) {
    const p = partitionOf(e.userId, partitions);
    const list = groups.get(p);
    if (list) list.push(e);
    else groups.set(p, [e]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([partition, list]) => ({ partition, events: list }));
}

/** `p<partition>:<offset>`, the readable entry id used in logs and dead letters */
export function entryId(partition: number, offset: number): string {
  return `p${partition}:${offset}`;
}

/** consumer names become parts of fixed keys: keep them to a safe, Pulse-chosen alphabet */
export function checkConsumerName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`invalid consumer name ${JSON.stringify(name)}: use 1-64 letters, digits, _ . -`);
}
