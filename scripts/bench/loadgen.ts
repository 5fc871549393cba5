import autocannon from 'autocannon';

/**
 * Load generator, run as its own process so it does not share an event loop with the server.
 * Prints one JSON line: requests answered 2xx, non-2xx, duration, latency percentiles.
 */
const [url, key, batchText, secondsText, connectionsText] = process.argv.slice(2);
const batch = Number(batchText);
const ts = new Date().toISOString();
const event = (i: number) => ({
  timestamp: ts,
  user_id: `bench_user_${i % 5000}`,
  session_id: `bench_session_${i % 2000}`,
  event_type: i % 10 === 0 ? 'purchase' : i % 4 === 0 ? 'add_to_cart' : 'page_view',
  properties: { amount: 42.5, currency: 'EUR', product_id: `prod_${i % 40}`, page: `/products/${i % 40}` },
});
const body = JSON.stringify(batch === 1 ? event(1) : { events: Array.from({ length: batch }, (_, i) => event(i)) });

// the bench measures ingest → counters from here, not from this process's start-up
const startedAt = Date.now();
const result = await autocannon({
  url: `${url}/api/events`,
  method: 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body,
  duration: Number(secondsText),
  connections: Number(connectionsText),
  pipelining: 1,
});
process.stdout.write(
  JSON.stringify({
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    startedAt,
    bodyBytes: Buffer.byteLength(body),
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  }) + '\n',
);
