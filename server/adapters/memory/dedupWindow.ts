/**
 * Remembers client event ids for a bounded time and count. A Map keeps insertion order, so the
 * oldest ids are at the front and expire (or are evicted at the size bound) from there; and
 * being a Map, no client id can meet an object prototype ("__proto__", "constructor").
 */
export class DedupWindow {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  /** true when the id is remembered (a repeat inside the window); remembers nothing */
  has(id: string, now: number): boolean {
    const expires = this.seen.get(id);
    return expires !== undefined && expires > now;
  }

  /** true when the id was new (and is now remembered), false for a repeat inside the window */
  claim(id: string, now: number): boolean {
    const expires = this.seen.get(id);
    if (expires !== undefined && expires > now) return false;
    if (expires !== undefined) this.seen.delete(id);
    this.seen.set(id, now + this.windowMs);
    this.evict(now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(now: number): void {
    for (const [id, expires] of this.seen) {
      if (expires > now && this.seen.size <= this.maxIds) break;
      this.seen.delete(id);
    }
  }
}
