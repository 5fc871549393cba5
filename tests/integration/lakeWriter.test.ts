import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LakeCompactor } from '@/server/lake/compactor';
import { compactedFileName, flushFileName, flushStateKey, hourDir, hourOfDir, parseFlushFileName, visibleFiles } from '@/server/lake/layout';
import { LocalLakeStore, type LakeStore } from '@/server/lake/lakeStore';
import { LAKE_CONSUMER, LakeWriter, type FlushReport } from '@/server/lake/lakeWriter';
import { readablePaths } from '@/server/lake/objects';
import { openDuckDB, ParquetEncoder, sqlPath } from '@/server/lake/parquet';
import { readCovers } from '@/server/lake/objects';
import { shopSettings } from '@/server/shop';
import { ev } from '../helpers/events';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { harness, STORE_KINDS, type Harness } from '../helpers/stores';
import { until } from '../helpers/wait';
import { drained, startPulse } from '../helpers/pulse';
import { REDIS_URL } from '../helpers/stores';
import { Redis } from 'ioredis';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const shop = shopSettings();

let encoder: ParquetEncoder;
let duck: Awaited<ReturnType<typeof openDuckDB>>;
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  encoder = await ParquetEncoder.open();
  duck = await openDuckDB();
});
afterAll(() => {
  encoder.close();
  duck.connection.closeSync();
  duck.instance.closeSync();
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function tempLake(): LocalLakeStore {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-lake-test-'));
  open.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
  return new LocalLakeStore(dir);
}

/** three hours of traffic: page views, carts and purchases of 6 users, hostile ids among them */
function traffic(n: number, offsetMs = 0) {
  const users = ['u1', '__proto__', 'a\u0000b', '💥', 'constructor', "o'brien"];
  return Array.from({ length: n }, (_, i) => {
    const ts = T0 + offsetMs + Math.floor((i * 3 * H) / n);
    const userId = users[i % users.length];
    const type = i % 5 === 4 ? 'purchase' : i % 5 === 3 ? 'add_to_cart' : 'page_view';
    return ev({
      ts,
      userId,
      type,
      sessionId: `s-${userId}`,
      productId: type === 'purchase' ? null : `p${i % 7}`,
      amountMinor: type === 'purchase' ? 1000 + i : null,
      currency: type === 'purchase' ? 'EUR' : null,
      items: type === 'purchase' ? [{ productId: `p${i % 7}`, quantity: 1, priceMinor: 1000 + i }] : [],
      location: type === 'purchase' ? { country: i % 2 ? 'DE' : 'FR', lat: null, lon: null } : null,
    });
  });
}

function writer(h: Harness, lake: LakeStore, opts: { owner?: string; flushIntervalMs?: number; onFlushed?: (f: FlushReport) => void; log?: Harness['log'] } = {}) {
  const w = new LakeWriter({
    log: opts.log ?? h.log,
    live: h.store,
    lake,
    encoder,
    shop,
    owner: opts.owner ?? 'writer-a',
    flushIntervalMs: opts.flushIntervalMs ?? 100,
    maxBufferedEvents: 10_000,
    onFlushed: opts.onFlushed,
  });
  return w;
}

async function lakeCaughtUp(h: Harness): Promise<void> {
  const heads = await h.log.heads();
  await until(async () => (await h.log.checkpoints(LAKE_CONSUMER)).every((c, p) => c === heads[p]), { timeoutMs: 15_000, what: 'the lake writer to catch up' });
}

/** every data file of every hour folder (what a reader following `visibleFiles` reads) */
async function visibleKeys(lake: LakeStore): Promise<string[]> {
  const out: string[] = [];
  for (const y of await lake.listDirs('events'))
    for (const m of await lake.listDirs(`events/${y}`))
      for (const d of await lake.listDirs(`events/${y}/${m}`))
        for (const hh of await lake.listDirs(`events/${y}/${m}/${d}`)) {
          const dir = `events/${y}/${m}/${d}/${hh}`;
          const names = await lake.list(dir);
          for (const n of await visibleFiles(names, (g) => readCovers(lake, `${dir}/_compacted-${String(g).padStart(6, '0')}.json`))) out.push(`${dir}/${n}`);
        }
  return out.sort();
}

async function rowsOf(lake: LakeStore, where = 'TRUE'): Promise<Record<string, unknown>[]> {
  const keys = await visibleKeys(lake);
  if (keys.length === 0) return [];
  const { paths, done } = await readablePaths(lake, keys);
  try {
    const r = await duck.connection.runAndReadAll(
      `SELECT event_id, user_id, event_type, ts_ms, shop_amount_minor, fraud_score, purchase_country, log_partition, log_offset, item_product_ids FROM read_parquet([${paths.map(sqlPath).join(', ')}]) WHERE ${where} ORDER BY log_partition, log_offset`,
    );
    return r.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    await done();
  }
}

describe.each(STORE_KINDS)('lake writer on the %s log and live store', (kind) => {
  it('writes every applied event once, by UTC hour of event time, with the live pipeline’s fraud scores', async () => {
    const h = await harness(kind, { partitions: 4 });
    open.push(h);
    const lake = tempLake();
    const events = traffic(300);
    await h.process(events, T0 + 4 * H);
    const w = writer(h, lake);
    open.push({ close: () => w.stop() });
    await w.start();
    await lakeCaughtUp(h);

    const rows = await rowsOf(lake);
    expect(rows).toHaveLength(events.length);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(events.length);
    // ids exactly as sent, hostile ones included
    expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set(events.map((e) => e.userId)));
    // every file is named by its partition and offsets, and holds only its own hour's events
    for (const key of await visibleKeys(lake)) {
      const name = parseFlushFileName(key.slice(key.lastIndexOf('/') + 1))!;
      expect(name).not.toBeNull();
      const hourStart = hourOfDir(key.slice(0, key.lastIndexOf('/')))!;
      const inFile = await duck.connection.runAndReadAll(`SELECT min(ts_ms)::BIGINT AS lo, max(ts_ms)::BIGINT AS hi, min(log_offset)::BIGINT AS first, max(log_offset)::BIGINT AS last, min(log_partition) AS p FROM read_parquet(${sqlPath(lake.localPath!(key))})`);
      const r = inFile.getRowObjects()[0];
      expect(Number(r.lo)).toBeGreaterThanOrEqual(hourStart);
      expect(Number(r.hi)).toBeLessThan(hourStart + H);
      expect(Number(r.p)).toBe(name.partition);
      expect(Number(r.first)).toBeGreaterThanOrEqual(name.first);
      expect(Number(r.last)).toBeLessThanOrEqual(name.last);
    }
    const hours = new Set((await visibleKeys(lake)).map((k) => k.split('/').slice(0, 5).join('/')));
    expect(hours).toEqual(new Set([hourDir(T0), hourDir(T0 + H), hourDir(T0 + 2 * H)]));
    // purchases carry what the live engine decided; the rest carry none
    const purchases = rows.filter((r) => r.event_type === 'purchase');
    expect(purchases.length).toBe(60);
    for (const p of purchases) {
      expect(typeof p.fraud_score).toBe('number');
      expect(['DE', 'FR']).toContain(p.purchase_country);
    }
    expect(rows.filter((r) => r.event_type !== 'purchase').every((r) => r.fraud_score === null)).toBe(true);
    // the facts are gone from the live store once written
    expect((await h.store.purchaseFacts(0, [1, 2, 3, 4, 5])).size).toBe(0);
  });

  it('a writer that crashed after writing files but before its checkpoint is redone into the same files, not copies', async () => {
    const h = await harness(kind, { partitions: 2 });
    open.push(h);
    const lake = tempLake();
    const events = traffic(120);
    await h.process(events, T0 + 4 * H);
    // writer A: every commit fails, as if the process died right after its files were put
    const crashing = Object.create(h.log) as Harness['log'];
    crashing.commit = async () => {
      throw new Error('killed before the checkpoint');
    };
    const flushed: FlushReport[] = [];
    const a = writer(h, lake, { owner: 'writer-a', log: crashing });
    const filesOfA: string[] = [];
    await a.start();
    await until(async () => (await lake.get(flushStateKey(await h.log.identity(), 0))) !== null && (await visibleKeys(lake)).length > 0, { timeoutMs: 10_000, what: 'writer A to write files' });
    await new Promise((r) => setTimeout(r, 300));
    await a.stop({ drainMs: 0 });
    filesOfA.push(...(await visibleKeys(lake)));
    expect(filesOfA.length).toBeGreaterThan(0);
    expect(await h.log.checkpoints(LAKE_CONSUMER)).toEqual([0, 0]);

    // more events arrive meanwhile: B must still redo A's exact range first, then the rest
    const later = traffic(30, 30_000);
    await h.process(later, T0 + 4 * H);
    const b = writer(h, lake, { owner: 'writer-b', onFlushed: (f) => flushed.push(f) });
    open.push({ close: () => b.stop() });
    await b.start();
    await lakeCaughtUp(h);
    const rows = await rowsOf(lake);
    expect(rows).toHaveLength(events.length + later.length);
    expect(new Set(rows.map((r) => `${r.log_partition}:${r.log_offset}`)).size).toBe(rows.length);
    // A's files were rewritten under the same names, and B's first flush per partition is A's range
    const afterB = await visibleKeys(lake);
    for (const f of filesOfA) expect(afterB).toContain(f);
    const aRanges = new Set(filesOfA.map((k) => { const p = parseFlushFileName(k.split('/').pop()!)!; return `${p.partition}:${p.first}-${p.last}`; }));
    for (const r of aRanges) expect(flushed.map((f) => `${f.partition}:${f.first}-${f.last}`)).toContain(r);
  });

  it('sets records it cannot write aside under errors/ with the reason, and writes their neighbours', async () => {
    const h = await harness(kind, { partitions: 1 });
    open.push(h);
    const lake = tempLake();
    const good = traffic(10);
    // a record no Parquet timestamp can hold (the log accepts what it is given; ingest would refuse it)
    const bad = ev({ ts: Date.UTC(10_500, 0, 1), userId: 'u1', type: 'page_view', eventId: 'far-future' });
    await h.process([...good, bad], T0 + 4 * H);
    const w = writer(h, lake);
    open.push({ close: () => w.stop() });
    await w.start();
    await lakeCaughtUp(h);
    expect(await rowsOf(lake)).toHaveLength(10);
    const errorDirs = (await lake.listDirs('errors')).length;
    expect(errorDirs).toBe(1);
    const [y] = await lake.listDirs('errors');
    const [m] = await lake.listDirs(`errors/${y}`);
    const [d] = await lake.listDirs(`errors/${y}/${m}`);
    const [hh] = await lake.listDirs(`errors/${y}/${m}/${d}`);
    const dir = `errors/${y}/${m}/${d}/${hh}`;
    const [file] = await lake.list(dir);
    const lines = (await lake.get(`${dir}/${file}`))!.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].reason).toMatch(/timestamp/);
    expect(JSON.parse(lines[0].event).eventId).toBe('far-future');
  });
});

