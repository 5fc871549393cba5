import { BENCH_KEY, percentile, sleep } from './common';

/**
 * The paced event source of `npm run bench:fanout`, in its own process: `rate` events/s in
 * batches for `seconds`, recording when each 202 arrived and the cumulative accepted count it
 * brings the pipeline to. (loadgen.ts drives ingest at saturation and keeps no per-request
 * times, which freshness needs.) Prints one JSON line: the batches and ingest latency.
 */
const [url, rateText, secondsText, batchText, baseText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const batch = Number(batchText);
const base = Number(baseText);

const wallNow = () => performance.timeOrigin + performance.now();
const batches: { acceptedAt: number; target: number }[] = [];
const ingestLatencies: number[] = [];
let acceptedTotal = base;
let failures = 0;
let seq = 0;

async function post(): Promise<void> {
  const events = Array.from({ length: batch }, () => {
    seq++;
    return {
      event_id: `fanout-${process.pid}-${seq}`,
      timestamp: new Date().toISOString(),
      user_id: `user_${seq % 3000}`,
      session_id: `session_${seq % 1500}`,
      event_type: seq % 10 === 0 ? 'purchase' : seq % 4 === 0 ? 'add_to_cart' : 'page_view',
      properties: { amount: 19.99, product_id: `prod_${seq % 40}`, page: `/p/${seq % 50}` },
    };
  });
  const sentAt = performance.now();
  const res = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  const body = (await res.json()) as { accepted?: number };
  if (res.status !== 202 || typeof body.accepted !== 'number') {
    failures++;
    return;
  }
  ingestLatencies.push(performance.now() - sentAt);
  // the pipeline processes in arrival order; cumulative acceptance is the inclusion mark
  acceptedTotal += body.accepted;
  batches.push({ acceptedAt: wallNow(), target: acceptedTotal });
}

const intervalMs = (1000 * batch) / rate;
const start = performance.now();
let sent = 0;
const inflight = new Set<Promise<void>>();
while (performance.now() - start < seconds * 1000) {
  const due = Math.floor((performance.now() - start) / intervalMs);
  while (sent < due) {
    sent++;
    const p = post().catch(() => void failures++);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await sleep(Math.max(1, intervalMs / 2));
}
await Promise.all(inflight);
const elapsedSeconds = (performance.now() - start) / 1000;
process.stdout.write(
  JSON.stringify({
    batches,
    failures,
    eventsPerSecond: (acceptedTotal - base) / elapsedSeconds,
    ingestP50: percentile(ingestLatencies, 50),
    ingestP99: percentile(ingestLatencies, 99),
  }) + '\n',
);
