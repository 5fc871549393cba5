import { z } from 'zod';
import { isKnownCurrency, parseCurrencyRates } from '@/lib/money';
import { isValidTimeZone } from '@/lib/shopTime';

/**
 * Configuration: every environment variable Pulse reads, parsed once at start-up.
 * A bad value stops the process with a message naming the variable and what is expected.
 */

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of true/false, 1/0, yes/no, on/off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const num = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** serve the Next.js pages (off for API-only processes and tests) */
  PULSE_UI: bool.default(true),
  /** comma-separated ingest keys; at least 16 characters each */
  INGEST_API_KEYS: list
    .pipe(z.array(z.string().min(16, { error: 'each key must be at least 16 characters' })))
    .default([]),
  /** comma-separated origins allowed to send events from browsers, or * */
  CORS_ALLOWED_ORIGINS: list.default(['*']),
  INGEST_MAX_BODY_BYTES: int(1024, 50 * 1024 * 1024).default(1024 * 1024),
  INGEST_MAX_BATCH: int(1, 10_000).default(500),
  /** unprocessed events above which ingest answers 429 */
  PIPELINE_MAX_BACKLOG: int(100, 100_000_000).default(200_000),
  /** how long a client event_id is remembered for deduplication */
  DEDUP_WINDOW_HOURS: num(0.01, 24 * 30).default(24),
  DEDUP_MAX_IDS: int(1000, 100_000_000).default(2_000_000),
  /** minimum time between two socket snapshots (20/s at most by default) */
  LIVE_MIN_INTERVAL_MS: int(20, 10_000).default(50),
  /** a snapshot is sent at least this often even without events, so screens can show freshness */
  LIVE_HEARTBEAT_MS: int(200, 60_000).default(1000),
  FRAUD_WEIGHT_AMOUNT: num(0, 1).default(0.3),
  FRAUD_WEIGHT_VELOCITY: num(0, 1).default(0.4),
  FRAUD_WEIGHT_LOCATION: num(0, 1).default(0.3),
  ALERT_FRAUD_SCORE_ABOVE: num(0, 1).default(0.8),
  ALERT_HIGH_VALUE_ABOVE: num(0, 1e9).default(1000),
  ALERT_LOW_STOCK_AT_OR_BELOW: int(0, 1_000_000).default(5),
  /** per-user records kept in memory in embedded mode before the least recently active go */
  EMBEDDED_MAX_USERS: int(1000, 50_000_000).default(1_000_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * `npm start` with REDIS_URL and PULSE_ROLE all is a supervisor: this many web processes share
   * PORT, and PULSE_WORKER_PROCESSES processing processes (unset: one per core but one, at least
   * one) run the pipeline. PULSE_WORKER_PROCESSES=0 makes the web processes process too; with one
   * web process that is a single process doing both, as without a supervisor.
   */
  PULSE_WEB_PROCESSES: int(1, 64).default(1),
  PULSE_WORKER_PROCESSES: int(0, 256).optional(),
  /** single-node mode: the Redis that holds the event stream and live state */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,40}$/, { error: 'must be 1-40 characters of letters, digits, _ . : -' }).default('pulse:'),
  /** web: HTTP, pages and sockets; worker: processing; all: both (the only choice without Redis) */
  PULSE_ROLE: z.enum(['web', 'worker', 'all'], { error: 'must be web, worker or all' }).default('all'),
  LOG_READ_COUNT: int(1, 10_000).default(64),
  /** partitions of the event log (events are partitioned by user); fixed for a Redis prefix's lifetime */
  LOG_PARTITIONS: int(1, 256).default(8),
  /** a partition lease not renewed this long expires and another worker takes the partition */
  LEASE_MS: int(1000, 120_000).default(10_000),
  /** processed stream entries are kept this long before trimming */
  STREAM_RETAIN_MINUTES: num(0, 60 * 24 * 7).default(10),
  /**
   * where per-user analytics are kept: `live` reads them from the live store; `dynamodb` also
   * copies each user's record, off the hot path, into DynamoDB (needs REDIS_URL)
   */
  USER_STORE: z.enum(['live', 'dynamodb'], { error: 'must be live or dynamodb' }).default('live'),
  DYNAMODB_USERS_TABLE: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: 'must be a valid DynamoDB table name' }).default('pulse-user-analytics'),
  /** a DynamoDB-compatible endpoint (e.g. dynalite); unset for AWS itself */
  DYNAMODB_ENDPOINT: z.url({ error: 'must be a URL' }).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  USER_FLUSH_INTERVAL_MS: int(50, 60_000).default(1000),
  /** the shop's currency (ISO 4217): every money figure is in it */
  SHOP_CURRENCY: z
    .string()
    .transform((v) => v.toUpperCase())
    .refine(isKnownCurrency, { error: 'must be an ISO 4217 currency code such as EUR, USD or JPY' })
    .default('EUR'),
  /**
   * rates into the shop currency: comma-separated CODE=rate, where rate is how many units of the
   * shop currency one unit of CODE is worth (e.g. with EUR: USD=0.92,JPY=0.0061). Purchases in a
   * currency without a rate are kept apart, never added to the shop-currency revenue.
   */
  CURRENCY_RATES: z.string().default(''),
  /** the shop's time zone (IANA name): "today" and every time on screens */
  SHOP_TIMEZONE: z.string().refine(isValidTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin or America/New_York' }).default('UTC'),
  /** a cart without a purchase this many minutes after its last add-to-cart counts as abandoned */
  CART_ABANDON_AFTER_MINUTES: int(1, 120).default(30),
  /** where Pulse keeps what it writes to disk (the local lake, and later the embedded database) */
  PULSE_DATA_DIR: z.string().min(1).default('./data'),
  /** the local lake folder (default: PULSE_DATA_DIR/lake); ignored when LAKE_S3_BUCKET is set */
  LAKE_DIR: z.string().min(1).optional(),
  /** write the lake to this S3 bucket instead of a local folder */
  LAKE_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid S3 bucket name' }).optional(),
  /** key prefix inside the bucket */
  LAKE_S3_PREFIX: z.string().regex(/^([A-Za-z0-9_.=-]+\/)*$/, { error: 'must be empty or path segments ending in /, e.g. pulse/' }).default(''),
  /** an S3-compatible endpoint (s3rver, MinIO); unset for AWS */
  S3_ENDPOINT: z.url({ error: 'must be a URL' }).optional(),
  /** the lake writer flushes a partition at least this often (an event is queryable within about this long) */
  LAKE_FLUSH_INTERVAL_MS: int(1000, 15 * 60_000).default(30_000),
  /** …or as soon as this many events are buffered for a partition */
  LAKE_FLUSH_MAX_EVENTS: int(100, 1_000_000).default(20_000),
  /** off: no lake writer in this process (the events stay in the log for a writer elsewhere) */
  LAKE_WRITER: bool.default(true),
  /** closed hours with more than one file are compacted this long after they end */
  LAKE_COMPACT_AFTER_MINUTES: int(1, 24 * 60).default(10),
  /** what answers /api/history: duckdb over the local lake, athena over S3 (default: athena with LAKE_S3_BUCKET, else duckdb) */
  HISTORY_ENGINE: z.enum(['duckdb', 'athena'], { error: 'must be duckdb or athena' }).optional(),
  ATHENA_WORKGROUP: z.string().min(1).default('primary'),
  ATHENA_DATABASE: z.string().regex(/^[a-z0-9_]{1,255}$/, { error: 'must be lower-case letters, digits and _' }).default('pulse'),
  ATHENA_TABLE: z.string().regex(/^[a-z0-9_]{1,255}$/, { error: 'must be lower-case letters, digits and _' }).default('events'),
  /** s3://bucket/prefix/ for Athena query results (unset: the workgroup's own setting) */
  ATHENA_OUTPUT_LOCATION: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, { error: 'must be an s3://bucket/prefix/ URL' }).optional(),
  /** PostgreSQL for users, keys and the audit log (unset: embedded PGlite in PULSE_DATA_DIR/db) */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  /** the first admin, created on start when the database has no users yet */
  PULSE_ADMIN_EMAIL: z.string().max(254).optional(),
  PULSE_ADMIN_PASSWORD: z.string().min(12, { error: 'must be at least 12 characters' }).max(256).optional(),
  /** a sign-in lasts at most this long… */
  SESSION_MAX_HOURS: num(0.01, 24 * 90).default(24 * 7),
  /** …and ends after this long without use */
  SESSION_IDLE_MINUTES: num(1, 60 * 24 * 30).default(12 * 60),
  /** where people reach Pulse (https://pulse.example.com): links printed and own origin behind a proxy */
  PULSE_PUBLIC_URL: z.url({ error: 'must be a URL such as https://pulse.example.com' }).optional(),
  /** besides Pulse's own origin, origins whose pages may read live data with a signed-in user's cookie */
  READ_ALLOWED_ORIGINS: list.default([]),
  /** trust X-Forwarded-Proto and X-Forwarded-Host from a reverse proxy in front of Pulse */
  TRUST_PROXY: bool.default(false),
  /** event property keys (any depth, case-insensitive) whose values are replaced by "[masked]" before anything is stored or shown */
  MASK_PROPERTY_KEYS: list.default(['email', 'phone', 'password', 'ip', 'ip_address', 'card_number']),
  /** secret server keys from the environment, for automation (keys created by admins live in the database) */
  ADMIN_API_KEYS: list
    .pipe(z.array(z.string().min(16, { error: 'each key must be at least 16 characters' })))
    .default([]),
});

