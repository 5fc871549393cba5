import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import type { Config } from './config';
import { log } from './log';
import { describeConfig } from './process/describeConfig';
import { EXIT_CONFIG, readyMessageSchema } from './process/messages';
import type { ProcessPlan } from './process/plan';

/**
 * The single-node `npm start`: web processes and processing processes on separate cores, kept
 * running, stopped together.
 *
 * - Web children are node:cluster workers: their listen(PORT) is handed to this process, which
 *   owns the one listening socket and distributes connections among them (round robin on Linux).
 * - Processing children are plain forks with PORT=0 on 127.0.0.1: they never see a connection
 *   from the public port; each serves its own /api/health and /metrics on a port of its own,
 *   logged when it is ready.
 * - A child that dies is replaced after a capped, doubling delay. A child that cannot even start
 *   (and none of its kind ever has) stops the whole command after a few tries instead of looping:
 *   that is a broken deployment (port taken, Redis unreachable), not a crash to ride out. The
 *   configuration itself was validated before this runs, so it never forks on a bad variable.
 * - SIGTERM/SIGINT: web children first (they finish in-flight requests), then processing
 *   children (they apply what the web children accepted), each told with the same signal, all
 *   within SHUTDOWN_LIMIT_MS; what is left is killed. Exit 0 when every child stopped by itself.
 */

const SHUTDOWN_LIMIT_MS = 15_000;
const KILL_WAIT_MS = 3_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** a child that ran this long was healthy: its death starts the backoff afresh */
const STABLE_MS = 30_000;
const MAX_START_FAILURES = 5;

type Kind = 'web' | 'worker';

interface Slot {
  kind: Kind;
  child: ChildProcess | null;
  exited: Promise<void>;
  startedAt: number;
  ready: boolean;
  /** consecutive deaths, for the restart delay */
  deaths: number;
  /** consecutive deaths before ready */
  startFailures: number;
  timer: NodeJS.Timeout | null;
}

export interface SuperviseOptions {
  /** the script each child runs: this entry (server/main.ts under tsx, or the bundle) */
  entry: string;
  /** node flags for the children: the same as this process's (`--import tsx`, source maps) */
  execArgv: string[];
  cores: number;
}

export function superviseProcesses(config: Config, plan: Extract<ProcessPlan, { kind: 'supervise' }>, opts: SuperviseOptions): void {
  const slots: Slot[] = [
    ...Array.from({ length: plan.web }, () => newSlot('web')),
    ...Array.from({ length: plan.workers }, () => newSlot('worker')),
  ];
  const everReady: Record<Kind, boolean> = { web: false, worker: false };
  let announced = false;
  let stopping = false;
  let publicUrl = '';

  const what = plan.webRole === 'all' ? `${count(plan.web, 'web process')} that also process events` : `${count(plan.web, 'web process')} and ${count(plan.workers, 'processing process')}`;
  log.info(`Supervisor (pid ${process.pid}): starting ${what} on ${opts.cores} cores; PULSE_WEB_PROCESSES and PULSE_WORKER_PROCESSES set the counts`);
  describeConfig(config);
  cluster.setupPrimary({ exec: opts.entry, execArgv: opts.execArgv });

  function start(slot: Slot): void {
    slot.timer = null;
    slot.ready = false;
    slot.startedAt = Date.now();
    const child =
      slot.kind === 'web'
        ? cluster.fork({ PULSE_ROLE: plan.webRole }).process
        : fork(opts.entry, [], { execArgv: opts.execArgv, env: { ...process.env, PULSE_ROLE: 'worker', PORT: '0', HOST: '127.0.0.1' } });
    slot.child = child;
    slot.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(onExit(slot, child, code, signal))));
    child.on('message', (raw: unknown) => {
      const msg = readyMessageSchema.safeParse(raw);
      if (!msg.success) return;
      slot.ready = true;
      slot.startFailures = 0;
      everReady[slot.kind] = true;
      if (slot.kind === 'web') publicUrl = msg.data.url;
      log.info(`${label(slot.kind)} ${child.pid} ready${slot.kind === 'worker' ? ` (health and metrics on ${msg.data.url})` : ''}`);
      if (!announced && slots.every((s) => s.ready)) {
        announced = true;
        log.info(`Pulse listening on ${publicUrl} (mode: ${config.mode}, ${what}, supervisor pid ${process.pid})`);
      }
    });
  }

  function onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child === child) slot.child = null;
    if (stopping) return;
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const lived = Date.now() - slot.startedAt;
    if (code === EXIT_CONFIG) {
      log.error(`${label(slot.kind)} ${child.pid} refused its configuration; stopping everything (see its message above)`);
      return void shutdown('configuration error', EXIT_CONFIG);
    }
    if (!slot.ready) {
      slot.startFailures++;
      if (!everReady[slot.kind] && slot.startFailures >= MAX_START_FAILURES) {
        log.error(`${label(slot.kind)} failed to start ${slot.startFailures} times in a row (last one ${why}); giving up, see its output above`);
        return void shutdown('start-up failure', 1);
      }
    }
    slot.deaths = lived >= STABLE_MS ? 1 : slot.deaths + 1;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (slot.deaths - 1));
    log.warn(`${label(slot.kind)} ${child.pid} ${why} after ${(lived / 1000).toFixed(1)} s${slot.ready ? '' : ', before it was ready'}; starting another in ${(delay / 1000).toFixed(1)} s`);
    slot.ready = false;
    slot.timer = setTimeout(() => start(slot), delay);
  }

  async function shutdown(why: string, exitCode: number): Promise<void> {
    stopping = true;
    for (const s of slots) if (s.timer) clearTimeout(s.timer);
    const signal: NodeJS.Signals = why === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
    const alive = slots.filter((s) => s.child);
    log.info(`${why}: stopping ${count(alive.length, 'child process')}`);
    const deadline = Date.now() + SHUTDOWN_LIMIT_MS;
    let forced = false;
    for (const kind of ['web', 'worker'] as const) {
      const group = slots.filter((s) => s.kind === kind && s.child);
      for (const s of group) s.child?.kill(signal);
      await within(Promise.all(group.map((s) => s.exited)), deadline - Date.now());
      const stuck = group.filter((s) => s.child);
      if (stuck.length) {
        forced = true;
        log.warn(`${count(stuck.length, label(kind))} still running after ${SHUTDOWN_LIMIT_MS / 1000} s: killing (pid ${stuck.map((s) => s.child?.pid).join(', ')})`);
        for (const s of stuck) s.child?.kill('SIGKILL');
        await within(Promise.all(stuck.map((s) => s.exited)), KILL_WAIT_MS);
      }
    }
    log.info(`Supervisor stopped${forced ? ' (some children had to be killed)' : ''}`);
    process.exit(forced && exitCode === 0 ? 1 : exitCode);
  }

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (!stopping) return void shutdown(sig, 0);
      // a second signal while draining (Ctrl-C twice): the operator does not want to wait
      log.warn(`${sig} again: killing every child now`);
      for (const s of slots) s.child?.kill('SIGKILL');
      setTimeout(() => process.exit(1), KILL_WAIT_MS).unref();
    });
  }
  for (const slot of slots) start(slot);
}

function newSlot(kind: Kind): Slot {
  return { kind, child: null, exited: Promise.resolve(), startedAt: 0, ready: false, deaths: 0, startFailures: 0, timer: null };
}

const label = (kind: Kind) => (kind === 'web' ? 'web process' : 'processing process');
/** every noun counted here ends in "process" */
const count = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}es`}`;

function within(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, Math.max(0, ms));
    void p.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
