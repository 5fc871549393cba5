import type { Config } from '../config';

/**
 * What one `npm start` runs, decided from the configuration alone (so it can be unit-tested and
 * the supervisor never forks on a configuration it would have refused).
 *
 * - Embedded mode: one process. Its stream and live state live in that process's memory, so
 *   a second process could not share them.
 * - An explicit PULSE_ROLE=web or worker: exactly one process of that role (a deployment that
 *   places its own processes, or a child of the supervisor).
 * - Single-node mode with PULSE_ROLE all: a supervisor with web processes sharing the port and
 *   processing processes on the other cores, unless the counts ask for one process doing both.
 */
export type ProcessPlan =
  | { kind: 'single' }
  | {
      kind: 'supervise';
      web: number;
      workers: number;
      /** with no dedicated processing processes the web processes run the pipeline too */
      webRole: 'web' | 'all';
    };

type PlanInput = Pick<Config, 'mode' | 'PULSE_ROLE' | 'PULSE_WEB_PROCESSES' | 'PULSE_WORKER_PROCESSES'>;

/** one core is left to the web process(es) and Redis when the count is not given */
export function defaultWorkerProcesses(cores: number): number {
  return Math.max(1, cores - 1);
}

export function planProcesses(config: PlanInput, cores: number): ProcessPlan {
  if (config.mode === 'embedded' || config.PULSE_ROLE !== 'all') return { kind: 'single' };
  const workers = config.PULSE_WORKER_PROCESSES ?? defaultWorkerProcesses(cores);
  const web = config.PULSE_WEB_PROCESSES;
  if (workers === 0 && web === 1) return { kind: 'single' };
  return { kind: 'supervise', web, workers, webRole: workers === 0 ? 'all' : 'web' };
}
