import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PulseEvent } from '@/lib/events';
import { DuckDBHistoryEngine } from '@/server/history/duckdbEngine';
import { createHistoryService } from '@/server/history/service';
import { LocalLakeStore } from '@/server/lake/lakeStore';
import { LAKE_CONSUMER, LakeWriter } from '@/server/lake/lakeWriter';
import { LakeCompactor } from '@/server/lake/compactor';
import { ParquetEncoder } from '@/server/lake/parquet';
import { shopSettings } from '@/server/shop';
import { createRandom } from '@/scripts/simulator/random';
import { ev } from '../helpers/events';
import { harness, STORE_KINDS } from '../helpers/stores';
import { until } from '../helpers/wait';

const MIN = 60_000;
const H = 60 * MIN;
/** the closed hour compared: 10:00–11:00 UTC; traffic starts 45 minutes before it */
const HOUR = Date.UTC(2026, 10, 30, 10);
const shop = shopSettings({ currency: 'EUR', rates: new Map([['USD', 0.9]]), cartAbandonAfterMinutes: 30 });

/**
 * Sessions over 1 h 45 min: page views, carts, purchases that follow their cart within the delay,
 * after it, or never; money in EUR, USD (with a rate) and JPY (without one).
 */
function traffic(seed: number): PulseEvent[] {
  const random = createRandom(seed);
  const rnd = () => random.next();
  const out: PulseEvent[] = [];
  for (let s = 0; s < 240; s++) {
    const userId = s % 17 === 0 ? '__proto__' : `user-${s % 90}`;
    const sessionId = s % 11 === 0 ? null : `sess-${s}`;
    let t = HOUR - 45 * MIN + Math.floor(rnd() * 100 * MIN);
    const at = () => (t += Math.floor(rnd() * 6 * MIN) + 1000);
    out.push(ev({ ts: at(), userId, sessionId, type: 'page_view', page: `/p/${s % 9}`, eventId: `pv-${s}` }));
    if (rnd() < 0.7) {
      out.push(ev({ ts: at(), userId, sessionId, type: 'add_to_cart', productId: `prod-${s % 13}`, quantity: 1, eventId: `cart-${s}` }));
      const r = rnd();
      if (r < 0.45) {
        // follows within the delay, or (sometimes) long after it
        const later = r < 0.08 ? 40 * MIN : 0;
        t += later;
        const currency = s % 5 === 0 ? 'USD' : s % 7 === 0 ? 'JPY' : 'EUR';
        const amountMinor = currency === 'JPY' ? 3000 + s : 1999 + s * 37;
        out.push(ev({ ts: at(), userId, sessionId, type: 'purchase', amountMinor, currency, items: [{ productId: `prod-${s % 13}`, quantity: 1, priceMinor: amountMinor }], eventId: `buy-${s}` }));
      }
    }
  }
  return out.filter((e) => e.ts < HOUR + H);
}

let encoder: ParquetEncoder;
beforeAll(async () => {
  encoder = await ParquetEncoder.open();
});
afterAll(() => encoder.close());

