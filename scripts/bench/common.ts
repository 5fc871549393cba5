import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupPrefix, randomPrefix } from '../../tests/helpers/redis';

/** the publishable key bench servers accept (INGEST_API_KEYS): sending events only */
export const BENCH_KEY = 'bench-ingest-key-0123456789';
/**
 * The secret key bench servers accept (ADMIN_API_KEYS): reads (GET /api/metrics/live, the
 * socket) and stock seeding. Every read needs a credential since sign-in came in.
 */
export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789';
/** `Authorization` for HTTP reads from a bench server */
export const BENCH_READ_HEADERS: Readonly<Record<string, string>> = Object.freeze({ authorization: `Bearer ${BENCH_ADMIN_KEY}` });
/** socket.io-client options that open the live socket with the secret key (the handshake's `auth.token`) */
export const BENCH_SOCKET_AUTH = Object.freeze({ token: BENCH_ADMIN_KEY });
/** the first admin of a bench server (created on its first start), for scripts that drive a signed-in browser */
export const BENCH_ADMIN_EMAIL = 'admin@bench.test';
export const BENCH_ADMIN_PASSWORD = 'bench-admin-password-1';

export interface Child {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real Pulse server (or another script) as a separate process and waits for health. */
export async function startProcess(script: string, port: number, env: Record<string, string> = {}, healthPath = '/api/health'): Promise<Child> {
  // .mjs scripts (scripts/start.mjs, what `npm start` runs) start with plain node, as users run them
  const args = script.endsWith('.mjs') ? ['--enable-source-maps', script] : ['--import', 'tsx', script];
  // a data folder of its own (the embedded database and the lake), removed on stop, unless one is
  // given: PGlite is one process's database, and a bench must not touch ./data
  const givenDir = env.PULSE_DATA_DIR ?? process.env.PULSE_DATA_DIR;
  const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'pulse-bench-'));
  const proc = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      INGEST_API_KEYS: BENCH_KEY,
      ADMIN_API_KEYS: BENCH_ADMIN_KEY,
      PULSE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const removeDataDir = () => {
    if (!givenDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) {
      removeDataDir();
      throw new Error(`${script} exited with ${proc.exitCode}`);
    }
    try {
      const r = await fetch(url + healthPath);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${script} did not become healthy`);
    await sleep(100);
  }
  return {
    url,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
      }).then(removeDataDir),
  };
}

/** serve the pages too when a production build exists, as `npm start` does */
export const uiEnv = (): Record<string, string> => ({ PULSE_UI: existsSync('.next/BUILD_ID') ? 'on' : 'off' });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function commandLine(): string {
  const args = process.argv.slice(2);
  return `npm run ${process.env.npm_lifecycle_event ?? 'bench'}${args.length ? ' -- ' + args.join(' ') : ''}`;
}

/**
 * The system under test: embedded = one process; redis = a web and a worker process sharing the
 * local Redis under a fresh key prefix (deleted afterwards).
 */
/**
 * Pulse as a user starts it: the default command (`npm start` = scripts/start.mjs on the built
 * bundle), embedded, or with REDIS_URL (which supervises web and processing processes itself).
 */
export async function startSystem(mode: string, port: number, env: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  if (mode === 'embedded') {
    const server = await startProcess('scripts/start.mjs', port, { ...uiEnv(), ...env });
    return { url: server.url, stop: () => server.stop() };
  }
  if (mode !== 'redis') throw new Error(`--mode must be embedded or redis, not ${mode}`);
  const prefix = randomPrefix('bench');
  const redisEnv = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, ...env };
  const server = await startProcess('scripts/start.mjs', port, { ...uiEnv(), ...redisEnv });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await cleanupPrefix(prefix, redisEnv.REDIS_URL).then(() => undefined, (err) => console.warn(`could not delete ${prefix}*: ${err}`));
    },
  };
}
