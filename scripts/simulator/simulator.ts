import { randomInt } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { WireEvent } from '../../lib/events';
import { createPricing, type Pricing } from './currency';
import type { FraudPattern } from './fraud';
import { FRAUD_PATTERNS } from './fraud';
import { DEFAULT_PATTERNS_PER_HOUR } from './fraudSchedule';
import { openingStock, seedInventory, StockBook } from './inventory';
import { Pacer } from './pacer';
import { createRandom, type Random } from './random';
import { Sender } from './sender';
import type { CanBuy } from './session';
import { formatStatus } from './status';
import { Traffic, type TrafficOptions } from './traffic';
import { UserPool } from './users';

export interface SimulatorOptions {
  url: string;
  key: string;
  /** events per second */
  rate: number;
  /** seconds; null/undefined = until stop() */
  duration?: number | null;
  /** most events per request (1-500) */
  batch?: number;
  /** scripted fraud and high-value patterns started per hour (default 20: about 4 of each kind) */
  patternsPerHour?: number;
  /** shop currency, currency mix and rates (default: EUR only) */
  pricing?: Pricing;
  seed?: number | null;
  /** no start line and no status line every 5 s */
  quiet?: boolean;
  /** set opening stock for the catalogue (POST /api/inventory) before sending events */
  seedInventory?: boolean;
  /** the admin key seeding stock takes (the ingest key may only send events) */
  adminKey?: string | null;
  log?: (line: string) => void;
  warn?: (line: string) => void;
  statusIntervalMs?: number;
  /** how long stop() waits for queued events to be delivered */
  flushTimeoutMs?: number;
}

export interface Summary {
  seed: number;
  durationSeconds: number;
  generated: number;
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
  retries: number;
  requests: number;
  /** generated but never answered by the server (it was unreachable at exit) */
  unsent: number;
  sessions: number;
  patterns: Record<FraudPattern, number>;
  eventsByType: Record<string, number>;
  /** why the run stopped early (the key was refused), else null */
  fatal: string | null;
}

export interface RunningSimulator {
  readonly seed: number;
  stats(): Summary;
  /** stops generating, delivers what is queued (bounded by flushTimeoutMs), idempotent */
  stop(): Promise<Summary>;
  /** resolves when the run ends: after `duration`, on stop(), or when the key is refused */
  done: Promise<Summary>;
  /** the first event generated (its user has a page from then on); null if the run ended before one */
  firstEvent: Promise<WireEvent | null>;
}

const TICK_MS = 100;
/** sold-out products get a delivery this often (with --seed-inventory) */
export const RESTOCK_EVERY_MS = 60_000;

export function defaultPricing(): Pricing {
  const r = createPricing({ shopCurrency: 'EUR' });
  if (!r.ok) throw new Error(r.error);
  return r.pricing;
}

export interface TrafficSetup {
  seed: number;
  rng: Random;
  rate: number;
  start: number;
  newId: () => string;
  patternsPerHour?: number;
  pricing?: Pricing;
  canBuy?: CanBuy;
  onEmit?: TrafficOptions['onEmit'];
}

/** The traffic model as the simulator runs it (also used offline, on a simulated clock, by tests). */
export function createTraffic(t: TrafficSetup): Traffic {
  return new Traffic({
    rng: t.rng,
    rate: t.rate,
    patternsPerHour: t.patternsPerHour ?? DEFAULT_PATTERNS_PER_HOUR,
    start: t.start,
    users: new UserPool(t.seed, t.pricing ?? defaultPricing()),
    newId: t.newId,
    canBuy: t.canBuy,
    onEmit: t.onEmit,
  });
}