describe.each(STORE_KINDS)('live and historical figures of a closed hour agree (%s)', (kind) => {
  it('revenue, orders and cart abandonment of 10:00–11:00 are the same live and in the lake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-agreement-'));
    const h = await harness(kind, { partitions: 4, shop, countingSince: HOUR - 3 * H });
    const lake = new LocalLakeStore(dir);
    const writer = new LakeWriter({ log: h.log, live: h.store, lake, encoder, shop, owner: 'agreement', flushIntervalMs: 100, maxBufferedEvents: 10_000 });
    const engine = new DuckDBHistoryEngine(lake);
    try {
      const events = traffic(7);
      // the live store's clock at the hour's last millisecond: its trailing 60 minutes are the hour
      const now = HOUR + H - 1;
      for (let i = 0; i < events.length; i += 100) await h.process(events.slice(i, i + 100), now);
      await writer.start();
      const heads = await h.log.heads();
      await until(async () => (await h.log.checkpoints(LAKE_CONSUMER)).every((c, p) => c === heads[p]), { timeoutMs: 15_000, what: 'the lake to catch up' });

      const live = await h.store.snapshot(now);
      const history = createHistoryService({ engine, shop, lake: { kind: 'local', location: dir, visibleWithinMs: 100 }, now: () => HOUR + 2 * H });
      const range = new URLSearchParams({ from: new Date(HOUR).toISOString(), to: new Date(HOUR + H).toISOString(), granularity: 'hour' });
      const revenue = await history.query('revenue', range);
      const carts = await history.query('cart_abandonment', range);
      const unconverted = await history.query('unconverted_revenue', range);
      const col = (r: typeof revenue, name: string) => r.rows.map((row) => row[r.columns.findIndex((c) => c.name === name)]);

      // the data exercises what it should: converted and unconverted money, both cart outcomes
      expect(live.orders.lastHour).toBeGreaterThan(10);
      expect(live.cartAbandonment.abandoned).toBeGreaterThan(5);
      expect(live.cartAbandonment.purchased).toBeGreaterThan(5);
      expect(live.revenue.unconverted.length).toBe(1);

      expect(col(revenue, 'bucket_start')).toEqual([HOUR]);
      expect(col(revenue, 'revenue_minor')).toEqual([live.revenue.lastHourMinor]);
      expect(col(revenue, 'orders')).toEqual([live.orders.lastHour]);
      expect(col(carts, 'abandoned')).toEqual([live.cartAbandonment.abandoned]);
      expect(col(carts, 'purchased')).toEqual([live.cartAbandonment.purchased]);
      const [jpy] = live.revenue.unconverted;
      expect(unconverted.rows.map((r) => [r[1], r[2], r[3]])).toEqual([[jpy.currency, jpy.lastHourMinor, jpy.ordersLastHour]]);
    } finally {
      await writer.stop();
      await engine.close();
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('session views read compactions\' session summaries and events alike', () => {
  it('funnel and cart abandonment are the same before and after compaction, and with a late event beside a compaction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-sessions-'));
    const h = await harness('memory', { partitions: 4, shop, countingSince: HOUR - 3 * H });
    const lake = new LocalLakeStore(dir);
    const writer = new LakeWriter({ log: h.log, live: h.store, lake, encoder, shop, owner: 'sessions', flushIntervalMs: 100, maxBufferedEvents: 10_000 });
    const engine = new DuckDBHistoryEngine(lake);
    const caughtUp = async () => {
      const heads = await h.log.heads();
      await until(async () => (await h.log.checkpoints(LAKE_CONSUMER)).every((c, p) => c === heads[p]), { timeoutMs: 15_000, what: 'the lake to catch up' });
    };
    try {
      const now = HOUR + 3 * H;
      const events = traffic(11);
      for (let i = 0; i < events.length; i += 100) await h.process(events.slice(i, i + 100), now);
      await writer.start();
      await caughtUp();
      const history = createHistoryService({ engine, shop, lake: { kind: 'local', location: dir, visibleWithinMs: 100 }, now: () => now, cache: { maxEntries: 0, ttlMs: 0 } });
      const range = new URLSearchParams({ from: new Date(HOUR - H).toISOString(), to: new Date(HOUR + 2 * H).toISOString(), granularity: 'hour' });
      const answer = async () => ({
        funnel: (await history.query('funnel', range)).rows,
        carts: (await history.query('cart_abandonment', range)).rows,
      });
      const fromEvents = await answer();
      expect(fromEvents.funnel[0][1]).toBeGreaterThan(100);

      const compactor = new LakeCompactor({ lake, encoder, compactAfterMs: 60_000, now: () => now });
      expect((await compactor.runOnce()).length).toBe(2);
      const files = await engine.filesFor(HOUR - 2 * H, HOUR + 3 * H);
      expect(files.length).toBeGreaterThan(0);
      expect(files.every((f) => (f as { sessions?: string }).sessions)).toBe(true);
      expect(await answer()).toEqual(fromEvents);

      // a late page view of a new session lands beside the compaction: read as an event
      await h.process([ev({ ts: HOUR + 30 * MIN, userId: 'late-user', sessionId: 'late-session', type: 'page_view', eventId: 'late-pv' })], now);
      await caughtUp();
      const withLate = await answer();
      expect(withLate.funnel[0][1]).toBe((fromEvents.funnel[0][1] as number) + 1);
      expect(withLate.carts).toEqual(fromEvents.carts);
    } finally {
      await writer.stop();
      await engine.close();
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
