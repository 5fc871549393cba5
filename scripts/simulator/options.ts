import { parseArgs } from 'node:util';
import { parseCurrencyRates } from '../../lib/money';
import { createPricing, MIX_FORMAT, parseCurrencyMix, type Pricing } from './currency';
import { DEFAULT_PATTERNS_PER_HOUR } from './fraudSchedule';
import { seedFrom } from './random';
import { MAX_BATCH } from './sender';

export interface CliOptions {
  url: string;
  key: string;
  rate: number;
  /** seconds; null = until stopped */
  duration: number | null;
  batch: number;
  /** scripted fraud and high-value patterns per hour */
  patternsPerHour: number;
  /** shop currency, the customers' currency mix and the rates prices are converted with */
  pricing: Pricing;
  seed: number | null;
  quiet: boolean;
  seedInventory: boolean;
  /** for --seed-inventory: stock is set with an admin key, never the ingest key */
  adminKey: string | null;
}

export const DEFAULTS = {
  url: 'http://127.0.0.1:3000',
  key: 'demo-ingest-key-local',
  rate: 50,
  batch: 50,
  patternsPerHour: DEFAULT_PATTERNS_PER_HOUR,
  shopCurrency: 'EUR',
} as const;

/** what `npm run demo` runs the simulator with */
export const DEMO_DEFAULTS = { rate: 40 } as const;

export const USAGE = `Usage: npm run simulate -- [options]

Sends realistic shop traffic (browsing sessions, carts, purchases, occasional fraud
patterns) to Pulse through POST /api/events, like a real client.

Options:
  --url <url>        Pulse base URL (env PULSE_URL; default ${DEFAULTS.url})
  --key <key>        ingest key (env PULSE_INGEST_KEY, else the first of INGEST_API_KEYS;
                     default ${DEFAULTS.key})
  --rate <n>         events per second (default ${DEFAULTS.rate})
  --duration <s>     stop after this many seconds (default: run until Ctrl-C)
  --batch <n>        most events per request, 1-${MAX_BATCH}; 1 = one request per event (default ${DEFAULTS.batch})
  --patterns-per-hour <n>
                     scripted fraud and high-value patterns started per hour, whatever the
                     rate; the five patterns take turns (default ${DEFAULTS.patternsPerHour}: about
                     ${DEFAULTS.patternsPerHour / 5} fraud alerts and ${DEFAULTS.patternsPerHour / 5} high-value alerts an hour; 0 = none)
  --currencies <mix> currencies customers pay in, as ${MIX_FORMAT}:
                     ISO 4217 codes with their shares of customers (relative weights);
                     each customer always pays in one, amounts in its own minor units
                     (default: the shop currency only)
  --shop-currency <code>
                     the shop's currency, as the server's SHOP_CURRENCY (env SHOP_CURRENCY;
                     default ${DEFAULTS.shopCurrency}); the catalogue's euro prices are converted into it
  --rates <rates>    rates into the shop currency, in the server's CURRENCY_RATES format,
                     CODE=rate,… e.g. USD=0.92,JPY=0.0061 (env CURRENCY_RATES); currencies
                     without one are priced at the simulator's reference rates
  --seed <n|text>    reproduce the same users, sessions and patterns
  --seed-inventory   first set opening stock for the catalogue (POST /api/inventory), so
                     the inventory panel and low-stock alerts have something to show;
                     needs an admin key (stock is not the publishable ingest key's business)
  --admin-key <key>  admin key for --seed-inventory (env PULSE_ADMIN_KEY, else the first of
                     ADMIN_API_KEYS)
  --quiet, -q        no status line every 5 s (warnings and the summary still print)
  --help, -h         show this help

Examples:
  npm run simulate
  npm run simulate -- --rate 200 --duration 60 --seed 7
  npm run simulate -- --currencies EUR:0.8,USD:0.15,JPY:0.05 --rates USD=0.92,JPY=0.0061
  PULSE_URL=https://pulse.example.com PULSE_INGEST_KEY=… npm run simulate -- --patterns-per-hour 120`;

export type ParseResult = { kind: 'run'; options: CliOptions } | { kind: 'help' } | { kind: 'error'; message: string };

type Env = Record<string, string | undefined>;

