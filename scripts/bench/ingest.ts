import { spawn } from 'node:child_process';
import type { LiveSnapshot } from '@/lib/live';
import { arg, BENCH_KEY, BENCH_READ_HEADERS, commandLine, fmt, median, sleep, startProcess, startSystem, uiEnv } from './common';

/**
 * npm run bench:ingest [-- --mode embedded|redis --runs 3 --seconds 8]
 * Events/s accepted (202) and processed, batched (100 events per request) and one event per
 * request, against the real Pulse server; in the same command a bare node:http server that only
 * parses the same payloads sets the ceiling, and Pulse is reported as a ratio of it.
 */
const mode = arg('mode', 'embedded');
const runs = Number(arg('runs', '3'));
const seconds = Number(arg('seconds', '8'));
const scenarios = [
  { name: 'batched (100 events/request)', batch: 100, connections: 16 },
  { name: 'single event per request', batch: 1, connections: 64 },
];

interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  latencyP50: number;
  latencyP99: number;
  /** when the load generator began sending (epoch ms) */
  startedAt: number;
}

function load(url: string, batch: number, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/loadgen.ts', url, BENCH_KEY, String(batch), String(seconds), String(connections)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function pulseRun(batch: number, connections: number) {
  const server = await startSystem(mode, 3901, { PIPELINE_MAX_BACKLOG: '500000' });
  try {
    const r = await load(server.url, batch, connections);
    const start = r.startedAt;
    // processed: wait until the pipeline has caught up with everything accepted
    let snap: LiveSnapshot;
    for (;;) {
      const res = await fetch(`${server.url}/api/metrics/live`, { headers: BENCH_READ_HEADERS });
      if (res.status !== 200) throw new Error(`GET /api/metrics/live answered ${res.status}: ${await res.text()}`);
      snap = (await res.json()) as LiveSnapshot;
      if (snap.pipeline.processedTotal >= snap.pipeline.acceptedTotal) break;
      await sleep(20);
    }
    const drainedAt = Date.now();
    return {
      acceptedPerSec: snap.pipeline.acceptedTotal / r.seconds,
      // from the first request sent (not the load generator's start-up) to the backlog drained
      processedPerSec: snap.pipeline.processedTotal / ((drainedAt - start) / 1000),
      requestsPerSec: r.ok / r.seconds,
      refused: r.non2xx,
      errors: r.errors,
      p99: r.latencyP99,
    };
  } finally {
    await server.stop();
  }
}

async function baselineRun(batch: number, connections: number) {
  const server = await startProcess('scripts/bench/bareServer.ts', 3902);
  try {
    const r = await load(server.url, batch, connections);
    return { eventsPerSec: (r.ok * batch) / r.seconds, requestsPerSec: r.ok / r.seconds };
  } finally {
    await server.stop();
  }
}

console.log(`# ${commandLine()}`);
console.log(`# mode ${mode}${mode === 'redis' ? ' (REDIS_URL=… npm start: the supervisor\'s default web and processing processes + local Redis)' : ' (npm start, one process)'}; ${runs} runs × ${seconds} s per scenario; medians; load generator: autocannon in its own process; server UI: ${uiEnv().PULSE_UI}`);
for (const sc of scenarios) {
  const pulse = [];
  const base = [];
  for (let i = 0; i < runs; i++) {
    base.push(await baselineRun(sc.batch, sc.connections));
    pulse.push(await pulseRun(sc.batch, sc.connections));
    const last = pulse[pulse.length - 1];
    console.log(`  run ${i + 1}: pulse accepted ${fmt(last.acceptedPerSec)} ev/s, processed ${fmt(last.processedPerSec)} ev/s, ${fmt(last.requestsPerSec)} req/s, p99 ${last.p99} ms, non-2xx ${last.refused}, errors ${last.errors}; bare ${fmt(base[base.length - 1].eventsPerSec)} ev/s`);
  }
  const accepted = median(pulse.map((r) => r.acceptedPerSec));
  const processed = median(pulse.map((r) => r.processedPerSec));
  const reqs = median(pulse.map((r) => r.requestsPerSec));
  const ceiling = median(base.map((r) => r.eventsPerSec));
  console.log(`${sc.name}:`);
  console.log(`  accepted   ${fmt(accepted).padStart(10)} events/s   (${fmt(reqs)} requests/s, p99 ${median(pulse.map((r) => r.p99))} ms)`);
  console.log(`  processed  ${fmt(processed).padStart(10)} events/s   (ingest start → pipeline drained)`);
  console.log(`  bare node  ${fmt(ceiling).padStart(10)} events/s   → Pulse accepts ${fmt(accepted / ceiling, 2)}× the bare-parse ceiling`);
}