export type Mode = 'embedded' | 'single-node';
export type Config = z.infer<typeof envSchema> & { mode: Mode; historyEngine: 'duckdb' | 'athena' };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // treat empty strings as unset so `FOO= npm start` falls back to the default
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      const value = name.includes('KEY') || name.includes('URL') || name.includes('PASSWORD') ? '(hidden)' : JSON.stringify(env[name]);
      return `  ${name}=${value}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  try {
    parseCurrencyRates(parsed.data.CURRENCY_RATES, parsed.data.SHOP_CURRENCY);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  CURRENCY_RATES=${JSON.stringify(env.CURRENCY_RATES)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const mode: Mode = parsed.data.REDIS_URL ? 'single-node' : 'embedded';
  if (mode === 'embedded' && parsed.data.PULSE_ROLE !== 'all') {
    throw new ConfigError(
      `Invalid configuration:\n  PULSE_ROLE=${parsed.data.PULSE_ROLE}: separate web and worker processes need a shared Redis; set REDIS_URL or use PULSE_ROLE=all`,
    );
  }
  if (parsed.data.USER_STORE !== 'live' && !parsed.data.REDIS_URL) {
    throw new ConfigError(
      `Invalid configuration:\n  USER_STORE=${parsed.data.USER_STORE}: the per-user store is fed from Redis; set REDIS_URL, or keep USER_STORE=live in embedded mode`,
    );
  }
  if (parsed.data.PULSE_WEB_PROCESSES > 1 && !parsed.data.DATABASE_URL) {
    throw new ConfigError(
      `Invalid configuration:\n  PULSE_WEB_PROCESSES=${parsed.data.PULSE_WEB_PROCESSES}: the embedded database belongs to one process; set DATABASE_URL to a PostgreSQL database for several web processes`,
    );
  }
  if ((parsed.data.PULSE_ADMIN_EMAIL === undefined) !== (parsed.data.PULSE_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(`Invalid configuration:\n  PULSE_ADMIN_EMAIL and PULSE_ADMIN_PASSWORD: set both (the first admin's sign-in) or neither`);
  }
  if (parsed.data.HISTORY_ENGINE === 'athena' && !parsed.data.LAKE_S3_BUCKET) {
    throw new ConfigError(`Invalid configuration:\n  HISTORY_ENGINE=athena: Athena reads the lake from S3; set LAKE_S3_BUCKET (and ATHENA_OUTPUT_LOCATION), or use HISTORY_ENGINE=duckdb`);
  }
  if (parsed.data.HISTORY_ENGINE === 'duckdb' && parsed.data.LAKE_S3_BUCKET) {
    throw new ConfigError(`Invalid configuration:\n  HISTORY_ENGINE=duckdb: DuckDB here reads only a local lake (no network extensions); with LAKE_S3_BUCKET use HISTORY_ENGINE=athena`);
  }
  const historyEngine: 'duckdb' | 'athena' = parsed.data.HISTORY_ENGINE ?? (parsed.data.LAKE_S3_BUCKET ? 'athena' : 'duckdb');
  return { ...parsed.data, mode, historyEngine };
}
