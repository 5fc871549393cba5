import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, bundleState } from '@/scripts/build-server.mjs';
import { planProcesses } from '@/server/process/plan';
import { freePort, spawnServer, startServer, type PulseProcess } from '../helpers/processes';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { until } from '../helpers/wait';
import { authedFetch } from '../helpers/keys';

/**
 * `npm start` in single-node mode is a supervisor of web and processing processes. These tests
 * run the production bundle (built here from the current sources into a folder of their own,
 * which also checks that the sources bundle) and assert process behaviour: which processes
 * exist, who takes the public port, restart after a crash, a clean stop, and refusal before any
 * fork on a bad configuration. They do not check what the pipeline computes (other suites do).
 */

// inside the repository, so the bundle's bare imports resolve from its node_modules
const outdir = path.join(process.cwd(), '.pulse', `test-${randomBytes(4).toString('hex')}`);
let entry = '';
const prefixes: string[] = [];

beforeAll(async () => {
  entry = (await buildServer(outdir)).entry;
}, 60_000);

afterAll(async () => {
  rmSync(outdir, { recursive: true, force: true });
  for (const p of prefixes) await cleanupPrefix(p);
});

type Health = { role: string; mode: string };

/** GET on a fresh connection (no keep-alive), so each request is a new accept on the port */
function healthOnNewConnection(url: string): Promise<Health> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/health`, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Health);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const readyPids = (out: string, kind: 'web' | 'processing') => [...out.matchAll(new RegExp(`${kind} process (\\d+) ready`, 'g'))].map((m) => Number(m[1]));
const workerUrls = (out: string) => [...out.matchAll(/processing process \d+ ready \(health and metrics on (http:\/\/[^)]+)\)/g)].map((m) => m[1]);

describe('process plan', () => {
  const base = { mode: 'single-node', PULSE_ROLE: 'all', PULSE_WEB_PROCESSES: 1, PULSE_WORKER_PROCESSES: undefined } as const;
  it('supervises one web process and one processing process per remaining core by default', () => {
    expect(planProcesses(base, 2)).toEqual({ kind: 'supervise', web: 1, workers: 1, webRole: 'web' });
    expect(planProcesses(base, 8)).toEqual({ kind: 'supervise', web: 1, workers: 7, webRole: 'web' });
    expect(planProcesses(base, 1)).toEqual({ kind: 'supervise', web: 1, workers: 1, webRole: 'web' });
  });
  it('runs one process in embedded mode, for an explicit role, and for one web process with no processing processes', () => {
    expect(planProcesses({ ...base, mode: 'embedded' }, 8)).toEqual({ kind: 'single' });
    expect(planProcesses({ ...base, PULSE_ROLE: 'web' }, 8)).toEqual({ kind: 'single' });
    expect(planProcesses({ ...base, PULSE_ROLE: 'worker' }, 8)).toEqual({ kind: 'single' });
    expect(planProcesses({ ...base, PULSE_WORKER_PROCESSES: 0 }, 8)).toEqual({ kind: 'single' });
  });
  it('lets several web processes do the processing when there are no processing processes', () => {
    expect(planProcesses({ ...base, PULSE_WEB_PROCESSES: 3, PULSE_WORKER_PROCESSES: 0 }, 8)).toEqual({ kind: 'supervise', web: 3, workers: 0, webRole: 'all' });
  });
});

describe('server bundle', () => {
  it('is up to date right after the build, and stale once a source is newer than it', () => {
    expect(bundleState(outdir)).toEqual({ ok: true, reason: 'up to date' });
    const old = new Date('2001-01-01T00:00:00Z');
    utimesSync(path.join(outdir, 'main.mjs'), old, old);
    expect(bundleState(outdir)).toMatchObject({ ok: false, reason: expect.stringMatching(/changed since the last build$/) });
    const now = new Date();
    utimesSync(path.join(outdir, 'main.mjs'), now, now);
    expect(bundleState(path.join(outdir, 'missing'))).toMatchObject({ ok: false, reason: expect.stringMatching(/does not exist$/) });
  });
});

describe('supervised single-node start', () => {
  it('runs web and processing processes, keeps processing off the public port, replaces a killed child, and stops cleanly on SIGTERM', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const sup: PulseProcess = await startServer({
      entry,
      logLevel: 'info',
      env: { REDIS_URL, REDIS_PREFIX: prefix, PULSE_ROLE: '', PULSE_WEB_PROCESSES: '2', PULSE_WORKER_PROCESSES: '2', CLAIM_IDLE_MS: '1000' },
    });
    try {
      await sup.waitForOutput(/Pulse listening on \S+ \(mode: single-node, 2 web processes and 2 processing processes, supervisor pid (\d+)\)/);
      const web = readyPids(sup.output(), 'web');
      const workers = readyPids(sup.output(), 'processing');
      expect(web).toHaveLength(2);
      expect(workers).toHaveLength(2);
      expect(new Set([sup.proc.pid, ...web, ...workers]).size).toBe(5);

      // the public port is only ever answered by web processes
      const roles = await Promise.all(Array.from({ length: 20 }, () => healthOnNewConnection(sup.url)));
      expect(new Set(roles.map((h) => `${h.mode}/${h.role}`))).toEqual(new Set(['single-node/web']));
      // each processing process serves its own health endpoint on an internal port
      for (const url of workerUrls(sup.output())) {
        expect(new URL(url).port).not.toBe(String(sup.port));
        expect(await healthOnNewConnection(url)).toMatchObject({ role: 'worker', mode: 'single-node' });
      }

      // a processing process dies: the supervisor says so and starts another
      process.kill(workers[0], 'SIGKILL');
      await sup.waitForOutput(new RegExp(`processing process ${workers[0]} was killed by SIGKILL after [\\d.]+ s; starting another in`));
      const replacement = await until(() => readyPids(sup.output(), 'processing').find((pid) => !workers.includes(pid)), { timeoutMs: 15_000, what: 'a new processing process' });
      expect(alive(replacement)).toBe(true);
      const replacementUrl = workerUrls(sup.output()).at(-1)!;
      expect(await healthOnNewConnection(replacementUrl)).toMatchObject({ role: 'worker' });

      // a web process dies: the other keeps the port answering, and it is replaced too
      process.kill(web[0], 'SIGKILL');
      await sup.waitForOutput(new RegExp(`web process ${web[0]} was killed by SIGKILL`));
      expect((await healthOnNewConnection(sup.url)).role).toBe('web');
      const newWeb = await until(() => readyPids(sup.output(), 'web').find((pid) => !web.includes(pid)), { timeoutMs: 15_000, what: 'a new web process' });

      const children = [web[1], newWeb, workers[1], replacement];
      expect(children.every(alive)).toBe(true);
      const exit = await sup.stop();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(sup.output()).toMatch(/SIGTERM: stopping 4 child processes/);
      expect(sup.output()).toMatch(/Supervisor stopped\n/);
      expect(children.filter(alive)).toEqual([]);
    } finally {
      if (sup.proc.exitCode === null) await sup.crash();
    }
  }, 60_000);

  it('refuses a bad process count before forking anything, naming the variable', async () => {
    const run = await spawnServer({ entry, logLevel: 'info', env: { REDIS_URL, PULSE_ROLE: '', PULSE_WORKER_PROCESSES: 'lots' } });
    const exit = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    if (!exit) run.proc.kill('SIGKILL');
    expect(exit).toEqual({ code: 2, signal: null });
    expect(run.output()).toContain('PULSE_WORKER_PROCESSES="lots": must be a number');
    expect(run.output()).not.toContain('Supervisor');
  }, 15_000);

  it('gives up, with a reason, when web processes cannot start at all (port taken) instead of restarting them forever', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    const prefix = randomPrefix();
    prefixes.push(prefix);
    try {
      const run = await spawnServer({ entry, port, logLevel: 'info', env: { REDIS_URL, REDIS_PREFIX: prefix, PULSE_ROLE: '', PULSE_WORKER_PROCESSES: '1' } });
      const exit = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 40_000))]);
      if (!exit) run.proc.kill('SIGKILL');
      expect(exit).toEqual({ code: 1, signal: null });
      expect(run.output()).toMatch(/EADDRINUSE/);
      expect(run.output()).toMatch(/web process failed to start 5 times in a row \(last one exited with code 1\); giving up/);
      // the processing process it had started was stopped with it
      expect(run.output()).toMatch(/start-up failure: stopping 1 child process\b/);
    } finally {
      blocker.close();
    }
  }, 50_000);
});

describe('one process when a supervisor would not help', () => {
  it('embedded mode stays one process even with the default counts', async () => {
    const p = await startServer({ entry, logLevel: 'info', env: { PULSE_ROLE: '', PULSE_WORKER_PROCESSES: '' } });
    try {
      expect(await healthOnNewConnection(p.url)).toMatchObject({ mode: 'embedded', role: 'all' });
      expect(p.output()).not.toContain('Supervisor');
    } finally {
      expect(await p.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('an explicit PULSE_ROLE=worker is one processing process serving health and metrics on PORT', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const p = await startServer({ entry, logLevel: 'info', env: { REDIS_URL, REDIS_PREFIX: prefix, PULSE_ROLE: 'worker', PULSE_WORKER_PROCESSES: '' } });
    try {
      expect(await healthOnNewConnection(p.url)).toMatchObject({ mode: 'single-node', role: 'worker' });
      expect((await authedFetch(`${p.url}/metrics`)).status).toBe(200);
      expect(p.output()).not.toContain('Supervisor');
    } finally {
      expect(await p.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
