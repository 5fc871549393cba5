/**
 * `npm run simulate -- --help`: realistic shop traffic against Pulse's ingest API.
 * The logic lives in scripts/simulator/; this file parses options and handles signals.
 */
import { DEFAULTS, parseCli, USAGE } from './simulator/options';
import { startSimulator } from './simulator/simulator';
import { formatSummary } from './simulator/status';

const parsed = parseCli(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.kind === 'error') {
  console.error(`[pulse-sim] ${parsed.message}\nRun with --help for the options.`);
  process.exit(2);
}

const options = parsed.options;
const sim = startSimulator(options);

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) {
    console.error(`[pulse-sim] ${signal} again: exiting without waiting for ${sim.stats().unsent} queued events`);
    process.exit(130);
  }
  // said even with --quiet: the wait that follows needs an explanation
  console.log(`[pulse-sim] ${signal}: stopping; delivering ${sim.stats().unsent} queued events… (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once)`);
  void sim.stop();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const summary = await sim.done;
console.log(formatSummary(summary));
if (summary.fatal) {
  console.error(`[pulse-sim] error: ${summary.fatal}`);
  if (options.key === DEFAULTS.key) {
    console.error(`[pulse-sim] no key was given (--key, PULSE_INGEST_KEY or INGEST_API_KEYS), so the default "${DEFAULTS.key}" was tried.`);
  }
  process.exit(1);
}
process.exit(0);
