import { existsSync } from 'node:fs';
import { SESSION_ROW_OF_EVENT } from '@/server/lake/sessions';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateEvent } from '@/lib/events';
import { DEFAULT_TOP_ROWS, HISTORY_VIEWS, type Granularity, type HistoryView } from '@/lib/history';
import { createAdapters } from '@/server/adapters/createAdapters';
import { loadConfig } from '@/server/config';
import { LIVE_CONSUMER, LiveConsumer } from '@/server/consumers/liveConsumer';
import { createHistoryFromConfig } from '@/server/history/createHistory';
import { createHistoryService } from '@/server/history/service';
import { createLakeStore, startLake } from '@/server/lake/createLake';
import { LAKE_CONSUMER } from '@/server/lake/lakeWriter';
import { PipelineStats } from '@/server/pipeline/stats';
import { simulateOffline } from '../simulator/offline';
import { bindDuckDB, bindValue, DuckDBHistoryEngine, toCell } from '@/server/history/duckdbEngine';
import type { EngineResult } from '@/server/history/port';
import { VIEW_DEFINITIONS, type ViewParams } from '@/server/history/views';
import { HOUR_MS } from '@/server/lake/layout';
import { LocalLakeStore } from '@/server/lake/lakeStore';
import { openDuckDB, ParquetEncoder, sqlPath } from '@/server/lake/parquet';
import type { ShopSettings } from '@/server/shop';
import { backfill, progressReporter, shopFromEnv, summaryLine } from '../lake-backfill';
import { arg, commandLine, fmt, percentile, sleep } from './common';

/**
 * npm run bench:history [-- --dir bench-results/lake-10m --runs 15 --warmup 2 --min-events 10000000]
 *
 * How fast the historical views answer over a lake of ≥ 10 million events, against the same rows
 * in one flat Parquet file, and how soon an appended event becomes queryable.
 *
 * 1. The lake: reused from --dir when it holds at least --min-events rows, else built there by
 *    the backfill (30 days ending at the current hour, replacing what the folder held).
 * 2. The baseline: the same rows copied once into <dir>/flat.parquet (same ZSTD, same row groups,
 *    same time order); reused when its row count matches the lake's.
 * 3. For every view of HISTORY_VIEWS and two ranges — the last full shop day (hourly buckets) and
 *    the lake's 30 days (daily buckets) — the query through the history service (a new service per
 *    query, so no cache answers; the DuckDB engine over the lake, listing the hour folders every
 *    time, as the server does), and the SQL that same view builds run on the flat file
 *    (`{{events}}` → read_parquet('flat.parquet'), `{{partitions}}` → TRUE) on a DuckDB with the
 *    engine's settings. Each --runs times after --warmup, lake and flat interleaved.
 * 4. Visibility: with server/lake/lakeWriter.ts present, the time from an append to the log until
 *    the event is queryable; otherwise reported as not measured.
 */

const TARGET_ONE_DAY_P95_MS = 150;
const TARGET_30_DAYS_P95_MS = 500;
const TARGET_VISIBILITY_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

const dir = resolve(arg('dir', 'bench-results/lake-10m'));
const runs = Number(arg('runs', '15'));
const warmup = Number(arg('warmup', '2'));
const minEvents = Number(arg('min-events', '10000000'));
const visibilitySamples = Number(arg('visibility-samples', '3'));

type Cell = string | number | null;

interface RangeCase {
  name: 'one day' | '30 days';
  from: number;
  to: number;
  granularity: Granularity;
  targetP95: number;
}

interface Measured {
  view: HistoryView;
  range: RangeCase['name'];
  rows: number;
  lake: number[];
  flat: number[];
  filesScanned: number | null;
  bytesScanned: number | null;
  sameAnswer: boolean;
}

/** what runs a view through the lake: the history service when it exists, else its parts */
interface LakeRunner {
  kind: string;
  run(view: HistoryView, range: RangeCase, params: ViewParams): Promise<{ rows: Cell[][]; filesScanned: number | null; bytesScanned: number | null }>;
  close(): Promise<void>;
}

const log = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

async function countRows(glob: string): Promise<number> {
  const db = await openDuckDB({ threads: 2 });
  try {
    const r = await db.connection.runAndReadAll(`SELECT count(*)::BIGINT AS n, max(ts_ms) AS newest FROM read_parquet(${sqlPath(glob)})`);
    return Number(r.getRowObjects()[0].n);
  } catch (err) {
    if (/No files found/i.test((err as Error).message)) return 0;
    throw err;
  } finally {
    db.connection.closeSync();
    db.instance.closeSync();
  }
}

