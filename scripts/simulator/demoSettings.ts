import { formatMoney, parseCurrencyRates, toMinor } from '../../lib/money';
import { BASKET_MODEL } from './basket';
import { expensiveProducts } from './catalogue';
import { formatRates, MIX_FORMAT, type Pricing } from './currency';
import { DEFAULT_PATTERNS_PER_HOUR } from './fraudSchedule';
import { DEMO_DEFAULTS, pricingFrom } from './options';

export const DEMO_USAGE = `Usage: npm run demo [-- --help]

Builds what is missing, starts Pulse (embedded mode unless REDIS_URL is set) and simulated shop
traffic against it, and prints the address of every page.

Settings, all from the environment:
  PORT               port Pulse listens on (default 3000)
  DEMO_RATE          simulated events per second (default ${DEMO_DEFAULTS.rate}); fraud and high-value
                     patterns start ${DEFAULT_PATTERNS_PER_HOUR} times an hour whatever the rate (about ${DEFAULT_PATTERNS_PER_HOUR / 5} fraud alerts
                     and ${DEFAULT_PATTERNS_PER_HOUR / 5} high-value alerts an hour)
  DEMO_CURRENCIES    currencies customers pay in, as ${MIX_FORMAT}:
                     ISO 4217 codes with their shares of customers (relative weights, so
                     EUR:8,USD:2 is the same as EUR:0.8,USD:0.2); each customer always pays in
                     one of them, amounts in that currency's own units (whole yen for JPY).
                     Default: the shop currency only
  SHOP_CURRENCY      the shop's currency (default EUR), passed to Pulse; the catalogue's euro
                     prices are converted into it
  CURRENCY_RATES     rates into the shop currency, CODE=rate,… (how many shop units one unit of
                     CODE is worth, e.g. USD=0.92,JPY=0.0061), passed to Pulse. With
                     DEMO_CURRENCIES and no CURRENCY_RATES, the demo gives Pulse the simulator's
                     reference rates and says so; a currency without a rate is kept apart
  SHOP_TIMEZONE      the shop's IANA time zone (default UTC), passed to Pulse
  ALERT_HIGH_VALUE_ABOVE
                     high-value threshold in the shop currency (Pulse's default 1000); when the
                     shop currency is worth so little (or so much) that 1000 of it would make
                     ordinary orders high-value (or none), the demo sets about €1,000 and says so
  INGEST_API_KEYS, ADMIN_API_KEYS
                     keys (default: fresh random ones, printed): the simulator sends events with
                     the first INGEST_API_KEYS key (publishable) and sets stock levels with the
                     first ADMIN_API_KEYS key (secret: setting inventory needs one)
  PULSE_ADMIN_EMAIL, PULSE_ADMIN_PASSWORD
                     the admin the demo signs you in as (default demo@pulse.local with a fresh
                     random password, created only while the data folder has no users); the demo
                     prints a one-time sign-in link for it
  PULSE_UI=off       no pages (and no page build): the API only

Ctrl-C stops the traffic, delivers the events already queued, then stops Pulse; a second
Ctrl-C quits at once.

Examples:
  npm run demo
  DEMO_CURRENCIES=EUR:0.8,USD:0.15,JPY:0.05 npm run demo
  SHOP_CURRENCY=USD SHOP_TIMEZONE=America/New_York DEMO_RATE=100 npm run demo`;

export interface DemoSettings {
  port: number;
  rate: number;
  /** the key the simulator sends with, and the admin key it sets stock with */
  key: string;
  adminKey: string;
  pricing: Pricing;
  /** what the demo adds to Pulse's environment; everything else passes through as it is */
  serverEnv: Record<string, string>;
  /** what the demo chose on the user's behalf, to be printed */
  notes: string[];
  pagesOff: boolean;
}

type Env = Record<string, string | undefined>;

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
const first = (list: string | undefined): string | undefined => list?.split(',').map((k) => k.trim()).find((k) => k !== '');

/**
 * The demo's settings from the environment. `newKey` makes a random key suffix (a parameter so
 * tests get fixed ones). Errors name the variable.
 */
