import type { WireEvent } from '../../lib/events';
import type { ActorKind } from './actor';
import type { Pricing } from './currency';
import { Pacer } from './pacer';
import { createRandom } from './random';
import { createTraffic } from './simulator';
import type { Traffic } from './traffic';

export interface OfflineRun {
  /** every event in order, with what produced it */
  events: { kind: ActorKind; event: WireEvent }[];
  traffic: Traffic;
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
}): OfflineRun {
  const start = o.start ?? Date.parse('2026-11-25T12:00:00.000Z');
  let id = 0;
  const events: OfflineRun['events'] = [];
  const traffic = createTraffic({
    seed: o.seed,
    rng: createRandom(o.seed),
    rate: o.rate,
    start,
    // ids that sort in time order, like the ulids of a live run
    newId: () => `id_${String(++id).padStart(9, '0')}`,
    patternsPerHour: o.patternsPerHour,
    pricing: o.pricing,
    onEmit: (kind, event) => events.push({ kind, event }),
  });
  const pacer = new Pacer(o.rate, start);
  for (let now = start + 100; now <= start + o.seconds * 1000; now += 100) traffic.take(now, pacer.due(now));
  return { events, traffic };
}