// the backfilled lake holds one compacted file per hour (beside it only `_` files: lists, session rows)
async function ensureLake(shop: ShopSettings): Promise<{ events: number; built: string | null }> {
  const glob = join(dir, 'events/**/compacted-*.parquet');
  const have = existsSync(join(dir, 'events')) ? await countRows(glob) : 0;
  if (have >= minEvents) return { events: have, built: null };
  note(`bench:history: ${dir} holds ${fmt(have)} events (< ${fmt(minEvents)}): building 30 days with the backfill`);
  const end = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const pricing = shopFromEnv().pricing;
  const s = await backfill({ days: 30, dir, end, force: true, shop, pricing, onProgress: progressReporter() });
  const line = summaryLine(s);
  note(line);
  return { events: s.rows, built: line };
}

async function ensureFlat(lakeEvents: number): Promise<{ path: string; built: boolean; seconds: number; bytes: number }> {
  const path = join(dir, 'flat.parquet');
  if (existsSync(path) && (await countRows(path)) === lakeEvents) return { path, built: false, seconds: 0, bytes: (await stat(path)).size };
  note(`bench:history: writing the baseline ${path} (${fmt(lakeEvents)} rows, once)`);
  const started = performance.now();
  const tmp = join(dir, '.flat-tmp.parquet');
  const db = await openDuckDB({ threads: 2, memoryLimit: '2GB' });
  try {
    // the hour folders' files in path order are in time order, and DuckDB keeps that order
    await db.connection.run(
      `COPY (SELECT * FROM read_parquet(${sqlPath(join(dir, 'events/**/compacted-*.parquet'))})) TO ${sqlPath(tmp)} (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 122880)`,
    );
  } finally {
    db.connection.closeSync();
    db.instance.closeSync();
  }
  await rename(tmp, path);
  return { path, built: true, seconds: (performance.now() - started) / 1000, bytes: (await stat(path)).size };
}

/** the lake's newest event time, and so the end of its last hour */
async function lakeEnd(): Promise<number> {
  const db = await openDuckDB({ threads: 2 });
  try {
    const r = await db.connection.runAndReadAll(`SELECT max(ts_ms) AS newest FROM read_parquet(${sqlPath(join(dir, 'flat.parquet'))})`);
    return Math.floor(Number(r.getRowObjects()[0].newest) / HOUR_MS) * HOUR_MS + HOUR_MS;
  } finally {
    db.connection.closeSync();
    db.instance.closeSync();
  }
}

/**
 * The history service as the server builds it (createHistoryFromConfig: DuckDB engine, the
 * default flush interval as `visibleWithinMs`), with its cache of closed periods turned off
 * (0 entries) so every query reaches the lake; its clock is the bench's `now`.
 */
function serviceRunner(shop: ShopSettings, store: LocalLakeStore, engine: DuckDBHistoryEngine, now: number): LakeRunner {
  const service = createHistoryService({
    engine,
    shop,
    lake: { kind: store.kind, location: store.location, visibleWithinMs: loadConfig({}).LAKE_FLUSH_INTERVAL_MS },
    now: () => now,
    cache: { maxEntries: 0, ttlMs: 0 },
  });
  return {
    kind: 'history service (server/history/service.ts, cache off) → DuckDB engine over the lake folders',
    async run(view, range) {
      const q = new URLSearchParams({ from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), granularity: range.granularity });
      const r = await service.query(view, q, new AbortController().signal);
      if (r.cached) throw new Error(`the history service answered ${view} from its cache: the bench would not measure the lake`);
      return { rows: r.rows, filesScanned: r.stats.filesScanned, bytesScanned: r.stats.bytesScanned };
    },
    close: () => service.close(),
  };
}

/**
 * Append → queryable, in one in-process Pulse pipeline with the default configuration (embedded:
 * MemoryEventLog, memory live store, the live consumer, the lake writer and its flush interval)
 * writing to a fresh lake folder, and the history service over it as the server creates it. Each
 * sample appends a few simulator events stamped now and polls events_by_type for the current
 * hour every 100 ms until they are counted.
 */
interface Visibility {
  /** the worst sample; null when not measured or when an event never became queryable */
  ms: number | null;
  missed: boolean;
  samples: number[];
  how: string;
}

