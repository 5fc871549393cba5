/**
 * Every Redis key Pulse uses, in one place. Two namespaces under the prefix, so no client value
 * can ever equal or prefix a fixed key:
 * - `f:` fixed keys, named by Pulse (`f:stock`, `f:cp:live`, `f:log:3`, …);
 * - `c:` keys derived from client values (users, sessions), whose client part is base64url of the
 *   UTF-8 bytes: it never contains `:` and round-trips every well-formed string exactly.
 * Client values that are not part of a key (set members, hash fields behind a fixed tag, JSON
 * values) are stored as they are: Redis strings are binary-safe.
 */

/** base64url of the UTF-8 bytes: a key-safe, lossless spelling of any well-formed string */
export function encodeId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeId(encoded: string): string {
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

export interface RedisKeys {
  prefix: string;
  /** one stream per partition */
  log(partition: number): string;
  /** events appended to a partition so far (its head offset) */
  logHead(partition: number): string;
  /** dedup marker of a client event id */
  dedup(eventId: string): string;
  /** consumers of the log: hash name → "required" | "optional" */
  consumers: string;
  /** a consumer's checkpoints: hash partition → offset */
  checkpoints(consumer: string): string;
  /** a consumer's partition lease: hash owner, token, expires */
  lease(consumer: string, partition: number): string;
  /** fencing counter of a consumer's partition */
  fence(consumer: string, partition: number): string;
  /** members of a consumer group: sorted set owner → heartbeat expiry (ms) */
  members(consumer: string): string;
  /** per-user record (JSON of UserRecord) */
  user(userId: string): string;
  /** a user's recent events (list of JSON, newest pushed first) */
  userRecent(userId: string): string;
  /** users whose record changed since the per-user store last copied it: zset userId → version */
  usersDirty: string;
  /** per-session record (JSON) under the (user, session) key */
  session(sessionKey: string): string;
  /** session id → the (user, session) key last seen with it, for GET /api/sessions/:id */
  sessionIndex(sessionId: string): string;
  /** per-minute counters (hash), per-minute distinct users (set) */
  minute(minute: number): string;
  minuteUsers(minute: number): string;
  /** per-minute product and country totals (hash; ids behind tags) */
  minuteTop(minute: number): string;
  /** shop-currency revenue of a shop-time-zone day (key: the day's first instant) */
  dayRevenue(day: number): string;
  /** unconverted revenue of a day (hash currency → minor units) */
  dayForeign(day: number): string;
  /** purchase facts for the lake of a block of a partition's offsets (hash offset → JSON) */
  purchaseFacts(partition: number, block: number): string;
  /** the log's identity (set once) */
  logIdentity: string;
  /** when this store began counting (epoch ms, set once) */
  countingSince: string;
  /** stock levels: sorted set productId → stock */
  stock: string;
  /** newest event time and receive time (hash ev, rcv) */
  newest: string;
  /** recent alerts (list of JSON), and the set of alert ids already fired (dedup) */
  alerts: string;
  /** the signal stream: every alert new to the store, for the alert engine (a Redis stream) */
  alertSignals: string;
  alertSeen(alertId: string): string;
  /** pipeline counters (hash) */
  stats: string;
  /** processed events per second (string counter per second) */
  rate(second: number): string;
  /** recent processing lags (list) */
  lags: string;
  /** dead letters (stream) */
  dead: string;
  /** event rules in force (hash), see the rule source */
  rules: string;
  alertsChannel: string;
  changedChannel: string;
  rulesChannel: string;
  socketIo: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const f = `${prefix}f:`;
  const c = `${prefix}c:`;
  return {
    prefix,
    log: (p) => `${f}log:${p}`,
    logHead: (p) => `${f}head:${p}`,
    dedup: (id) => `${c}dd:${encodeId(id)}`,
    consumers: `${f}consumers`,
    checkpoints: (name) => `${f}cp:${name}`,
    lease: (name, p) => `${f}lease:${name}:${p}`,
    fence: (name, p) => `${f}fence:${name}:${p}`,
    members: (name) => `${f}members:${name}`,
    user: (id) => `${c}u:${encodeId(id)}`,
    userRecent: (id) => `${c}ur:${encodeId(id)}`,
    usersDirty: `${f}users:dirty`,
    session: (key) => `${c}s:${encodeId(key)}`,
    sessionIndex: (id) => `${c}si:${encodeId(id)}`,
    minute: (m) => `${f}m:${m}`,
    minuteUsers: (m) => `${f}mu:${m}`,
    minuteTop: (m) => `${f}mt:${m}`,
    dayRevenue: (d) => `${f}rd:${d}`,
    dayForeign: (d) => `${f}rdx:${d}`,
    purchaseFacts: (p, block) => `${f}pf:${p}:${block}`,
    logIdentity: `${f}log:id`,
    countingSince: `${f}since`,
    stock: `${f}stock`,
    newest: `${f}newest`,
    alerts: `${f}alerts`,
    alertSignals: `${f}alert-signals`,
    alertSeen: (id) => `${c}al:${encodeId(id)}`,
    stats: `${f}stats`,
    rate: (s) => `${f}rate:${s}`,
    lags: `${f}lags`,
    dead: `${f}dead`,
    rules: `${f}rules`,
    alertsChannel: `${f}ch:alerts`,
    changedChannel: `${f}ch:changed`,
    rulesChannel: `${f}ch:rules`,
    socketIo: `${f}socket.io`,
  };
}
