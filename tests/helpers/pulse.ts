import { createPulse, type Pulse } from '@/server/app';
import { loadConfig } from '@/server/config';
import { setLogSilent } from '@/server/log';
import { TEST_KEY } from './keys';
import { sleep } from './wait';

export { TEST_KEY };

export interface RunningPulse {
  pulse: Pulse;
  url: string;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts a real Pulse HTTP server (without the Next pages) on a free port. */
export async function startPulse(env: Record<string, string> = {}): Promise<RunningPulse> {
  setLogSilent(true);
  const config = loadConfig({ PULSE_UI: 'off', INGEST_API_KEYS: TEST_KEY, LIVE_MIN_INTERVAL_MS: '50', PULSE_DATA_DIR: process.env.PULSE_DATA_DIR!, ...env });
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
