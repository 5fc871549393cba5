import { rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateEvent } from '@/lib/events';
import { convertMinor, parseCurrencyRates } from '@/lib/money';
import { compactedCoversName, compactedFileName, HOUR_MS, hourDir, sessionSummaryName } from '@/server/lake/layout';
import { produceParquet } from '@/server/lake/objects';
import { LocalLakeStore } from '@/server/lake/lakeStore';
import { ParquetEncoder } from '@/server/lake/parquet';
import { lakeRowOf, type LakeRow } from '@/server/lake/schema';
import { DEFAULT_FRAUD_WEIGHTS, scoreFraud, type FraudWeights } from '@/server/pipeline/fraud';
import { addEventToUser, fraudHistoryOf, newUserRecord } from '@/server/pipeline/userRecords';
import { shopSettings, type ShopSettings } from '@/server/shop';
import type { UserRecord } from '@/server/ports';
import type { Pricing } from './simulator/currency';
import { pricingFrom } from './simulator/options';
import { createRandom } from './simulator/random';
import { createTraffic } from './simulator/simulator';

/**
 * npm run lake:backfill -- --days 30 [--rate 4.25] [--seed 1] [--dir data/lake] [--end ISO] [--force]
 *
 * Writes realistic history into the lake: the simulator's traffic model on a simulated clock
 * (its sessions, basket sizes, prices, fraud and high-value patterns) with a daily shape on top
 * (quiet nights, evening peak, busier weekends), each wire event checked by `validateEvent` as
 * ingest checks it, purchases scored by the live pipeline's fraud rule on per-user records kept
 * as the engine keeps them, and one compacted Parquet file per UTC hour. Generated and written an
 * hour at a time, so memory stays bounded whatever the number of days.
 */

export const BACKFILL_USAGE = `Usage: npm run lake:backfill -- --days N [options]

Writes N days of simulated shop history into the lake (one compacted Parquet file per UTC hour).

  --days N      days of history ending at --end (required)
  --rate R      mean events per second over a day (default 4.25: 30 days ≈ 11 million events);
                the hour of day and the day of week shape it (nights ~0.25×, evenings ~1.7×)
  --seed N      seed of the traffic model (default 1); the log identity is backfill-<seed>
  --dir PATH    lake root (default $LAKE_DIR, else $PULSE_DATA_DIR/lake, else ./data/lake)
  --end ISO     end of the history, exclusive (default: now, rounded down to the hour)
  --force       replace the files of hours that already have some (default: refuse)
  --quiet       no progress bar

Shop settings come from the environment as the server reads them: SHOP_CURRENCY, CURRENCY_RATES,
SHOP_TIMEZONE (the daily shape follows the shop's local time), DEMO_CURRENCIES (the customers'
currency mix, as npm run demo takes it).`;

export const DEFAULT_BACKFILL_RATE = 4.25;
export const PARTITIONS = 8;
const TICK_MS = 100;

/** relative traffic by local hour of day (0–23), mean 1 */
const HOURLY_SHAPE = normalise([
  0.42, 0.3, 0.22, 0.18, 0.17, 0.2, 0.32, 0.55, 0.8, 0.98, 1.08, 1.15,
  1.22, 1.2, 1.12, 1.08, 1.1, 1.2, 1.38, 1.6, 1.72, 1.62, 1.3, 0.85,
]);
/** relative traffic by local day of week (Sunday first) */
const WEEKDAY_SHAPE = normalise([1.18, 0.93, 0.92, 0.94, 0.97, 1.02, 1.14]);

function normalise(xs: number[]): number[] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.map((x) => x / mean);
}

export interface BackfillOptions {
  days: number;
  /** mean events per second */
  rate?: number;
  seed?: number;
  /** lake root */
  dir: string;
  /** end of the history (exclusive), on an hour boundary */
  end: number;
  force?: boolean;
  shop?: ShopSettings;
  pricing?: Pricing;
  fraudWeights?: FraudWeights;
  onProgress?: (p: BackfillProgress) => void;
}