/** why the lake's Parquet writer cannot write here, if it cannot (what every flush would report) */
async function encoderProblem(): Promise<string | null> {
  const encoder = await ParquetEncoder.open();
  const probe = join(tmpdir(), `pulse-bench-probe-${process.pid}.parquet`);
  try {
    await encoder.writeFile([], probe);
    return null;
  } catch (err) {
    return String((err as Error).message ?? err);
  } finally {
    encoder.close();
    await rm(probe, { force: true });
  }
}

async function measureVisibility(samples: number, timeoutMs: number): Promise<Visibility> {
  const data = await mkdtemp(join(tmpdir(), 'pulse-bench-visibility-'));
  const config = loadConfig({ PULSE_DATA_DIR: data });
  const adapters = await createAdapters(config, () => undefined);
  const { eventLog, store, shop } = adapters;
  const stats = new PipelineStats();
  await eventLog.registerConsumer(LIVE_CONSUMER, { required: true });
  await eventLog.registerConsumer(LAKE_CONSUMER, { required: true });
  const lakeStore = createLakeStore(config);
  const consumer = new LiveConsumer({ log: eventLog, store, rules: adapters.rules, shop, stats, owner: adapters.owner, maxEntries: config.LOG_READ_COUNT });
  await consumer.start();
  const lake = await startLake({ config, lake: lakeStore, log: eventLog, live: store, shop, owner: adapters.owner });
  const history = createHistoryFromConfig(config, shop, lakeStore);
  const how = `embedded pipeline, default config (LAKE_FLUSH_INTERVAL_MS=${config.LAKE_FLUSH_INTERVAL_MS}, LAKE_FLUSH_MAX_EVENTS=${config.LAKE_FLUSH_MAX_EVENTS}), ${samples} appends of 20 events`;
  const counted = async (from: number, to: number): Promise<number> => {
    const r = await history.query('events_by_type', new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity: 'hour' }));
    const i = r.columns.findIndex((c) => c.name === 'events');
    return r.rows.reduce((n, row) => n + (i >= 0 ? Number(row[i] ?? 0) : row.slice(1).reduce<number>((m, v) => m + (typeof v === 'number' ? v : 0), 0)), 0);
  };
  const found: number[] = [];
  try {
    for (let k = 0; k < samples; k++) {
      const now = Date.now();
      const from = Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS;
      const to = from + 3 * HOUR_MS;
      const before = await counted(from, to);
      // fresh event ids per sample: the log drops an id it has seen as a retry
      const wire = simulateOffline({ seed: 1000 + k, rate: 50, seconds: 1, start: now - 1000 })
        .events.slice(0, 20)
        .map((e, n) => ({ ...e.event, event_id: `vis-${now}-${k}-${n}` }));
      const events = wire.map((w) => {
        const v = validateEvent(w, Date.now(), () => `vis-${now}-${k}-server`, shop.currency);
        if (!v.ok) throw new Error(`simulator event refused: ${v.error}`);
        return v.event;
      });
      const t0 = performance.now();
      await eventLog.append(events);
      let seen = false;
      while (performance.now() - t0 < timeoutMs) {
        if ((await counted(from, to)) >= before + events.length) {
          seen = true;
          break;
        }
        await sleep(100);
      }
      if (!seen) {
        const problem = await encoderProblem();
        return {
          ms: null,
          missed: true,
          samples: found,
          how: `${how}: sample ${k + 1} was NOT queryable within ${timeoutMs / 1000} s (lake writer counters ${JSON.stringify(lake.writer.counters)}${problem ? `; ParquetEncoder.writeFile fails: ${problem}` : ''})`,
        };
      }
      found.push(performance.now() - t0);
      note(`  visibility sample ${k + 1}: ${(found[found.length - 1] / 1000).toFixed(1)} s`);
      // the next append lands at another point of the writer's flush cycle
      await sleep(1000 + 7000 * k);
    }
  } finally {
    await lake.stop().catch(() => undefined);
    await consumer.stop().catch(() => undefined);
    await history.close().catch(() => undefined);
    await adapters.close().catch(() => undefined);
    await rm(data, { recursive: true, force: true });
  }
  return { ms: Math.max(...found), missed: false, samples: found, how: `${how}; worst of ${found.map((v) => (v / 1000).toFixed(1)).join(', ')} s` };
}

