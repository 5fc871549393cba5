/**
 * Collects the Redis updates of a batch of events, merged where they commute (sums, set
 * members, maxima, minima), and encodes them for the apply script. Every value is a string so
 * Lua never turns a millisecond timestamp into floating-point notation.
 */
export type Op = string[];

export class OpsBuilder {
  private readonly incr = new Map<string, Map<string, number>>(); // key → field → delta ('' = INCRBY)
  private readonly sets = new Map<string, Set<string>>();
  private readonly zmax = new Map<string, Map<string, number>>();
  private readonly zmin = new Map<string, Map<string, number>>();
  private readonly hmax = new Map<string, Map<string, number>>();
  private readonly hmin = new Map<string, Map<string, number>>();
  private readonly expires = new Map<string, number>();
  private readonly tail: Op[] = [];
  private readonly onceKeys = new Set<string>();
  private readonly newestOps = new Map<string, { ts: number; op: Op }>();

  hincr(key: string, field: string, by: number): void {
    let fields = this.incr.get(key);
    if (!fields) this.incr.set(key, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + by);
  }

  incrBy(key: string, by: number): void {
    this.hincr(key, '', by);
  }

  sadd(key: string, member: string): void {
    let s = this.sets.get(key);
    if (!s) this.sets.set(key, (s = new Set()));
    s.add(member);
  }

  /** sorted-set score becomes max(existing, score) */
  zmaxScore(key: string, member: string, score: number): void {
    keepMax(this.zmax, key, member, score);
  }

  zminScore(key: string, member: string, score: number): void {
    keepMin(this.zmin, key, member, score);
  }

  hashMax(key: string, field: string, value: number): void {
    keepMax(this.hmax, key, field, value);
  }

  hashMin(key: string, field: string, value: number): void {
    keepMin(this.hmin, key, field, value);
  }

  /** every key of one kind gets the same TTL, so the first request per key is enough */
  expire(key: string, seconds: number): void {
    if (!this.expires.has(key)) this.expires.set(key, seconds);
  }

  /** an op that must run as given, in order, after the merged ones */
  raw(op: Op): void {
    this.tail.push(op);
  }

  /** an op needed once per batch whatever how many events ask for it */
  once(id: string, op: Op): void {
    if (this.onceKeys.has(id)) return;
    this.onceKeys.add(id);
    this.tail.push(op);
  }

  /** of several ops with the same id, only the one with the newest time is sent */
  newest(id: string, ts: number, op: Op): void {
    const cur = this.newestOps.get(id);
    if (!cur || ts >= cur.ts) this.newestOps.set(id, { ts, op });
  }

  /**
   * Grouped by command so the script runs flat loops: `hi` HINCRBY triples, `in` INCRBY pairs,
   * `sa` one SADD per key, `zg`/`zl` one ZADD GT/LT per key, `hx`/`hn` hash max/min triples,
   * `ex` EXPIRE pairs, `raw` ordered ops that must run as given.
   */
  encode(): string {
    const hi: string[] = [];
    const inc: string[] = [];
    for (const [key, fields] of this.incr) {
      for (const [field, by] of fields) {
        if (by === 0) continue;
        if (field === '') inc.push(key, String(by));
        else hi.push(key, field, String(by));
      }
    }
    const sa: string[][] = [];
    for (const [key, members] of this.sets) {
      const list = [...members];
      // Lua's unpack has a stack limit: keep each SADD moderate
      for (let i = 0; i < list.length; i += 500) sa.push([key, ...list.slice(i, i + 500)]);
    }
    const zset = (m: Map<string, Map<string, number>>) => {
      const out: string[][] = [];
      for (const [key, members] of m) {
        const args = [key];
        for (const [member, score] of members) {
          args.push(String(score), member);
          if (args.length > 1000) {
            out.push(args.splice(1));
            out[out.length - 1].unshift(key);
          }
        }
        if (args.length > 1) out.push(args);
      }
      return out;
    };
    const triples = (m: Map<string, Map<string, number>>) => {
      const out: string[] = [];
      for (const [key, fields] of m) for (const [field, v] of fields) out.push(key, field, String(v));
      return out;
    };
    const ex: string[] = [];
    for (const [key, secs] of this.expires) ex.push(key, String(secs));
    const raw = [...this.tail, ...[...this.newestOps.values()].map((n) => n.op)];
    return JSON.stringify({ hi, in: inc, sa, zg: zset(this.zmax), zl: zset(this.zmin), hx: triples(this.hmax), hn: triples(this.hmin), raw, ex });
  }
}

function slot(map: Map<string, Map<string, number>>, key: string): Map<string, number> {
  let m = map.get(key);
  if (!m) map.set(key, (m = new Map()));
  return m;
}

function keepMax(map: Map<string, Map<string, number>>, key: string, member: string, value: number): void {
  const m = slot(map, key);
  const cur = m.get(member);
  if (cur === undefined || value > cur) m.set(member, value);
}

function keepMin(map: Map<string, Map<string, number>>, key: string, member: string, value: number): void {
  const m = slot(map, key);
  const cur = m.get(member);
  if (cur === undefined || value < cur) m.set(member, value);
}