export interface BackfillProgress {
  hoursDone: number;
  hoursTotal: number;
  events: number;
  elapsedMs: number;
}

export interface BackfillSummary {
  dir: string;
  from: number;
  to: number;
  hours: number;
  /** events the traffic model generated */
  generated: number;
  /** rows written (generated minus those validateEvent refused, which should be none) */
  rows: number;
  rejected: number;
  purchases: number;
  /** purchases the fraud rule scored above 0 */
  flaggedPurchases: number;
  bytes: number;
  elapsedMs: number;
  replacedHours: number;
  logId: string;
}

export class BackfillRefused extends Error {}

/** what the live pipeline decided about a purchase, as lakeRowOf takes it */
type PurchaseFacts = NonNullable<Parameters<typeof lakeRowOf>[3]>;

/** FNV-1a of the user id, onto the log's partitions (as a keyed log would place it) */
export function partitionOf(userId: string, partitions = PARTITIONS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** the traffic multiplier at the start of a UTC hour, in the shop's local time */
function shapeAt(hourStart: number, local: Intl.DateTimeFormat): number {
  const parts = local.formatToParts(new Date(hourStart));
  const hour = Number(parts.find((p) => p.type === 'hour')!.value) % 24;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.find((p) => p.type === 'weekday')!.value);
  return HOURLY_SHAPE[hour] * WEEKDAY_SHAPE[weekday < 0 ? 0 : weekday];
}

/** the shop settings and customer prices from the environment, as the server and the demo read them */
export function shopFromEnv(env: Record<string, string | undefined> = process.env): { shop: ShopSettings; pricing: Pricing } {
  const currency = (env.SHOP_CURRENCY?.trim() || 'EUR').toUpperCase();
  const priced = pricingFrom(env.DEMO_CURRENCIES, currency, env.CURRENCY_RATES, { currencies: 'DEMO_CURRENCIES', rates: 'CURRENCY_RATES' });
  if (!priced.ok) throw new BackfillRefused(priced.error);
  const rates = env.CURRENCY_RATES?.trim() ? parseCurrencyRates(env.CURRENCY_RATES, currency) : new Map(priced.pricing.rates);
  return { shop: shopSettings({ currency, rates, timeZone: env.SHOP_TIMEZONE?.trim() || 'UTC' }), pricing: priced.pricing };
}

export function defaultLakeDir(env: Record<string, string | undefined> = process.env): string {
  if (env.LAKE_DIR?.trim()) return env.LAKE_DIR.trim();
  if (env.PULSE_DATA_DIR?.trim()) return `${env.PULSE_DATA_DIR.trim().replace(/\/+$/, '')}/lake`;
  return './data/lake';
}

