import type { WireEvent } from '../../lib/events';
import type { ActorKind } from './actor';
import type { Pricing } from './currency';
import { openingStock, StockBook } from './inventory';
import { Pacer } from './pacer';
import { createRandom } from './random';
import { createTraffic, RESTOCK_EVERY_MS } from './simulator';
import type { Traffic } from './traffic';

/** Pulse's default low-stock rule: an alert when a product's stock falls to 5 or fewer */
const LOW_STOCK_AT_OR_BELOW = 5;

export interface OfflineRun {
  /** every event in order, with what produced it */
  events: { kind: ActorKind; event: WireEvent }[];
  traffic: Traffic;
  /** with `stock`: when a product's stock crossed the low-stock threshold (a low-stock alert) */
  lowStock: { at: number; productId: string }[];
}

/**
 * The simulator's traffic on a simulated clock, without a server: the same model, pacing and
 * 100 ms ticks as a live run, an hour of it in a second or two. For measuring what the demo sends.
 */
export function simulateOffline(o: {
  seed: number;
  rate: number;
  seconds: number;
  patternsPerHour?: number;
  pricing?: Pricing;
  start?: number;
  /** keep stock as --seed-inventory does: opening stock, sold-out carts abandoned, restocking */
  stock?: boolean;
}): OfflineRun {
  const start = o.start ?? Date.parse('2026-11-25T12:00:00.000Z');
  let id = 0;
  const events: OfflineRun['events'] = [];
  const lowStock: OfflineRun['lowStock'] = [];
  const rng = createRandom(o.seed);
  // drawn first, as startSimulator does, so the traffic's draws match a live run with stock
  const book = o.stock ? new StockBook(openingStock(rng.fork()), { startedAt: start }) : null;
  const traffic = createTraffic({
    seed: o.seed,
    rng,
    rate: o.rate,
    start,
    // ids that sort in time order, like the ulids of a live run
    newId: () => `id_${String(++id).padStart(9, '0')}`,
    patternsPerHour: o.patternsPerHour,
    pricing: o.pricing,
    canBuy: book ? (lines) => book.available(lines) : undefined,
    onEmit: (kind, event) => {
      events.push({ kind, event });
      if (!book || event.event_type !== 'purchase') return;
      for (const item of event.properties?.items ?? []) {
        const before = book.stockOf(item.product_id) ?? Infinity;
        book.applyPurchase([item]);
        if (before > LOW_STOCK_AT_OR_BELOW && book.stockOf(item.product_id)! <= LOW_STOCK_AT_OR_BELOW) {
          lowStock.push({ at: Date.parse(event.timestamp), productId: item.product_id });
        }
      }
    },
  });
  const pacer = new Pacer(o.rate, start);
  for (let now = start + 100; now <= start + o.seconds * 1000; now += 100) {
    if (book && (now - start) % RESTOCK_EVERY_MS === 0) book.restock(now);
    traffic.take(now, pacer.due(now));
  }
  return { events, traffic, lowStock };
}
