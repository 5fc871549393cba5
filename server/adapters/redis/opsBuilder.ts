/**
 * Collects the Redis updates of a batch of events, merged where they commute (sums, set
 * members, maxima, minima), and encodes them for the apply script. Every value is a string so
 * Lua never turns a millisecond timestamp into floating-point notation.
 */
export type Op = string[];

export class OpsBuilder {
  private readonly incr = new Map<string, number>(); // key \u0000 field → delta ('' field = INCRBY)
  private readonly sets = new Map<string, Set<string>>();
  private readonly zmax = new Map<string, Map<string, number>>();
  private readonly zmin = new Map<string, Map<string, number>>();
  private readonly hmax = new Map<string, Map<string, number>>();
  private readonly hmin = new Map<string, Map<string, number>>();
  private readonly expires = new Map<string, number>();
  private readonly tail: Op[] = [];

  hincr(key: string, field: string, by: number): void {
    const k = `${key}\u0000${field}`;
    this.incr.set(k, (this.incr.get(k) ?? 0) + by);
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
    keep(this.zmax, key, member, score, Math.max);
  }

  zminScore(key: string, member: string, score: number): void {
    keep(this.zmin, key, member, score, Math.min);
  }

  hashMax(key: string, field: string, value: number): void {
    keep(this.hmax, key, field, value, Math.max);
  }

  hashMin(key: string, field: string, value: number): void {
    keep(this.hmin, key, field, value, Math.min);
  }

  expire(key: string, seconds: number): void {
    this.expires.set(key, Math.max(this.expires.get(key) ?? 0, seconds));
  }

  /** an op that must run as given, in order, after the merged ones */
  raw(op: Op): void {
    this.tail.push(op);
  }

  encode(): string {
    const ops: Op[] = [];
    for (const [k, by] of this.incr) {
      if (by === 0) continue;
      const [key, field] = k.split('\u0000');
      ops.push(field === '' ? ['incr', key, String(by)] : ['hincr', key, field, String(by)]);
    }
    for (const [key, members] of this.sets) {
      const list = [...members];
      // Lua's unpack has a stack limit: keep each SADD moderate
      for (let i = 0; i < list.length; i += 500) ops.push(['sadd', key, ...list.slice(i, i + 500)]);
    }
    for (const [key, m] of this.zmax) for (const [member, score] of m) ops.push(['zgt', key, String(score), member]);
    for (const [key, m] of this.zmin) for (const [member, score] of m) ops.push(['zlt', key, String(score), member]);
    for (const [key, m] of this.hmax) for (const [field, v] of m) ops.push(['hmax', key, field, String(v)]);
    for (const [key, m] of this.hmin) for (const [field, v] of m) ops.push(['hmin', key, field, String(v)]);
    ops.push(...this.tail);
    for (const [key, s] of this.expires) ops.push(['expire', key, String(s)]);
    return JSON.stringify(ops);
  }
}

function keep(
  map: Map<string, Map<string, number>>,
  key: string,
  member: string,
  value: number,
  pick: (a: number, b: number) => number,
): void {
  let m = map.get(key);
  if (!m) map.set(key, (m = new Map()));
  const cur = m.get(member);
  m.set(member, cur === undefined ? value : pick(cur, value));
}