const ms = (v: number) => (v >= 100 ? fmt(v) : fmt(v, 1));
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  const { shop } = shopFromEnv();
  await mkdir(dir, { recursive: true });
  const lake = await ensureLake(shop);
  const flat = await ensureFlat(lake.events);
  const end = await lakeEnd();
  const dayEnd = shop.calendar.dayStart(end) === end ? end : shop.calendar.dayStart(end);
  const ranges: RangeCase[] = [
    { name: 'one day', from: shop.calendar.dayStart(dayEnd - 1), to: dayEnd, granularity: 'hour', targetP95: TARGET_ONE_DAY_P95_MS },
    { name: '30 days', from: end - 30 * DAY_MS, to: end, granularity: 'day', targetP95: TARGET_30_DAYS_P95_MS },
  ];

  const store = new LocalLakeStore(dir);
  const engine = new DuckDBHistoryEngine(store);
  // the clock a day after the lake's end: every range is closed, every cart's outcome decided
  const benchNow = end + DAY_MS;
  const runner = serviceRunner(shop, store, engine, benchNow);
  const baseline = await openDuckDB({ threads: 2 });
  const flatSource = `read_parquet(${sqlPath(flat.path)})`;

  // the engine's share that is not DuckDB: listing the hour folders and choosing the files
  const listing = new Map<RangeCase['name'], number[]>();
  for (const range of ranges) {
    const times: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const t = performance.now();
      await engine.filesFor(range.from, range.to);
      if (i >= warmup) times.push(performance.now() - t);
    }
    listing.set(range.name, times);
  }

  const results: Measured[] = [];
  try {
    for (const view of HISTORY_VIEWS) {
      for (const range of ranges) {
        const def = VIEW_DEFINITIONS[view];
        // the service's defaults for what the bench does not set (limit, min_score)
        const p: ViewParams = { from: range.from, to: range.to, granularity: range.granularity, limit: DEFAULT_TOP_ROWS, minScore: 0.5, now: benchNow };
        const query = def.build('duckdb', p, shop);
        // session views read session rows: the flat file's events as rows, over the same whole hours the lake reads
        const sql = bindDuckDB(query.sql, {
          events: flatSource,
          sessions: () => `(SELECT ${SESSION_ROW_OF_EVENT} FROM ${flatSource} WHERE ts_ms >= ${query.scan.fromMs} AND ts_ms < ${query.scan.toMs})`,
        });
        const params = query.params.map(bindValue);
        const runFlat = async (): Promise<Cell[][]> => {
          const reader = await baseline.connection.runAndReadAll(sql, params);
          const result: EngineResult = { columns: reader.columnNames(), rows: reader.getRowsJS().map((r) => r.map(toCell)), bytesScanned: null, filesScanned: null, queryId: null };
          return def.finish(result, p, shop).rows;
        };
        const m: Measured = { view, range: range.name, rows: 0, lake: [], flat: [], filesScanned: null, bytesScanned: null, sameAnswer: true };
        for (let i = 0; i < warmup + runs; i++) {
          let t = performance.now();
          const got = await runner.run(view, range, p);
          const lakeMs = performance.now() - t;
          t = performance.now();
          const want = await runFlat();
          const flatMs = performance.now() - t;
          if (i === 0) {
            m.rows = got.rows.length;
            m.filesScanned = got.filesScanned;
            m.bytesScanned = got.bytesScanned;
            m.sameAnswer = JSON.stringify(got.rows) === JSON.stringify(want);
          }
          if (i >= warmup) {
            m.lake.push(lakeMs);
            m.flat.push(flatMs);
          }
        }
        results.push(m);
        note(`  ${view} / ${range.name}: lake p95 ${ms(percentile(m.lake, 95))} ms, flat p95 ${ms(percentile(m.flat, 95))} ms`);
      }
    }
  } finally {
    await runner.close();
    await engine.close();
    baseline.connection.closeSync();
    baseline.instance.closeSync();
  }

  const visibility = await measureVisibility(visibilitySamples, 120_000);

  // ── report ──
  log('');
  log(`bench:history  ${commandLine()}`);
  log(`  started ${startedAt.toISOString()}; node ${process.version}; 2 cores shared with other work (1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end)`);
  log(`  lake: ${dir} — ${fmt(lake.events)} events, ${lake.built ? `built now: ${lake.built}` : 'reused'}`);
  log(`  baseline: ${flat.path} — one flat file, ${(flat.bytes / 1e6).toFixed(0)} MB${flat.built ? `, written now in ${flat.seconds.toFixed(1)} s` : ', reused'}`);
  log(`  lake side: ${runner.kind}`);
  log(`  ranges: one day = ${new Date(ranges[0].from).toISOString()} → ${new Date(ranges[0].to).toISOString()} (hourly), 30 days = ${new Date(ranges[1].from).toISOString()} → ${new Date(ranges[1].to).toISOString()} (daily); shop ${shop.currency}, ${shop.timeZone}`);
  log(`  listing the hour folders and choosing files (engine.filesFor, part of every lake time): ${ranges.map((r) => `${r.name} p50 ${ms(percentile(listing.get(r.name)!, 50))} / p95 ${ms(percentile(listing.get(r.name)!, 95))} ms`).join(', ')}`);
  log(`  ${runs} timed runs per row after ${warmup} warm-ups; milliseconds, wall clock around each query (lake: listing + query + finish; flat: query + finish)`);
  log('');
  const header = `${pad('view', 24)} ${pad('range', 8)} ${lpad('rows', 5)} ${lpad('files', 5)} ${lpad('MB read', 8)} │ ${lpad('lake p50', 9)} ${lpad('lake p95', 9)} │ ${lpad('flat p50', 9)} ${lpad('flat p95', 9)} │ ${lpad('ratio p50', 9)} ${lpad('ratio p95', 9)} │ target p95`;
  log(header);
  log('─'.repeat(header.length));
  let misses = 0;
  let differ = 0;
  for (const m of results) {
    const range = ranges.find((r) => r.name === m.range)!;
    const lp50 = percentile(m.lake, 50);
    const lp95 = percentile(m.lake, 95);
    const fp50 = percentile(m.flat, 50);
    const fp95 = percentile(m.flat, 95);
    const ok = lp95 <= range.targetP95;
    if (!ok) misses++;
    if (!m.sameAnswer) differ++;
    log(
      `${pad(m.view, 24)} ${pad(m.range, 8)} ${lpad(String(m.rows), 5)} ${lpad(m.filesScanned === null ? '?' : String(m.filesScanned), 5)} ${lpad(m.bytesScanned === null ? '?' : (m.bytesScanned / 1e6).toFixed(0), 8)} │ ` +
        `${lpad(ms(lp50), 9)} ${lpad(ms(lp95), 9)} │ ${lpad(ms(fp50), 9)} ${lpad(ms(fp95), 9)} │ ${lpad(`${(lp50 / fp50).toFixed(2)}×`, 9)} ${lpad(`${(lp95 / fp95).toFixed(2)}×`, 9)} │ ≤ ${range.targetP95} ms ${ok ? '✓' : '✗'}${m.sameAnswer ? '' : '  (answer differs from the flat file!)'}`,
    );
  }
  log('');
  const worst = (name: RangeCase['name']) => Math.max(...results.filter((m) => m.range === name).map((m) => percentile(m.lake, 95)));
  log(`targets: any one-day view p95 ≤ ${TARGET_ONE_DAY_P95_MS} ms: worst ${ms(worst('one day'))} ms ${worst('one day') <= TARGET_ONE_DAY_P95_MS ? '✓' : '✗'}`);
  log(`         any 30-day view p95 ≤ ${TARGET_30_DAYS_P95_MS} ms: worst ${ms(worst('30 days'))} ms ${worst('30 days') <= TARGET_30_DAYS_P95_MS ? '✓' : '✗'}`);
  const visLine = visibility.missed
    ? `✗ ${visibility.how}`
    : visibility.ms === null
      ? `— not measured: ${visibility.how}`
      : `${(visibility.ms / 1000).toFixed(1)} s ${visibility.ms <= TARGET_VISIBILITY_MS ? '✓' : '✗'} (${visibility.how})`;
  log(`         visibility (append → queryable) ≤ ${TARGET_VISIBILITY_MS / 1000} s: ${visLine}`);
  log(`${misses === 0 ? 'every view within its target' : `${misses} of ${results.length} view/range rows miss their target`}; ${differ === 0 ? 'lake and flat answers identical for every row' : `${differ} rows answer differently on the lake and the flat file`}`);

  const out = join('bench-results', `history-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  // the folder exists only when the lake was built in its default place
  await mkdir('bench-results', { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify({ startedAt, command: commandLine(), lake: { dir, events: lake.events, built: lake.built }, flat, runner: runner.kind, ranges, listing: Object.fromEntries(listing), runs, warmup, results: results.map((m) => ({ ...m, lakeP50: percentile(m.lake, 50), lakeP95: percentile(m.lake, 95), flatP50: percentile(m.flat, 50), flatP95: percentile(m.flat, 95) })), visibility }, null, 2)}\n`,
  );
  log(`raw timings: ${out}`);
  await rm(join(dir, '.flat-tmp.parquet'), { force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('bench:history failed:', err);
    process.exit(1);
  },
);
