import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { historyIndexSchema, historyResultSchema } from '@/lib/history';
import { DuckDBHistoryEngine } from '@/server/history/duckdbEngine';
import type { EngineResult, HistoryEngine } from '@/server/history/port';
import { createHistoryService } from '@/server/history/service';
import { LocalLakeStore } from '@/server/lake/lakeStore';
import { shopSettings } from '@/server/shop';
import { ev } from '@/tests/helpers/events';
import { adminFetch, adminHeaders, INGEST_KEY, startHttpFixture, type Fixture } from './httpFixture';
import { openLakeWriter, removeDir, rowsOf, writeFlushes } from './historyLake';

/** GET /api/history… over real HTTP, with the DuckDB engine on a small real lake */

const Z = (iso: string) => Date.parse(iso);
const NOW = Z('2026-12-02T10:00:00Z');
const shop = shopSettings({ currency: 'EUR', timeZone: 'UTC' });
const lake = { kind: 'local' as const, location: '', visibleWithinMs: 30_000 };

const TRICKY = 'a,"quoted"\nline';
const FORMULA = '=HYPERLINK("x")';

let dir: string;
let fx: Fixture;
let engine: DuckDBHistoryEngine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pulse-history-api-'));
  const store = new LocalLakeStore(dir);
  const writer = await openLakeWriter();
  const purchase = (ts: number, user: string, items: { productId: string; quantity: number; priceMinor: number }[], amountMinor: number) => ({
    event: ev({ ts, userId: user, sessionId: 's', type: 'purchase', amountMinor, currency: 'EUR', items }),
    facts: { fraudScore: 0.9, country: 'DE' },
  });
  await writeFlushes(
    store,
    writer,
    rowsOf(
      [
        purchase(Z('2026-11-01T10:00:00Z'), 'u1', [{ productId: TRICKY, quantity: 1, priceMinor: 500 }], 500),
        purchase(Z('2026-11-01T11:00:00Z'), 'u2', [{ productId: FORMULA, quantity: 2, priceMinor: 100 }], 200),
        purchase(Z('2026-11-02T09:00:00Z'), 'u3', [{ productId: '__proto__', quantity: 1, priceMinor: 50 }], 50),
      ],
      shop,
    ),
  );
  writer.close();
  engine = new DuckDBHistoryEngine(store);
  fx = await startHttpFixture({ history: createHistoryService({ engine, shop, lake: { ...lake, location: dir }, now: () => NOW }) });
});

afterAll(async () => {
  await fx?.close();
  await engine?.close();
  await removeDir(dir);
});

/** with the secret key (history:read) */
const get = (path: string) => adminFetch(`${fx.url}${path}`);

describe('GET /api/history', () => {
  // "without a key" before: history is now for analysts, admins and secret keys (history:read)
  test('the index, with the secret key; without a credential 401, with the publishable key 403', async () => {
    for (const path of ['/api/history', '/api/history/revenue?from=2026-11-01&to=2026-11-03']) {
      const anonymous = await fetch(`${fx.url}${path}`);
      expect([path, anonymous.status, ((await anonymous.json()) as { error: { code: string } }).error.code]).toEqual([path, 401, 'unauthenticated']);
      const publishable = await fetch(`${fx.url}${path}`, { headers: { authorization: `Bearer ${INGEST_KEY}` } });
      expect([path, publishable.status]).toEqual([path, 403]);
    }
    const res = await get('/api/history');
    expect(res.status).toBe(200);
    const body = historyIndexSchema.parse(await res.json());
    expect(body.engine).toBe('duckdb');
    expect(body.views).toHaveLength(8);
    expect(body.lake.location).toBe(dir);
  });

  test('a view as JSON', async () => {
    const res = await get('/api/history/revenue?from=2026-11-01&to=2026-11-03');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = historyResultSchema.parse(await res.json());
    expect(body.granularity).toBe('hour');
    expect(body.rows).toHaveLength(48);
    expect(body.rows.filter((r) => r[2] !== 0)).toEqual([
      [Z('2026-11-01T10:00:00Z'), 500, 1, 1, 500],
      [Z('2026-11-01T11:00:00Z'), 200, 1, 1, 200],
      [Z('2026-11-02T09:00:00Z'), 50, 1, 1, 50],
    ]);
    expect(body.stats).toMatchObject({ engine: 'duckdb', filesScanned: 3 });
    expect(body.lakeNewestEventTime).toBe(Z('2026-11-02T09:00:00Z'));
    expect(body.cached).toBe(false);
    const again = historyResultSchema.parse(await (await get('/api/history/revenue?from=2026-11-01&to=2026-11-03')).json());
    expect(again.cached).toBe(true);
  });

  test('unknown view: 404; bad parameter: 400 naming it', async () => {
    const missing = await get('/api/history/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    const bad = await get('/api/history/top_products?limit=9999');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request', message: expect.stringMatching(/^limit:/) } });
    const badTo = await get('/api/history/revenue?from=2026-11-01&to=2026-10-01');
    expect((await badTo.json()).error.message).toMatch(/^to:/);
  });

  test('CSV: header row, RFC 4180 quoting, formulas defused, time as ISO, a download name', async () => {
    const res = await get('/api/history/top_products?from=2026-11-01&to=2026-11-03&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="pulse-top_products-20261101T0000Z-20261103T0000Z.csv"');
    expect(await res.text()).toBe(
      ['product_id,revenue_minor,units,orders', '"a,""quoted""\nline",500,1,1', `"'=HYPERLINK(""x"")",200,2,1`, '__proto__,50,1,1', ''].join('\r\n'),
    );
    const fraud = await (await get('/api/history/fraud_scored_purchases?from=2026-11-01&to=2026-11-03&format=csv&min_score=0.9')).text();
    const lines = fraud.split('\r\n');
    expect(lines[0]).toBe('ts,event_id,user_id,amount_minor,currency,shop_amount_minor,fraud_score,country');
    expect(lines[1]).toMatch(/^2026-11-02T09:00:00\.000Z,e\d+,u3,50,EUR,50,0\.9,DE$/);
    expect(lines).toHaveLength(5);
  });
});

test('a client that goes away cancels its query', async () => {
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  let sawAbort!: (why: unknown) => void;
  const aborted = new Promise<unknown>((r) => (sawAbort = r));
  const hanging: HistoryEngine = {
    kind: 'duckdb',
    dialect: 'duckdb',
    run: (_q, o) =>
      new Promise<EngineResult>((_resolve, reject) => {
        started();
        o?.signal?.addEventListener('abort', () => {
          sawAbort(o.signal!.reason);
          const err = new Error('cancelled');
          err.name = 'AbortError';
          reject(err);
        });
      }),
    newestEventTime: async () => null,
    close: async () => {},
  };
  const fx2 = await startHttpFixture({ history: createHistoryService({ engine: hanging, shop, lake, now: () => NOW }) });
  try {
    const url = new URL(`${fx2.url}/api/history/revenue?from=2026-11-01&to=2026-11-02`);
    const req = request(url, { method: 'GET', headers: adminHeaders });
    req.on('error', () => {});
    req.end();
    await running;
    req.destroy();
    await expect(Promise.race([aborted.then(() => 'aborted'), new Promise((r) => setTimeout(() => r('not aborted'), 3000))])).resolves.toBe('aborted');
  } finally {
    await fx2.close();
  }
});

test('without a history service there are no history routes', async () => {
  const plain = await startHttpFixture();
  try {
    const res = await adminFetch(`${plain.url}/api/history`);
    expect(res.status).toBe(404);
  } finally {
    await plain.close();
  }
});