export function parseCli(argv: string[], env: Env): ParseResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        batch: { type: 'string' },
        'patterns-per-hour': { type: 'string' },
        currencies: { type: 'string' },
        'shop-currency': { type: 'string' },
        rates: { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        'seed-inventory': { type: 'boolean' },
        'admin-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    if (argv.some((a) => a === '--fraud' || a.startsWith('--fraud='))) {
      return { kind: 'error', message: '--fraud (a probability per session) was replaced by --patterns-per-hour <n>' };
    }
    return { kind: 'error', message: (err as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };

  const url = str('url') ?? nonEmpty(env.PULSE_URL) ?? DEFAULTS.url;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    return { kind: 'error', message: `--url must be an http(s) URL, got "${url}"` };
  }
  const firstConfigured = nonEmpty(env.INGEST_API_KEYS?.split(',')[0]?.trim());
  const key = str('key') ?? nonEmpty(env.PULSE_INGEST_KEY) ?? firstConfigured ?? DEFAULTS.key;

  const rate = number(str('rate'), DEFAULTS.rate);
  if (!(rate > 0)) return { kind: 'error', message: '--rate must be a number of events per second above 0' };
  const duration = str('duration') === undefined ? null : number(str('duration'), NaN);
  if (duration !== null && !(duration > 0)) return { kind: 'error', message: '--duration must be a number of seconds above 0' };
  const batch = number(str('batch'), DEFAULTS.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) {
    return { kind: 'error', message: `--batch must be a whole number from 1 to ${MAX_BATCH} (the ingest batch limit)` };
  }
  const patternsPerHour = number(str('patterns-per-hour'), DEFAULTS.patternsPerHour);
  if (!(patternsPerHour >= 0 && Number.isFinite(patternsPerHour))) {
    return { kind: 'error', message: '--patterns-per-hour must be a number from 0 up' };
  }
  const pricing = pricingFrom(str('currencies'), str('shop-currency') ?? nonEmpty(env.SHOP_CURRENCY) ?? DEFAULTS.shopCurrency, str('rates') ?? env.CURRENCY_RATES);
  if (!pricing.ok) return { kind: 'error', message: pricing.error };
  const seedText = str('seed');
  const seed = seedText === undefined || seedText === '' ? null : seedFrom(seedText);

  const seedInventory = values['seed-inventory'] === true;
  const adminKey = str('admin-key') ?? nonEmpty(env.PULSE_ADMIN_KEY) ?? nonEmpty(env.ADMIN_API_KEYS?.split(',')[0]?.trim()) ?? null;
  if (seedInventory && adminKey === null) {
    return { kind: 'error', message: '--seed-inventory needs an admin key: --admin-key <key>, PULSE_ADMIN_KEY or ADMIN_API_KEYS' };
  }
  return {
    kind: 'run',
    options: {
      url: url.replace(/\/+$/, ''), key, adminKey, rate, duration, batch, patternsPerHour, pricing: pricing.pricing, seed, quiet: values.quiet === true, seedInventory,
    },
  };
}

/**
 * The prices customers pay: shop currency, mix and rates as the server is configured with them
 * (the demo passes the same values to both). Errors name the option.
 */
export function pricingFrom(
  currencies: string | undefined,
  shopCurrency: string,
  ratesText: string | undefined,
  names = { currencies: '--currencies', rates: '--rates / CURRENCY_RATES' },
): { ok: true; pricing: Pricing } | { ok: false; error: string } {
  let mix = null;
  if (currencies !== undefined && currencies.trim() !== '') {
    const parsed = parseCurrencyMix(currencies);
    if (!parsed.ok) return { ok: false, error: `${names.currencies}: ${parsed.error}` };
    mix = parsed.mix;
  }
  let rates: Map<string, number> | undefined;
  if (ratesText !== undefined && ratesText.trim() !== '') {
    try {
      rates = parseCurrencyRates(ratesText, shopCurrency);
    } catch (err) {
      return { ok: false, error: `${names.rates}: ${(err as Error).message}` };
    }
  }
  return createPricing({ shopCurrency, mix, rates });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim() !== '' ? v.trim() : undefined;
}

function number(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  return text.trim() === '' ? NaN : Number(text);
}