export function startSimulator(options: SimulatorOptions): RunningSimulator {
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const rng = createRandom(seed);
  const newId = monotonicFactory();
  const startedAt = Date.now();
  const opening = options.seedInventory ? openingStock(rng.fork()) : [];
  const stock = new StockBook(opening, { startedAt });
  const pricing = options.pricing ?? defaultPricing();
  const patternsPerHour = options.patternsPerHour ?? DEFAULT_PATTERNS_PER_HOUR;
  const traffic = createTraffic({
    seed,
    rng,
    rate: options.rate,
    start: startedAt,
    newId,
    patternsPerHour,
    pricing,
    canBuy: (lines) => stock.available(lines),
  });
  let resolveFirst!: (e: WireEvent | null) => void;
  const firstEvent = new Promise<WireEvent | null>((resolve) => (resolveFirst = resolve));
  const pacer = new Pacer(options.rate, startedAt);
  const eventsByType: Record<string, number> = {};
  let generated = 0;
  // past this many undelivered events, generation pauses instead of piling up in memory
  const maxBacklog = Math.max(1_000, Math.ceil(options.rate * 30));

  const sender = new Sender({
    url: options.url,
    key: options.key,
    batchSize: options.batch ?? 50,
    // small batches at high rates need more requests in flight to keep up
    maxInFlight: Math.min(64, Math.max(4, Math.ceil(options.rate / (options.batch ?? 50) / 20))),
    warn,
    onFatal: () => void stop(),
  });

  let resolveDone!: (s: Summary) => void;
  const done = new Promise<Summary>((resolve) => (resolveDone = resolve));
  let stopping: Promise<Summary> | null = null;
  let tick: NodeJS.Timeout | undefined;
  let restock: NodeJS.Timeout | undefined;
  const generate = () => {
    const now = Date.now();
    if (options.duration && now - startedAt >= options.duration * 1000) {
      void stop();
      return;
    }
    if (sender.backlog >= maxBacklog) {
      pacer.skip(now);
      return;
    }
    const events = traffic.take(now, pacer.due(now));
    for (const e of events) {
      eventsByType[e.event_type] = (eventsByType[e.event_type] ?? 0) + 1;
      if (e.event_type === 'purchase') stock.applyPurchase(e.properties?.items ?? []);
    }
    generated += events.length;
    if (events.length > 0) resolveFirst(events[0]);
    sender.enqueue(events);
  };
  const begin = () => {
    if (stopping) return;
    pacer.skip(Date.now());
    tick = setInterval(generate, TICK_MS);
  };
  if (options.seedInventory) {
    restock = setInterval(() => {
      const due = stock.restock(Date.now());
      if (due.length === 0) return;
      void seedInventory(options.url, options.adminKey ?? '', due, 1).then((r) => {
        if (!r.ok) warn(`[pulse-sim] warning: restocking failed (${r.error})`);
        else if (!options.quiet) log(`[pulse-sim] restocked ${due.map((d) => d.product_id).join(', ')}`);
      });
    }, RESTOCK_EVERY_MS);
    void seedInventory(options.url, options.adminKey ?? '', opening).then((r) => {
      if (r.ok) {
        if (!options.quiet) log(`[pulse-sim] opening stock set for ${opening.length} products`);
      } else {
        warn(`[pulse-sim] warning: could not set opening stock (${r.error}); continuing without it`);
      }
      begin();
    });
  } else {
    begin();
  }

  let last = { at: startedAt, sent: 0 };
  const status = options.quiet
    ? null
    : setInterval(() => {
        const now = Date.now();
        const s = sender.stats;
        const note =
          sender.backlog >= maxBacklog ? 'paused: server not keeping up' : sender.backingOff ? 'backing off' : null;
        log(formatStatus({
          ...s,
          ratePerSecond: ((s.sent - last.sent) * 1000) / Math.max(1, now - last.at),
          sessions: traffic.activeActors,
          queued: sender.backlog,
          note,
        }));
        last = { at: now, sent: s.sent };
      }, options.statusIntervalMs ?? 5_000);

  if (!options.quiet) {
    const currencies = pricing.mix.map((m) => (pricing.mix.length === 1 ? m.currency : `${m.currency} ${Math.round(m.share * 100)} %`)).join(', ');
    log(`[pulse-sim] sending ~${options.rate} events/s to ${options.url} (batch ${options.batch ?? 50}, ${patternsPerHour} fraud/high-value patterns an hour, ${currencies}, seed ${seed})${options.duration ? ` for ${options.duration} s` : '; Ctrl-C to stop'}`);
  }

  const summary = (): Summary => ({
    seed,
    durationSeconds: (Date.now() - startedAt) / 1000,
    generated,
    ...sender.stats,
    unsent: sender.backlog,
    sessions: traffic.started.session,
    patterns: Object.fromEntries(FRAUD_PATTERNS.map((p) => [p, traffic.started[p]])) as Record<FraudPattern, number>,
    eventsByType: { ...eventsByType },
    fatal: sender.fatal,
  });

  function stop(): Promise<Summary> {
    stopping ??= (async () => {
      clearInterval(tick);
      clearInterval(restock);
      if (status) clearInterval(status);
      await sender.flush(options.flushTimeoutMs ?? 10_000);
      sender.close();
      const s = summary();
      resolveFirst(null);
      resolveDone(s);
      return s;
    })();
    return stopping;
  }

  return { seed, stats: summary, stop, done, firstEvent };
}
