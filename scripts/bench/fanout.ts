import { fork, spawn } from 'node:child_process';
import type { ScreensResult } from './fanoutScreens';
import { arg, BENCH_READ_HEADERS, commandLine, fmt, median, sleep, startSystem, uiEnv } from './common';

/**
 * npm run bench:fanout [-- --clients 1000 --rate 2000 --seconds 15 --runs 3 --batch 20 --mode embedded]
 *   --url http://… benches a server already running (e.g. one started with --cpu-prof) instead;
 *   it must accept the bench keys (INGEST_API_KEYS=BENCH_KEY, ADMIN_API_KEYS=BENCH_ADMIN_KEY of common.ts)
 * Freshness to many screens: Pulse started as `npm start` runs it, C socket.io clients in one
 * process (fanoutScreens.ts), a paced sender in another (fanoutSender.ts). For every batch and
 * every screen: time from the 202 to the first `metrics` message on that screen whose
 * processedTotal includes the batch; p50/p99 over all (batch, screen) pairs. Plus what each
 * screen receives per second. The three processes share this machine's cores.
 */
const mode = arg('mode', 'embedded');
const clients = Number(arg('clients', '1000'));
const rate = Number(arg('rate', '2000'));
const seconds = Number(arg('seconds', '15'));
const runs = Number(arg('runs', '3'));
const batch = Number(arg('batch', '20'));
const port = Number(arg('port', '3904'));
const givenUrl = arg('url', '');
/** time after the last batch for its snapshot to reach every screen */
const SETTLE_MS = 3_000;

interface SenderResult {
  batches: { acceptedAt: number; target: number }[];
  failures: number;
  eventsPerSecond: number;
  ingestP50: number;
  ingestP99: number;
}

interface RunResult extends ScreensResult {
  eventsPerSecond: number;
  ingestP99: number;
  failures: number;
}

function runSender(url: string, base: number): Promise<SenderResult> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/fanoutSender.ts', url, String(rate), String(seconds), String(batch), String(base)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as SenderResult) : reject(new Error(`sender exited with ${code}`)))),
  );
}

async function run(): Promise<RunResult> {
  const server = givenUrl ? { url: givenUrl, stop: async () => {} } : await startSystem(mode, port);
  const screens = fork('scripts/bench/fanoutScreens.ts', [server.url, String(clients)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        screens.off('message', onMessage);
        resolve(m as T);
      };
      screens.on('message', onMessage);
      screens.once('exit', (code) => reject(new Error(`screens process exited with ${code} before ${type}`)));
    });
  try {
    await next('ready');
    await sleep(1_000);
    const res = await fetch(`${server.url}/api/metrics/live`, { headers: BENCH_READ_HEADERS });
    if (res.status !== 200) throw new Error(`GET /api/metrics/live answered ${res.status}: ${await res.text()}`);
    const live = (await res.json()) as { pipeline: { processedTotal: number } };
    screens.send({ type: 'start' });
    const sender = await runSender(server.url, live.pipeline.processedTotal);
    screens.send({ type: 'sent' });
    await sleep(SETTLE_MS);
    const result = next<ScreensResult>('result');
    screens.send({ type: 'finish', batches: sender.batches });
    return { ...(await result), eventsPerSecond: sender.eventsPerSecond, ingestP99: sender.ingestP99, failures: sender.failures };
  } finally {
    if (screens.exitCode === null) screens.kill('SIGTERM');
    await server.stop();
  }
}

console.log(`# ${commandLine()}`);
console.log(`# mode ${mode}; ${fmt(clients)} screens in one process; ${fmt(rate)} events/s in batches of ${batch} from another, ${seconds} s, ${runs} runs; medians of the per-run figures; server UI: ${uiEnv().PULSE_UI}`);
const results: RunResult[] = [];
for (let i = 0; i < runs; i++) {
  const r = await run();
  results.push(r);
  console.log(
    `  run ${i + 1}: freshness p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, max ${fmt(r.max, 1)} ms over ${fmt(r.samples)} (batch, screen) pairs` +
      `${r.missed ? `, ${fmt(r.missed)} never seen` : ''}; per screen ${fmt(r.messagesPerSecondPerClient, 1)} messages/s, ${fmt(r.bytesPerSecondPerClient / 1024, 1)} KB/s (${fmt(r.bytesPerMessage)} B/message);` +
      ` ${fmt(r.eventsPerSecond)} events/s accepted${r.failures ? `, ${r.failures} failed requests` : ''}, ingest p99 ${fmt(r.ingestP99, 1)} ms; screens process CPU ${fmt(r.cpuShare * 100)} %`,
  );
}
const med = (f: (r: RunResult) => number) => median(results.map(f));
console.log(`freshness (${mode}) to ${fmt(clients)} screens at ${fmt(rate)} events/s: p50 ${fmt(med((r) => r.p50), 1)} ms, p99 ${fmt(med((r) => r.p99), 1)} ms (ingest accepted → snapshot received by each screen)`);
console.log(`per screen: ${fmt(med((r) => r.bytesPerSecondPerClient) / 1024, 1)} KB/s, ${fmt(med((r) => r.messagesPerSecondPerClient), 1)} messages/s, ${fmt(med((r) => r.bytesPerMessage))} B/message`);
process.exit(0);
