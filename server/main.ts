import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config';
import { log, setLogLevel } from './log';
import { EXIT_CONFIG } from './process/messages';
import { planProcesses } from './process/plan';

/**
 * Entry of every Pulse process (`npm start` runs it from the bundle, `npm run dev` through tsx).
 * The configuration is validated here first, in the process the operator started, so a bad
 * variable stops the command with its message before anything is forked. Then either this
 * process is the one Pulse process, or it supervises web and processing children (single-node
 * mode, PULSE_ROLE all; see server/process/plan.ts). The rest is loaded on demand so the
 * supervisor stays small: it only holds the listening socket and its children.
 */
async function main(): Promise<void> {
  if (process.env.PULSE_PAGES_CHILD === '1') {
    // the page renderer a web process started for itself (server/process/pageProcess.ts)
    const { runPagesChild } = await import('./process/pageProcess');
    return runPagesChild();
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee README.md, "Configuration".\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  setLogLevel(config.LOG_LEVEL);

  const cores = availableParallelism();
  const plan = planProcesses(config, cores);
  if (plan.kind === 'supervise') {
    const { superviseProcesses } = await import('./supervisor');
    // children run this same file with the same node flags: the bundle, or server/main.ts under tsx
    return superviseProcesses(config, plan, { entry: fileURLToPath(import.meta.url), execArgv: process.execArgv, cores });
  }
  const { runProcess } = await import('./process/runProcess');
  await runProcess(config, { entry: fileURLToPath(import.meta.url) });
}

main().catch((err) => {
  log.error('Pulse failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