export async function backfill(o: BackfillOptions): Promise<BackfillSummary> {
  if (!(Number.isFinite(o.days) && o.days > 0)) throw new BackfillRefused('--days must be a number of days above 0');
  const rate = o.rate ?? DEFAULT_BACKFILL_RATE;
  if (!(Number.isFinite(rate) && rate > 0)) throw new BackfillRefused('--rate must be a number of events per second above 0');
  if (o.end % HOUR_MS !== 0) throw new BackfillRefused('--end must be on a whole UTC hour');
  const seed = o.seed ?? 1;
  const logId = `backfill-${seed}`;
  const env = o.shop && o.pricing ? null : shopFromEnv();
  const shop = o.shop ?? env!.shop;
  const pricing = o.pricing ?? env!.pricing;
  const weights = o.fraudWeights ?? DEFAULT_FRAUD_WEIGHTS;
  const hoursTotal = Math.round(o.days * 24);
  const from = o.end - hoursTotal * HOUR_MS;
  const store = new LocalLakeStore(o.dir);

  // refuse before writing anything: every hour that already has files is named
  const occupied = new Map<number, string[]>();
  for (let h = from; h < o.end; h += HOUR_MS) {
    const names = (await store.list(hourDir(h))).filter((n) => !n.startsWith('.tmp-'));
    if (names.length > 0) occupied.set(h, names);
  }
  if (occupied.size > 0 && !o.force) {
    const hours = [...occupied.keys()];
    const show = hours.slice(0, 3).map((h) => new Date(h).toISOString().slice(0, 13) + 'h').join(', ');
    throw new BackfillRefused(
      `${hours.length} of the ${hoursTotal} hours already have files in ${store.location}/events (${show}${hours.length > 3 ? ', …' : ''}); ` +
        `nothing was written. Pass --force to replace those hours' files, or choose another --end or --dir.`,
    );
  }

  const local = new Intl.DateTimeFormat('en-US', { timeZone: shop.timeZone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
  const peak = rate * Math.max(...HOURLY_SHAPE) * Math.max(...WEEKDAY_SHAPE);
  const rng = createRandom(seed);
  const delays = createRandom(seed ^ 0x5bd1e995);
  // ids that sort in time order, like the ulids of a live run, and differ between seeds and between
  // backfills of other periods (the start hour is part of them)
  const idBase = `bf${seed}h${from / HOUR_MS}`;
  let serverId = 0;
  const newId = () => `${idBase}s${String(++serverId).padStart(10, '0')}`;
  let clientId = 0;
  const traffic = createTraffic({
    seed,
    rng,
    rate: peak,
    start: from,
    newId: () => `${idBase}-${String(++clientId).padStart(10, '0')}`,
    pricing,
  });

  const users = new Map<string, UserRecord>();
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const encoder = await ParquetEncoder.open();
  const started = performance.now();
  const summary: BackfillSummary = {
    dir: store.location, from, to: o.end, hours: hoursTotal, generated: 0, rows: 0, rejected: 0,
    purchases: 0, flaggedPurchases: 0, bytes: 0, elapsedMs: 0, replacedHours: 0, logId,
  };

  const generateHour = (h: number): LakeRow[] => {
    const rows: LakeRow[] = [];
    const r0 = rate * shapeAt(h, local);
    const r1 = rate * shapeAt(h + HOUR_MS, local);
    let credit = 0;
    for (let now = h; now < h + HOUR_MS; now += TICK_MS) {
      // the rate moves smoothly from this hour's level to the next one's
      const perSecond = r0 + ((r1 - r0) * (now - h)) / HOUR_MS;
      credit += (perSecond * TICK_MS) / 1000;
      const due = Math.floor(credit);
      credit -= due;
      // take() also starts scheduled patterns, so call it every tick
      for (const wire of traffic.take(now, due)) {
        summary.generated++;
        const receivedAt = now + Math.round(delays.exp(120, 15, 2000));
        const checked = validateEvent(wire, receivedAt, newId, shop.currency);
        if (!checked.ok) {
          summary.rejected++;
          continue;
        }
        const e = checked.event;
        let user = users.get(e.userId);
        if (!user) users.set(e.userId, (user = newUserRecord(e.userId)));
        let facts: PurchaseFacts | undefined;
        let shopMinor: number | null = null;
        if (e.type === 'purchase') {
          // as the live engine: the rule compares shop-currency money, scored before the purchase joins the record
          const currency = e.currency ?? shop.currency;
          shopMinor = e.amountMinor !== null ? convertMinor(e.amountMinor, currency, shop.currency, shop.rates) : null;
          const fraud = scoreFraud(fraudHistoryOf(user), { ...e, amountMinor: shopMinor ?? 0 }, weights);
          facts = { fraudScore: fraud.score, country: null };
          summary.purchases++;
          if (fraud.score > 0) summary.flaggedPurchases++;
        }
        addEventToUser(user, e, shopMinor);
        if (facts) facts.country = e.location?.country ?? user.lastLocation?.country ?? null;
        const partition = partitionOf(e.userId);
        rows.push(lakeRowOf(e, { logId, partition, offset: ++offsets[partition] }, shop, facts));
      }
    }
    return rows;
  };

  const writeHour = async (h: number, rows: LakeRow[]): Promise<void> => {
    const dir = hourDir(h);
    const dataKey = `${dir}/${compactedFileName(1)}`;
    const coversKey = `${dir}/${compactedCoversName(1)}`;
    const tmp = await store.tempFileFor(dataKey);
    try {
      await encoder.writeFile(rows, tmp);
      const { size } = await stat(tmp);
      summary.bytes += size;
      const old = (occupied.get(h) ?? []).filter((n) => n !== compactedFileName(1) && n !== compactedCoversName(1) && n !== sessionSummaryName(1));
      // the list and the session rows first, then the data file (the commit point), then the files it replaces
      await store.put(coversKey, `${JSON.stringify({ covers: old.filter((n) => n.endsWith('.parquet') && !n.startsWith('_')) })}\n`);
      await produceParquet(store, `${dir}/${sessionSummaryName(1)}`, (path) => encoder.writeSessionSummary(tmp, path));
      await store.moveInto(dataKey, tmp);
      if (old.length > 0) await store.delete(old.map((n) => `${dir}/${n}`));
      if (occupied.has(h)) summary.replacedHours++;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  };

  try {
    // generate hour n+1 while DuckDB writes hour n: at most two hours of rows in memory
    let pending: Promise<void> | null = null;
    let hoursDone = 0;
    for (let h = from; h < o.end; h += HOUR_MS) {
      const rows = generateHour(h);
      if (pending) {
        await pending;
        hoursDone++;
        o.onProgress?.({ hoursDone, hoursTotal, events: summary.rows, elapsedMs: performance.now() - started });
      }
      summary.rows += rows.length;
      pending = writeHour(h, rows);
    }
    if (pending) {
      await pending;
      hoursDone++;
      o.onProgress?.({ hoursDone, hoursTotal, events: summary.rows, elapsedMs: performance.now() - started });
    }
  } finally {
    encoder.close();
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}

// ── command line ─────────────────────────────────────────────────────────────────────────────

export interface BackfillCli {
  days: number;
  rate?: number;
  seed?: number;
  dir: string;
  end: number;
  force: boolean;
  quiet: boolean;
}

export function parseBackfillArgs(argv: string[], env: Record<string, string | undefined>, now = Date.now()): { ok: true; cli: BackfillCli } | { ok: false; error: string } | { ok: 'help' } {
  const cli: Partial<BackfillCli> = { force: false, quiet: false, dir: defaultLakeDir(env), end: Math.floor(now / HOUR_MS) * HOUR_MS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | null => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) return null;
      i++;
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { ok: 'help' };
      case '--force':
        cli.force = true;
        break;
      case '--quiet':
        cli.quiet = true;
        break;
      case '--days':
      case '--rate':
      case '--seed': {
        const v = value();
        const n = Number(v);
        if (v === null || v.trim() === '' || !Number.isFinite(n)) return { ok: false, error: `${flag} needs a number` };
        if (flag === '--days') {
          if (!(n > 0) || Math.abs(n * 24 - Math.round(n * 24)) > 1e-6) return { ok: false, error: '--days must be above 0, in whole hours (e.g. 30, or 0.5 for 12 hours)' };
          cli.days = Math.round(n * 24) / 24;
        } else if (flag === '--rate') {
          if (!(n > 0)) return { ok: false, error: '--rate must be events per second above 0' };
          cli.rate = n;
        } else {
          if (!Number.isInteger(n) || n < 0 || n > 2 ** 31) return { ok: false, error: '--seed must be a whole number from 0 to 2^31' };
          cli.seed = n;
        }
        break;
      }
      case '--dir': {
        const v = value();
        if (!v) return { ok: false, error: '--dir needs a folder' };
        cli.dir = v;
        break;
      }
      case '--end': {
        const v = value();
        const t = v ? Date.parse(v) : NaN;
        if (!Number.isFinite(t)) return { ok: false, error: `--end needs an ISO date-time, got ${JSON.stringify(v)}` };
        if (t % HOUR_MS !== 0) return { ok: false, error: `--end must be on a whole UTC hour (e.g. ${new Date(Math.floor(t / HOUR_MS) * HOUR_MS).toISOString()})` };
        cli.end = t;
        break;
      }
      default:
        return { ok: false, error: `unknown option ${a}` };
    }
  }
  if (cli.days === undefined) return { ok: false, error: '--days is required (e.g. --days 30)' };
  return { ok: true, cli: cli as BackfillCli };
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-GB');
const fmtDuration = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** a progress bar on `out`: redrawn in place on a terminal, a line every ~5 % otherwise */
export function progressReporter(out: NodeJS.WriteStream = process.stderr): (p: BackfillProgress) => void {
  let lastStep = -1;
  let lastDraw = 0;
  return (p) => {
    const frac = p.hoursTotal === 0 ? 1 : p.hoursDone / p.hoursTotal;
    const perSec = p.elapsedMs > 0 ? (p.events * 1000) / p.elapsedMs : 0;
    const eta = frac > 0 ? (p.elapsedMs * (1 - frac)) / frac : NaN;
    const width = 28;
    const filled = Math.round(frac * width);
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ` +
      `${p.hoursDone}/${p.hoursTotal} h  ${fmtInt(p.events)} events  ${fmtInt(perSec)} ev/s  ETA ${Number.isFinite(eta) ? fmtDuration(eta) : '?'}`;
    const done = p.hoursDone === p.hoursTotal;
    if (out.isTTY) {
      const now = performance.now();
      if (!done && now - lastDraw < 100) return;
      lastDraw = now;
      out.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
    } else {
      const step = Math.floor(frac * 20);
      if (step === lastStep && !done) return;
      if (step === lastStep && done && lastStep === 20) return;
      lastStep = step;
      out.write(`${line}\n`);
    }
  };
}

export function summaryLine(s: BackfillSummary): string {
  const mb = (s.bytes / 1e6).toFixed(1);
  return (
    `backfill done: ${fmtInt(s.rows)} events in ${s.hours} hourly files (${new Date(s.from).toISOString()} → ${new Date(s.to).toISOString()}), ` +
    `${fmtInt(s.purchases)} purchases (${fmtInt(s.flaggedPurchases)} with a fraud score above 0), ${mb} MB, ` +
    `${(s.elapsedMs / 1000).toFixed(1)} s (${fmtInt((s.rows * 1000) / Math.max(1, s.elapsedMs))} events/s)` +
    `${s.rejected ? `, ${fmtInt(s.rejected)} generated events refused by validation` : ''}` +
    `${s.replacedHours ? `, ${s.replacedHours} hours replaced (--force)` : ''}; log ${s.logId}, lake ${s.dir}`
  );
}

async function main(): Promise<number> {
  const parsed = parseBackfillArgs(process.argv.slice(2), process.env);
  if (parsed.ok === 'help') {
    console.log(BACKFILL_USAGE);
    return 0;
  }
  if (!parsed.ok) {
    console.error(`lake:backfill: ${parsed.error}\n\n${BACKFILL_USAGE}`);
    return 2;
  }
  const { cli } = parsed;
  try {
    const s = await backfill({ ...cli, dir: resolve(cli.dir), onProgress: cli.quiet ? undefined : progressReporter() });
    console.error(summaryLine(s));
    return 0;
  } catch (err) {
    if (err instanceof BackfillRefused) {
      console.error(`lake:backfill: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
