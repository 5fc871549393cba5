import { isWellFormed, type PulseEvent } from '@/lib/events';
import { convertMinor } from '@/lib/money';
import { DAY_MS, minuteOf, windowStart } from '@/lib/metrics';
import { evaluateEventRules, type StockChange } from '@/server/alerts/eventRules';
import type { LogRecord, UserRecord } from '@/server/ports';
import type { EventRules } from '@/server/rules/eventRules';
import type { ShopSettings } from '@/server/shop';
import { addMoney, addTop, emptyEffects, emptyMinute, sessionKeyOf, type Effects, type EngineState, type MinuteDelta, type PurchaseFacts, type SessionRecord, type StateRequest } from './effects';
import { scoreFraud } from './fraud';
import { addEventToSession, cloneSession, newSession, sessionContribution, SESSION_RETENTION_MS } from './sessionRecords';
import { addEventToUser, cloneUserRecord, fraudHistoryOf, mergeRecentEvents, newUserRecord, toRecentEvent } from './userRecords';

/** Retention of live buckets; late events older than this only reach the per-user records. */
export const MINUTE_RETENTION_MIN = 120;
export const DAY_RETENTION_MS = 8 * DAY_MS;

/**
 * The processing engine: one pure function from a delivery's records and the state they need to
 * every effect — counters per bucket, set members, per-user and per-session records, stock
 * changes, alerts, dead letters — as plain data. Every store applies exactly this; none of them
 * scores, evaluates a rule or decides a dead letter.
 *
 * Records are processed in log order (one partition, one owner), so one user's purchases are
 * scored against each other in order.
 */

/** what a delivery must read before the engine can run */
export function stateRequestFor(records: LogRecord[]): StateRequest {
  const users = new Set<string>();
  const sessions = new Set<string>();
  const products = new Set<string>();
  for (const { event: e } of records) {
    users.add(e.userId);
    sessions.add(sessionKeyOf(e.userId, e.sessionId));
    if (e.type === 'purchase') for (const line of purchaseLines(e)) products.add(line.productId);
  }
  return { users: [...users], sessions: [...sessions], products: [...products] };
}

export interface EngineFailure {
  record: LogRecord;
  error: string;
}

export interface EngineResult {
  effects: Effects;
  /** records the engine could not process; their effects are not in `effects` */
  failures: EngineFailure[];
}

export interface EngineOptions {
  rules: EventRules;
  shop: ShopSettings;
  now: number;
  /** the delivery attempt (1-based) */
  attempt: number;
  /** on this attempt and after, failing records become dead letters instead of failing the delivery */
  deadLetterFrom: number;
  /** the log entry a record came from, for dead letters and log lines */
  entryIdOf: (record: LogRecord) => string;
}

