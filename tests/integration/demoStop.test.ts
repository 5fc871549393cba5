import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/processes';
import { sleep, until } from '../helpers/wait';
import { authedFetch, TEST_SECRET_KEY } from '../helpers/keys';

/**
 * `npm run demo` as a person runs it in a terminal, stopped with Ctrl-C. The demo is started in
 * a process group of its own and the signal goes to the whole group, as a terminal sends it to
 * its foreground group: so Pulse must not stop before the traffic's queued events are delivered.
 * Pages are off (PULSE_UI=off) so no `next build` runs; the server bundle is built if stale.
 */

interface Demo {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const running: Demo[] = [];

async function startDemo(env: Record<string, string>): Promise<Demo> {
  const port = await freePort();
  const base = { ...process.env };
  // the demo's own choices are under test: nothing inherited from the shell that runs the tests
  for (const name of ['INGEST_API_KEYS', 'ADMIN_API_KEYS', 'REDIS_URL', 'DEMO_CURRENCIES', 'DEMO_RATE', 'CURRENCY_RATES', 'SHOP_CURRENCY', 'ALERT_HIGH_VALUE_ABOVE']) {
    delete base[name];
  }
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    env: { ...base, PORT: String(port), PULSE_UI: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const demo = { proc, port, output: () => out, exited };
  running.push(demo);
  return demo;
}

/** Ctrl-C in a terminal: SIGINT to every process of the foreground group */
const ctrlC = (demo: Demo) => process.kill(-demo.proc.pid!, 'SIGINT');

/** no such process, or a zombie waiting to be reaped (a container's init may be slow to) */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

const answers = async (port: number) => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
};

afterEach(async () => {
  for (const demo of running.splice(0)) {
    if (demo.proc.exitCode === null && demo.proc.signalCode === null) {
      try {
        process.kill(-demo.proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
});

describe('npm run demo', () => {
  it('prints every page, and one Ctrl-C delivers the queued events before Pulse stops', async () => {
    // a high rate keeps a batch queued or in flight at any moment, so the stop has something to deliver
    // reading the live snapshot needs a secret key: the test names the demo's (ADMIN_API_KEYS)
    const demo = await startDemo({ DEMO_RATE: '400', DEMO_CURRENCIES: 'EUR:0.8,USD:0.15,JPY:0.05', ADMIN_API_KEYS: TEST_SECRET_KEY });
    const url = `http://127.0.0.1:${demo.port}`;
    await until(() => demo.output().includes('Ctrl-C stops the traffic'), { timeoutMs: 90_000, what: 'the demo printing its URLs' });
    const out = demo.output();
    expect(out).toContain(`Live overview   ${url}/\n`);
    expect(out).toContain(`Wall display    ${url}/wall\n`);
    expect(out).toContain(`Pipeline        ${url}/pipeline\n`);
    const customer = /A customer {6}(\S+)\n/.exec(out)?.[1];
    expect(customer).toMatch(new RegExp(`^${url}/users/user_[0-9a-z]+$`));
    // the currency mix came with rates for Pulse, which started with them
    expect(out).toContain('Pulse converts with CURRENCY_RATES=USD=0.92,JPY=0.0061');

    // let traffic flow for a while, then check Pulse counts it before the stop
    await until(async () => {
      const live = (await (await authedFetch(`${url}/api/metrics/live`)).json()) as { pipeline: { acceptedTotal: number } };
      return live.pipeline.acceptedTotal > 1_000;
    }, { timeoutMs: 20_000, what: 'Pulse accepting simulated events' });

    // hold Pulse a moment so events are queued when Ctrl-C comes (otherwise the queue can be
    // empty the instant after a batch went out), then let it answer: they must all arrive
    const serverPid = Number(/Pulse listening on \S+ \(.*pid (\d+)\)/.exec(demo.output())?.[1]);
    expect(serverPid).toBeGreaterThan(0);
    process.kill(serverPid, 'SIGSTOP');
    await sleep(500);
    ctrlC(demo);
    await until(() => demo.output().includes('Ctrl-C: stopping the traffic'), { timeoutMs: 5_000, what: 'the Ctrl-C being taken' });
    process.kill(serverPid, 'SIGCONT');
    const code = await Promise.race([demo.exited, sleep(40_000).then(() => 'still running')]);
    const log = demo.output();
    expect(code, log).toBe(0);

    const queued = Number(/Ctrl-C: stopping the traffic; delivering (\d+) queued events…/.exec(log)?.[1]);
    expect(queued, log).toBeGreaterThan(0);
    const generated = Number(/generated ([\d,]+) events/.exec(log)?.[1].replaceAll(',', ''));
    expect(generated).toBeGreaterThan(1_000);
    // Pulse's own count, read after the delivery and before it stopped: every generated event arrived
    const delivered = /delivered: Pulse accepted ([\d,]+) events since it started; the simulator's requests were answered with ([\d,]+) accepted/.exec(log);
    expect(delivered, log).not.toBeNull();
    expect(Number(delivered![1].replaceAll(',', ''))).toBe(generated);
    expect(Number(delivered![2].replaceAll(',', ''))).toBe(generated);
    expect(log).not.toMatch(/unsent:|rejected [1-9]|failed [1-9]/);

    // the order: delivery, then Pulse's shutdown (it never saw the terminal's SIGINT)
    expect(log.indexOf('delivered: Pulse accepted')).toBeLessThan(log.indexOf('SIGTERM: draining and shutting down'));
    expect(log).not.toContain('SIGINT: draining');
    expect(log).toContain('[demo] stopped.');
    expect(log).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(await answers(demo.port)).toBe(false);
  }, 150_000);

  it('quits at once on a second Ctrl-C while delivery hangs, and takes Pulse with it', async () => {
    const demo = await startDemo({ DEMO_RATE: '400' });
    await until(() => demo.output().includes('Ctrl-C stops the traffic'), { timeoutMs: 90_000, what: 'the demo printing its URLs' });
    const serverPid = Number(/Pulse listening on \S+ \(.*pid (\d+)\)/.exec(demo.output())?.[1]);
    expect(serverPid).toBeGreaterThan(0);
    // a Pulse that no longer answers: the delivery cannot finish, which is when a second Ctrl-C is needed
    process.kill(serverPid, 'SIGSTOP');
    // traffic generated from now on cannot be delivered: let some queue up (at 400 events/s), or
    // the first Ctrl-C may find the queue empty the instant after a batch went out
    await sleep(1000);
    ctrlC(demo);
    await until(() => demo.output().includes('Ctrl-C: stopping the traffic'), { timeoutMs: 5_000, what: 'the first Ctrl-C being taken' });
    await sleep(300);
    expect(demo.proc.exitCode).toBeNull(); // still delivering
    ctrlC(demo);
    const code = await Promise.race([demo.exited, sleep(10_000).then(() => 'still running')]);
    const log = demo.output();
    expect(code, log).toBe(130);
    expect(log).toMatch(/\[demo\] Ctrl-C again: quitting now; [1-9]\d* queued events not delivered/);
    expect(log).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    // Pulse ran in a process group of its own: it must not outlive the demo, stopped or not
    await until(() => gone(serverPid), { timeoutMs: 5_000, what: `Pulse (pid ${serverPid}) gone after the forced exit` });
  }, 150_000);
});