export function demoSettings(env: Env, newKey: () => string): { ok: true; settings: DemoSettings } | { ok: false; error: string } {
  const port = set(env.PORT) ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return { ok: false, error: `PORT must be a port number from 1 to 65535, got "${env.PORT}"` };
  const rate = set(env.DEMO_RATE) ? Number(env.DEMO_RATE) : DEMO_DEFAULTS.rate;
  if (!(rate > 0 && Number.isFinite(rate))) return { ok: false, error: `DEMO_RATE must be a number of events per second above 0, got "${env.DEMO_RATE}"` };
  const shopCurrency = set(env.SHOP_CURRENCY) ? env.SHOP_CURRENCY.trim().toUpperCase() : 'EUR';
  const priced = pricingFrom(env.DEMO_CURRENCIES, shopCurrency, env.CURRENCY_RATES, { currencies: 'DEMO_CURRENCIES', rates: 'CURRENCY_RATES' });
  if (!priced.ok) return { ok: false, error: priced.error.startsWith('DEMO_') || priced.error.startsWith('CURRENCY_') ? priced.error : `SHOP_CURRENCY / DEMO_CURRENCIES: ${priced.error}` };
  const pricing = priced.pricing;

  const serverEnv: Record<string, string> = {};
  const notes: string[] = [];
  const key = first(env.INGEST_API_KEYS) ?? `demo_${newKey()}`;
  if (!set(env.INGEST_API_KEYS)) serverEnv.INGEST_API_KEYS = key;
  const adminKey = first(env.ADMIN_API_KEYS) ?? `demo_admin_${newKey()}`;
  if (!set(env.ADMIN_API_KEYS)) serverEnv.ADMIN_API_KEYS = adminKey;

  const foreign = pricing.mix.filter((m) => m.currency !== pricing.shopCurrency).map((m) => m.currency);
  if (foreign.length > 0 && !set(env.CURRENCY_RATES)) {
    serverEnv.CURRENCY_RATES = formatRates(pricing);
    notes.push(`Pulse converts with CURRENCY_RATES=${serverEnv.CURRENCY_RATES} (the simulator's reference rates; set CURRENCY_RATES to use others)`);
  } else if (foreign.length > 0) {
    const configured = parseCurrencyRates(env.CURRENCY_RATES!, pricing.shopCurrency);
    for (const currency of foreign.filter((c) => !configured.has(c))) {
      notes.push(`${currency} has no rate in CURRENCY_RATES: Pulse keeps ${currency} revenue apart (the simulator prices it at ${pricing.rates.get(currency)} ${pricing.shopCurrency})`);
    }
  }

  // 1000 of the shop currency must sit between the largest ordinary basket and the cheapest
  // big-ticket product, or high-value alerts come with every order (yen) or never (dinar)
  if (!set(env.ALERT_HIGH_VALUE_ABOVE)) {
    const thresholdEuroMinor = (1000 / pricing.shopPerEuro) * 100;
    const cheapestBigTicket = Math.min(...expensiveProducts().map((p) => p.priceMinor));
    if (thresholdEuroMinor <= BASKET_MODEL.maxBasketMinor || thresholdEuroMinor >= cheapestBigTicket) {
      const threshold = Number((1000 * pricing.shopPerEuro).toPrecision(2));
      serverEnv.ALERT_HIGH_VALUE_ABOVE = String(threshold);
      const shown = formatMoney(toMinor(threshold, pricing.shopCurrency), pricing.shopCurrency, { whole: true });
      notes.push(`high-value alerts above ${shown} (ALERT_HIGH_VALUE_ABOVE=${threshold}, about €1,000: 1000 ${pricing.shopCurrency} would not suit the simulated shop's prices)`);
    }
  }

  return {
    ok: true,
    settings: { port, rate, key, adminKey, pricing, serverEnv, notes, pagesOff: ['0', 'false', 'no', 'off'].includes(env.PULSE_UI?.trim().toLowerCase() ?? '') },
  };
}