export function runEngine(records: LogRecord[], state: EngineState, opts: EngineOptions): EngineResult {
  const { now, rules, shop } = opts;
  const dayFloor = shop.calendar.dayStart(now) - DAY_RETENTION_MS;
  const fx = emptyEffects();
  const failures: EngineFailure[] = [];
  const users = new Map<string, { before: UserRecord | undefined; after: UserRecord }>();
  const sessions = new Map<string, { before: SessionRecord | undefined; after: SessionRecord }>();
  const stock = new Map<string, number>(state.stock);
  const minuteFloor = windowStart(now, MINUTE_RETENTION_MIN);
  const sessionFloor = now - SESSION_RETENTION_MS;

  const minute = (m: number): MinuteDelta => {
    let b = fx.minutes.get(m);
    if (!b) fx.minutes.set(m, (b = emptyMinute()));
    return b;
  };

  for (const record of records) {
    const e = record.event;
    const problem = unprocessable(e);
    if (problem) {
      failures.push({ record, error: problem });
      continue;
    }
    // nothing below can throw: the record is checked, and every write goes to working copies
    let u = users.get(e.userId);
    if (!u) {
      const before = state.users.get(e.userId);
      const after = before ? cloneUserRecord(before) : newUserRecord(e.userId);
      after.version = (before?.version ?? 0) + 1;
      users.set(e.userId, (u = { before, after }));
    }
    // money: the shop currency's own, converted with a configured rate, or kept apart
    const currency = e.currency ?? shop.currency;
    const shopMinor = e.type === 'purchase' && e.amountMinor !== null ? convertMinor(e.amountMinor, currency, shop.currency, shop.rates) : null;
    const lines = e.type === 'purchase' ? purchaseLines(e) : [];
    let fraudScore = 0;
    let fraud: ReturnType<typeof scoreFraud> | null = null;
    const changes: StockChange[] = [];
    if (e.type === 'purchase') {
      // the rules compare shop-currency money: an amount without a rate trips no amount rule
      fraud = scoreFraud(fraudHistoryOf(u.after), { ...e, amountMinor: shopMinor ?? 0 }, rules.fraudWeights);
      fraudScore = fraud.score;
      for (const line of lines) {
        const level = stock.get(line.productId);
        if (level === undefined) continue;
        const after = level - line.quantity;
        stock.set(line.productId, after);
        fx.stock.set(line.productId, (fx.stock.get(line.productId) ?? 0) - line.quantity);
        changes.push({ productId: line.productId, before: level, after });
      }
    }
    if (rules.alertRules.length > 0) {
      const quantity = e.type === 'purchase' ? lines.reduce((n, l) => n + l.quantity, 0) : e.quantity;
      fx.alerts.push(
        ...evaluateEventRules(e, rules.alertRules, {
          fraud,
          money: { currency, shopMinor, shopCurrency: shop.currency },
          country: e.location?.country ?? u.after.lastLocation?.country ?? null,
          quantity,
          stock: changes,
          now,
        }),
      );
    }
    addEventToUser(u.after, e, shopMinor);
    if (e.type === 'purchase') {
      // the country the live top lists count it under, and the score: the lake cannot decide either
      const country = e.location?.country ?? u.after.lastLocation?.country ?? null;
      fx.purchaseFacts.set(record.offset, { fraudScore, country, shopAmountMinor: shopMinor, lineRevenueMinor: lineRevenues(lines, currency, shopMinor, shop) });
    }
    let recent = fx.recentEvents.get(e.userId);
    if (!recent) fx.recentEvents.set(e.userId, (recent = []));
    recent.push(toRecentEvent(e));

    const m = minuteOf(e.ts);
    if (m >= minuteFloor) {
      const b = minute(m);
      b.events++;
      b.byType.set(e.type, (b.byType.get(e.type) ?? 0) + 1);
      b.users.add(e.userId);
      if (e.type === 'purchase') {
        addPurchaseToMinute(b, lines, currency, e.amountMinor, fx.purchaseFacts.get(record.offset)!);
      }
    }
    if (e.type === 'purchase' && e.amountMinor) {
      const day = shop.calendar.dayStart(e.ts);
      if (day >= dayFloor) {
        if (shopMinor !== null) fx.days.set(day, (fx.days.get(day) ?? 0) + shopMinor);
        else {
          let f = fx.daysForeign.get(day);
          if (!f) fx.daysForeign.set(day, (f = new Map()));
          f.set(currency, (f.get(currency) ?? 0) + e.amountMinor);
        }
      }
    }

    // sessions describe current behaviour: events older than their retention leave them alone
    // (a 1970 event must not stretch a live session's duration), in every store alike
    if (e.ts >= sessionFloor) {
      const key = sessionKeyOf(e.userId, e.sessionId);
      let s = sessions.get(key);
      if (!s) {
        const before = state.sessions.get(key);
        sessions.set(key, (s = { before, after: before ? cloneSession(before) : newSession(key, e) }));
      }
      addEventToSession(s.after, e);
    }

    if (fx.newestEventTime === null || e.ts > fx.newestEventTime) fx.newestEventTime = e.ts;
    if (fx.newestReceivedAt === null || e.receivedAt > fx.newestReceivedAt) fx.newestReceivedAt = e.receivedAt;
    fx.processed++;
  }

  // a session's (or user's) figures move from the bucket of its old times to that of its new
  // ones: −1 there, +1 here, so windows are sums of buckets
  for (const { before, after } of sessions.values()) {
    if (before) sessionContribution(before, -1, minuteFloor, minute);
    after.cartAbandonAfterMs = shop.cartAbandonAfterMs;
    sessionContribution(after, 1, minuteFloor, minute);
    fx.sessions.set(after.key, after);
  }
  for (const { before, after } of users.values()) {
    const was = before && Number.isFinite(before.lastActivity) ? minuteOf(before.lastActivity) : null;
    const is = minuteOf(after.lastActivity);
    if (was !== is) {
      if (was !== null && was >= minuteFloor) minute(was).usersLast--;
      if (is >= minuteFloor) minute(is).usersLast++;
    }
    fx.users.set(after.userId, after);
  }
  for (const [userId, events] of fx.recentEvents) fx.recentEvents.set(userId, mergeRecentEvents(events, []));

  if (failures.length && opts.attempt >= opts.deadLetterFrom) {
    for (const f of failures) {
      fx.deadLetters.push({
        payload: JSON.stringify(f.record.event),
        eventId: typeof f.record.event.eventId === 'string' ? f.record.event.eventId : null,
        error: `${f.error} (log entry ${opts.entryIdOf(f.record)}, offset ${f.record.offset})`,
        attempts: opts.attempt,
        failedAt: now,
      });
    }
  }
  const step = Math.max(1, Math.floor(records.length / 16));
  for (let i = 0; i < records.length; i += step) fx.lagsMs.push(now - records[i].appendedAt);
  return { effects: fx, failures };
}

type PurchaseLine = ReturnType<typeof purchaseLines>[number];