it('writes the money the live pipeline counted, even when the lake writer runs with other rates', async () => {
  const liveShop = shopSettings({ currency: 'EUR', rates: new Map([['USD', 0.9]]) });
  const h = await harness('memory', { partitions: 1, shop: liveShop });
  open.push(h);
  const lake = tempLake();
  await h.process([ev({ ts: T0, userId: 'fx', type: 'purchase', amountMinor: 1000, currency: 'USD', items: [{ productId: 'p', quantity: 2, priceMinor: 500 }] })], T0 + H);
  // a restart with another rate before the lake flushed: the row still holds what revenue counted
  const w = new LakeWriter({ log: h.log, live: h.store, lake, encoder, shop: shopSettings({ currency: 'EUR', rates: new Map([['USD', 0.5]]) }), owner: 'fx', flushIntervalMs: 50, maxBufferedEvents: 100 });
  open.push({ close: () => w.stop() });
  await w.start();
  await lakeCaughtUp(h);
  const [row] = await rowsOf(lake);
  expect(row.shop_amount_minor).toBe('900'); // BIGINT comes back as text
  expect(row.item_product_ids).toEqual(['p']);
  const r = await duck.connection.runAndReadAll(`SELECT item_shop_revenue_minor AS v FROM read_parquet(${sqlPath(lake.localPath((await visibleKeys(lake))[0]))})`);
  expect(r.getRowObjectsJson()[0].v).toEqual(['900']);
});

