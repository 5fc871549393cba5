import { io } from 'socket.io-client';
import type { LiveSnapshot } from '@/lib/live';
import { arg, BENCH_KEY, BENCH_SOCKET_AUTH, commandLine, fmt, median, percentile, sleep, startSystem, uiEnv } from './common';

/**
 * npm run bench:freshness [-- --mode embedded|redis --rate 2000 --seconds 15 --runs 3 --batch 20]
 * Freshness: time from ingest accepting an event (202 received) to the first socket.io snapshot
 * that includes it, at a steady event rate. A snapshot includes every event accepted before it
 * when its processedTotal reaches the cumulative accepted count (the pipeline is FIFO).
 */
const mode = arg('mode', 'embedded');
const rate = Number(arg('rate', '2000'));
const seconds = Number(arg('seconds', '15'));
const runs = Number(arg('runs', '3'));
const batch = Number(arg('batch', '20'));

async function run(): Promise<{ ingestP50: number; ingestP99: number; p50: number; p99: number; max: number; samples: number; snapshotsPerSec: number }> {
  const server = await startSystem(mode, 3903);
  // the live socket needs a credential: the secret key in the handshake, as scripts send it
  const socket = io(server.url, { transports: ['websocket'], auth: BENCH_SOCKET_AUTH });
  const refused = new Promise<never>((_, reject) =>
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => reject(new Error(`the live socket was refused: ${err.data?.code ?? err.message}`))),
  );
  const pending: { target: number; acceptedAt: number }[] = [];
  const latencies: number[] = [];
  const ingestLatencies: number[] = [];
  let snapshots = 0;
  let acceptedTotal = 0;
  socket.on('metrics', (snap: LiveSnapshot) => {
    snapshots++;
    const at = performance.now();
    while (pending.length && pending[0].target <= snap.pipeline.processedTotal) {
      latencies.push(at - pending.shift()!.acceptedAt);
    }
  });
  await Promise.race([new Promise<void>((r) => socket.once('metrics', () => r())), refused]);
  snapshots = 0;

  const intervalMs = (1000 * batch) / rate;
  const start = performance.now();
  let sent = 0;
  const inflight: Promise<void>[] = [];
  let seq = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor((performance.now() - start) / intervalMs);
    while (sent < due) {
      sent++;
      const events = Array.from({ length: batch }, () => ({
        event_id: `fresh-${process.pid}-${seq++}`,
        timestamp: new Date().toISOString(),
        user_id: `user_${seq % 3000}`,
        session_id: `session_${seq % 1500}`,
        event_type: seq % 10 === 0 ? 'purchase' : 'page_view',
        properties: { amount: 19.99, page: `/p/${seq % 50}` },
      }));
      const sentAt = performance.now();
      inflight.push(
        fetch(`${server.url}/api/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        }).then(async (res) => {
          const body = (await res.json()) as { accepted: number };
          if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
          ingestLatencies.push(performance.now() - sentAt);
          // the server processes in arrival order; cumulative acceptance is the inclusion mark
          acceptedTotal += body.accepted;
          pending.push({ target: acceptedTotal, acceptedAt: performance.now() });
        }),
      );
      if (inflight.length > 200) await Promise.all(inflight.splice(0));
    }
    await sleep(Math.max(1, intervalMs / 2));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  const deadline = Date.now() + 5000;
  while (pending.length && Date.now() < deadline) await sleep(20);
  socket.close();
  await server.stop();
  if (pending.length) throw new Error(`${pending.length} batches never showed up in a snapshot`);
  return {
    ingestP50: percentile(ingestLatencies, 50),
    ingestP99: percentile(ingestLatencies, 99),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    samples: latencies.length,
    snapshotsPerSec: snapshots / elapsed,
  };
}

console.log(`# ${commandLine()}`);
console.log(`# mode ${mode}; ${fmt(rate)} events/s in batches of ${batch} for ${seconds} s, ${runs} runs; medians of the per-run percentiles; server UI: ${uiEnv().PULSE_UI}`);
const results = [];
for (let i = 0; i < runs; i++) {
  const r = await run();
  results.push(r);
  console.log(`  run ${i + 1}: freshness p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, max ${fmt(r.max, 1)} ms over ${r.samples} batches; ${fmt(r.snapshotsPerSec, 1)} snapshots/s; ingest request p50 ${fmt(r.ingestP50, 1)} ms, p99 ${fmt(r.ingestP99, 1)} ms`);
}
console.log(`freshness (${mode}) at ${fmt(rate)} events/s: p50 ${fmt(median(results.map((r) => r.p50)), 1)} ms, p99 ${fmt(median(results.map((r) => r.p99)), 1)} ms (ingest accepted → snapshot received)`);
console.log(`ingest latency (${mode}) at ${fmt(rate)} events/s: p50 ${fmt(median(results.map((r) => r.ingestP50)), 1)} ms, p99 ${fmt(median(results.map((r) => r.ingestP99)), 1)} ms (request sent → 202 received)`);
process.exit(0);