/**
 * One purchase in its minute: orders, shop-currency revenue (or money kept apart per currency
 * without a rate), and what each product and the purchase's country took.
 */
function addPurchaseToMinute(b: MinuteDelta, lines: PurchaseLine[], currency: string, amountMinor: number | null, facts: PurchaseFacts): void {
  const { shopAmountMinor: shopMinor, country, lineRevenueMinor: revenues } = facts;
  b.orders++;
  if (shopMinor !== null) {
    b.revenueMinor += shopMinor;
    b.ordersValued++;
  } else if (amountMinor !== null) addMoney(b.foreign, currency, amountMinor, 1);
  const counted = new Set<string>();
  let units = 0;
  lines.forEach((line, i) => {
    units += line.quantity;
    // a product on two lines of one purchase is one order
    addTop(b.products, line.productId, { revenueMinor: revenues[i], units: line.quantity, orders: counted.has(line.productId) ? 0 : 1 });
    counted.add(line.productId);
  });
  if (country) addTop(b.countries, country, { revenueMinor: shopMinor ?? 0, units, orders: 1 });
}

/**
 * Shop-currency revenue of each line of a purchase: its price × quantity converted where every
 * line has a price; otherwise the purchase's converted amount shared by quantity (exactly: the
 * remainder goes to the first lines). Zero throughout without a rate (`shopMinor` null); with
 * one, every line of the purchase's currency converts too.
 */
export function lineRevenues(lines: PurchaseLine[], currency: string, shopMinor: number | null, shop: ShopSettings): number[] {
  if (shopMinor === null || lines.length === 0) return lines.map(() => 0);
  if (lines.every((l) => l.priceMinor !== null)) return lines.map((l) => convertMinor(l.priceMinor! * l.quantity, currency, shop.currency, shop.rates)!);
  const units = lines.reduce((n, l) => n + l.quantity, 0);
  const out = lines.map((l) => Math.floor((shopMinor * l.quantity) / units));
  let rest = shopMinor - out.reduce((n, v) => n + v, 0);
  for (let i = 0; rest > 0; i = (i + 1) % out.length, rest--) out[i]++;
  return out;
}

export function purchaseLines(e: PulseEvent): { productId: string; quantity: number; priceMinor: number | null }[] {
  // also called before the record is checked (to know what to read): never throw on its shape
  if (Array.isArray(e.items) && e.items.length > 0) return e.items.filter((l) => typeof l?.productId === 'string');
  return e.productId ? [{ productId: e.productId, quantity: e.quantity ?? 1, priceMinor: e.priceMinor }] : [];
}

/**
 * Records come from the log, written by ingest after validation, but the log may hold entries
 * from older versions or hand-made ones: check what the engine relies on, with a reason.
 */
function unprocessable(e: PulseEvent): string | null {
  if (typeof e !== 'object' || e === null) return 'record is not an event object';
  if (typeof e.userId !== 'string' || e.userId === '') return 'user_id: missing';
  if (typeof e.type !== 'string' || e.type === '') return 'event_type: missing';
  if (!Number.isSafeInteger(e.ts)) return 'timestamp: not epoch milliseconds';
  if (!Number.isSafeInteger(e.receivedAt)) return 'receivedAt: not epoch milliseconds';
  if (e.sessionId !== null && typeof e.sessionId !== 'string') return 'session_id: not a string';
  if (e.amountMinor !== null && (!Number.isSafeInteger(e.amountMinor) || e.amountMinor < 0)) return 'amount: not whole minor units ≥ 0';
  if (e.currency !== null && (typeof e.currency !== 'string' || !/^[A-Z]{3}$/.test(e.currency))) return 'currency: not a three-letter code';
  if (!Array.isArray(e.items)) return 'items: not a list';
  for (const line of e.items) {
    if (typeof line?.productId !== 'string' || !Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      return 'items: a line without product or whole quantity';
    }
    if (line.priceMinor != null && (!Number.isSafeInteger(line.priceMinor) || line.priceMinor < 0)) return 'items.price: not whole minor units ≥ 0';
  }
  if (e.productId !== null && typeof e.productId !== 'string') return 'product_id: not a string';
  if (e.quantity !== null && !Number.isSafeInteger(e.quantity)) return 'quantity: not a whole number';
  if (e.page !== null && typeof e.page !== 'string') return 'page: not a string';
  if (e.location !== null && typeof e.location !== 'object') return 'location: not an object';
  // ids end up in stores' keys, members and JSON: only well-formed Unicode is safe everywhere
  for (const [field, v] of [['user_id', e.userId], ['session_id', e.sessionId], ['event_type', e.type], ['product_id', e.productId], ['page', e.page]] as const) {
    if (typeof v === 'string' && !isWellFormed(v)) return `${field}: not well-formed Unicode`;
  }
  for (const line of e.items) if (!isWellFormed(line.productId)) return 'items.product_id: not well-formed Unicode';
  return null;
}
