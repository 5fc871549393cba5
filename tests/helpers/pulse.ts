import { createPulse, type Pulse } from '@/server/app';
import { loadConfig } from '@/server/config';
import { setLogSilent } from '@/server/log';
import { authHeaders, TEST_KEY, TEST_SECRET_KEY } from './keys';
import { sleep } from './wait';

export { authHeaders, TEST_KEY, TEST_SECRET_KEY };

export interface RunningPulse {
  pulse: Pulse;
  url: string;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** GET `path` with the secret key (TEST_SECRET_KEY); `headers` may override or add */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts a real Pulse HTTP server (without the Next pages) on a free port, with TEST_KEY as a
 * publishable key and TEST_SECRET_KEY as a secret one (reads need a credential). Its database is
 * DATABASE_URL's PostgreSQL when the test setup set one, else embedded PGlite in PULSE_DATA_DIR.
 */
export async function startPulse(env: Record<string, string> = {}): Promise<RunningPulse> {
  setLogSilent(true);
  const config = loadConfig({ PULSE_UI: 'off', INGEST_API_KEYS: TEST_KEY, ADMIN_API_KEYS: TEST_SECRET_KEY, DATABASE_URL: process.env.DATABASE_URL, LIVE_MIN_INTERVAL_MS: '50', PULSE_DATA_DIR: process.env.PULSE_DATA_DIR!, ...env });
  const pulse = await createPulse(config);
  const url = await pulse.listen(0, '127.0.0.1');
  return {
    pulse,
    url,
    async post(body, headers = {}) {
      const res = await fetch(`${url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* keep text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    get: (path, headers = {}) => fetch(`${url}${path}`, { headers: { ...authHeaders, ...headers } }),
    close: () => pulse.close(),
  };
}

/** Waits until the pipeline has processed everything accepted so far. */
export async function drained(pulse: Pulse, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (((await pulse.log.backlog()).live ?? 0) > 0 || pulse.stats.processedTotal + pulse.stats.deadLetters < pulse.stats.acceptedTotal) {
    if (Date.now() - start > timeoutMs) throw new Error('pipeline did not drain in time');
    await sleep(5);
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();