describe('compaction', () => {
  it('compacts an hour of many small files into one, atomically: readers never see it twice or not at all', async () => {
    const h = await harness('memory', { partitions: 4 });
    open.push(h);
    const lake = tempLake();
    const w = writer(h, lake, { flushIntervalMs: 50 });
    open.push({ close: () => w.stop() });
    await w.start();
    // several rounds: each leaves files per partition in the same hour
    let sent = 0;
    for (let round = 0; round < 4; round++) {
      const batch = traffic(40).map((e) => ({ ...e, eventId: `r${round}-${e.eventId}`, ts: T0 + (e.ts - T0) / 3 }));
      await h.process(batch, T0 + 4 * H);
      sent += batch.length;
      await lakeCaughtUp(h);
    }
    const dir = hourDir(T0);
    const before = (await lake.list(dir)).filter((n) => n.endsWith('.parquet'));
    expect(before.length).toBeGreaterThan(4);
    const count = async () => (await rowsOf(lake)).length;
    expect(await count()).toBe(sent);

    const compactor = new LakeCompactor({ lake, encoder, compactAfterMs: 10 * 60_000, now: () => T0 + 2 * H });
    // readers during the compaction keep counting the same rows
    const counts: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) counts.push(await count());
    })();
    const reports = await compactor.runOnce();
    reading = false;
    await reader;
    expect(reports).toEqual([{ dir, generation: 1, replaced: before.length, rows: sent }]);
    expect(counts.every((c) => c === sent)).toBe(true);
    expect(await visibleKeys(lake)).toEqual([`${dir}/${compactedFileName(1)}`]);
    // the replaced files stay one pass (for readers that listed them), then go
    expect((await lake.list(dir)).filter((n) => n.endsWith('.parquet') && !n.startsWith('_')).length).toBe(before.length + 1);
    await compactor.runOnce();
    expect((await lake.list(dir)).sort()).toEqual(['_compacted-000001.json', '_sessions-000001.parquet', compactedFileName(1)]);

    // a late event adds a small file beside the compaction; the next compaction takes both
    const late = ev({ ts: T0 + 60_000, userId: 'late', type: 'page_view', eventId: 'late-1' });
    await h.process([late], T0 + 4 * H);
    await lakeCaughtUp(h);
    expect(await count()).toBe(sent + 1);
    const again = await compactor.runOnce();
    expect(again).toEqual([{ dir, generation: 2, replaced: 2, rows: sent + 1 }]);
    await compactor.runOnce();
    expect((await lake.list(dir)).sort()).toEqual(['_compacted-000002.json', '_sessions-000002.parquet', compactedFileName(2)]);
    expect(await count()).toBe(sent + 1);
  });

  it('leaves an hour that is still open alone until it has many files', async () => {
    const lake = tempLake();
    const compactor = new LakeCompactor({ lake, encoder, compactAfterMs: 10 * 60_000, now: () => T0 + 30 * 60_000, openHourMaxFiles: 3 });
    const h = await harness('memory', { partitions: 2 });
    open.push(h);
    const w = writer(h, lake, { flushIntervalMs: 50 });
    open.push({ close: () => w.stop() });
    await w.start();
    await h.process([ev({ ts: T0 + 1000, userId: 'a', type: 'page_view' })], T0 + 30 * 60_000);
    await lakeCaughtUp(h);
    expect(await compactor.runOnce()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      await h.process([ev({ ts: T0 + 2000 + i, userId: `b${i}`, type: 'page_view' })], T0 + 30 * 60_000);
      await lakeCaughtUp(h);
    }
    const reports = await compactor.runOnce();
    expect(reports).toHaveLength(1);
    expect(reports[0].rows).toBe(4);
  });
});

