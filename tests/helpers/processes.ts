import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { TEST_KEY, TEST_SECRET_KEY } from './keys';
import { until } from './wait';

/**
 * The one place tests start Pulse server processes and pick ports (vitest and Playwright both
 * use it). A process is `server/main.ts` through tsx by default — the sources as they are now —
 * or a built bundle when `entry` names one.
 */

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PulseProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** everything the process (and its children) wrote to stdout and stderr so far */
  output: () => string;
  /** resolves with the first match of `pattern` in the output (polls; bounded) */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<Exit>;
  /** SIGKILL: no cleanup at all, as a crash */
  crash(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `killAfterMs` */
  stop(killAfterMs?: number): Promise<Exit>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** default: a free port */
  port?: number;
  /** a bundle entry to run with plain node (e.g. `.pulse/server/main.mjs`); default: the sources through tsx */
  entry?: string;
  startTimeoutMs?: number;
  /** the test keeps the default quiet logs unless it reads log lines */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface SpawnedServer {
  url: string;
  port: number;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<Exit>;
}

/**
 * Starts one Pulse command without waiting for it (for tests of start-up failures). Defaults: no
 * pages, one process per command (PULSE_WEB_PROCESSES=1, PULSE_WORKER_PROCESSES=0, so
 * `PULSE_ROLE=all` with Redis is one process doing both, as the tests using it were written
 * for); `env` overrides them, and an empty value unsets one. TEST_KEY is a publishable key and
 * TEST_SECRET_KEY a secret one (reads need it). The database is the test run's DATABASE_URL
 * (PostgreSQL, which every web process may share) when the setup set one, inherited from this
 * process's environment; without it each command opens embedded PGlite in its PULSE_DATA_DIR.
 */
export async function spawnServer(opts: StartOptions = {}): Promise<SpawnedServer> {
  const port = opts.port ?? (await freePort());
  const args = opts.entry ? ['--enable-source-maps', opts.entry] : ['--import', 'tsx', 'server/main.ts'];
  const proc = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PULSE_UI: 'off',
      HOST: '127.0.0.1',
      PORT: String(port),
      INGEST_API_KEYS: TEST_KEY,
      ADMIN_API_KEYS: TEST_SECRET_KEY,
      LOG_LEVEL: opts.logLevel ?? 'warn',
      PULSE_WEB_PROCESSES: '1',
      PULSE_WORKER_PROCESSES: '0',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<Exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { url: `http://127.0.0.1:${port}`, port, proc, output: () => out, exited };
}

/** Starts one Pulse command (see spawnServer) and waits until `/api/health` answers 200. */
export async function startServer(opts: StartOptions = {}): Promise<PulseProcess> {
  const { url, port, proc, output, exited } = await spawnServer(opts);
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const hasExited = () => proc.exitCode !== null || proc.signalCode !== null;
  let state: 'up' | 'exited' | 'timeout';
  try {
    state = await until(
      async () => {
        if (hasExited()) return 'exited' as const;
        try {
          return (await fetch(`${url}/api/health`)).ok ? ('up' as const) : null;
        } catch {
          return null; // not listening yet
        }
      },
      { timeoutMs, intervalMs: 100 },
    );
  } catch {
    state = 'timeout';
  }
  if (state !== 'up') {
    if (!hasExited()) proc.kill('SIGKILL');
    await exited;
    const why = state === 'exited' ? `exited early (${proc.exitCode ?? proc.signalCode})` : `did not answer /api/health within ${timeoutMs} ms`;
    throw new Error(`pulse ${why}:\n${output()}`);
  }
  return {
    url,
    port,
    proc,
    output,
    waitForOutput: (pattern, waitMs = 15_000) => until(() => pattern.exec(output()), { timeoutMs: waitMs, what: `output matching ${pattern}` }),
    exited,
    async crash() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop(killAfterMs = 20_000) {
      if (!hasExited()) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
        await exited;
        clearTimeout(t);
      }
      return exited;
    },
  };
}

/** the earlier name and shape: an environment only */
export function startPulseProcess(env: Record<string, string>): Promise<PulseProcess> {
  return startServer({ env });
}