describe('lake on S3 (s3rver)', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('puts each flush as one object named by its offsets under the prefix, readable back, and compacts', async () => {
    const h = await harness('redis', { partitions: 2 });
    open.push(h);
    const lake = s3.lake('shop-a/');
    const events = traffic(90);
    await h.process(events, T0 + 4 * H);
    const w = writer(h, lake);
    await w.start();
    await lakeCaughtUp(h);
    await w.stop();
    const keys = await visibleKeys(lake);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect((await rowsOf(lake)).length).toBe(events.length);
    // the objects are where Athena's table location expects them
    const listing = await lake.list(hourDir(T0));
    const logId = await h.log.identity();
    expect(listing.some((n) => n.startsWith(`${logId}-p`))).toBe(true);
    expect(listing.every((n) => n === flushFileName(logId, parseFlushFileName(n)!.partition, parseFlushFileName(n)!.first, parseFlushFileName(n)!.last))).toBe(true);

    const compactor = new LakeCompactor({ lake, encoder, compactAfterMs: 60_000, now: () => T0 + 5 * H });
    const reports = await compactor.runOnce();
    expect(reports.map((r) => r.rows).reduce((a, b) => a + b, 0)).toBe(events.length);
    // on S3 the replaced objects go at once (Athena reads every object of the hour)
    for (const r of reports) expect((await lake.list(r.dir)).sort()).toEqual(['_compacted-000001.json', '_sessions-000001.parquet', compactedFileName(1)]);
    expect((await rowsOf(lake)).length).toBe(events.length);
  });
});

it('the lake folder holds nothing but the layout (no temporary files left behind)', async () => {
  const h = await harness('memory', { partitions: 2 });
  open.push(h);
  const lake = tempLake();
  await h.process(traffic(50), T0 + 4 * H);
  const w = writer(h, lake);
  await w.start();
  await lakeCaughtUp(h);
  await w.stop();
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const files = walk(lake.root).map((f) => f.slice(lake.root.length + 1));
  expect(files.every((f) => /^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/[A-Za-z0-9_-]+-p\d{3}-\d{12}-\d{12}\.parquet$/.test(f))).toBe(true);
});

describe('a Pulse process writes its lake', () => {
  it('embedded: a clean stop writes what was applied, even before the flush interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-lake-stop-'));
    open.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    const p = await startPulse({ PULSE_DATA_DIR: dir, LAKE_FLUSH_INTERVAL_MS: '600000' });
    const ts = new Date(Date.now() - 60_000).toISOString();
    const r = await p.post({ events: [{ timestamp: ts, user_id: 'stop-1', event_type: 'page_view' }, { timestamp: ts, user_id: 'stop-2', event_type: 'purchase', properties: { amount: 12.5 } }] });
    expect(r.status).toBe(202);
    await drained(p.pulse);
    expect(p.pulse.lake()!.writer.counters.written).toBe(0);
    await p.close();
    const lake = new LocalLakeStore(join(dir, 'lake'));
    const rows = await rowsOf(lake);
    expect(rows.map((x) => x.user_id).sort()).toEqual(['stop-1', 'stop-2']);
    expect(rows.find((x) => x.user_id === 'stop-2')!.shop_amount_minor).toBe('1250'); // BIGINT comes back from DuckDB as text
  });

  it('single node with an S3 lake: bucket, prefix and endpoint come from the configuration', async () => {
    const s3 = await startS3('pulse-config-test');
    open.push(s3);
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    open.push({ close: async () => { process.env.AWS_ACCESS_KEY_ID = saved.id; process.env.AWS_SECRET_ACCESS_KEY = saved.secret; if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; } });
    const prefix = `cfg-${Date.now()}:`;
    const p = await startPulse({ REDIS_URL, REDIS_PREFIX: prefix, LAKE_S3_BUCKET: s3.bucket, LAKE_S3_PREFIX: 'shops/a/', S3_ENDPOINT: s3.endpoint, LAKE_FLUSH_INTERVAL_MS: '1000' });
    open.push({ close: async () => { await p.close(); const r = new Redis(REDIS_URL); const keys = await r.keys(`${prefix}*`); if (keys.length) await r.del(...keys); r.disconnect(); } });
    const ts = new Date(Date.now() - 60_000).toISOString();
    expect((await p.post({ timestamp: ts, user_id: 'on-s3', event_type: 'page_view' })).status).toBe(202);
    const lake = s3.lake('shops/a/');
    await until(async () => (await rowsOf(lake)).length === 1, { timeoutMs: 15_000, what: 'the event to reach the S3 lake' });
    expect((await rowsOf(lake))[0].user_id).toBe('on-s3');
    expect((await s3.lake('').listDirs('')).sort()).toEqual(['shops']);
  });
});
