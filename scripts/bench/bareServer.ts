import { createServer } from 'node:http';

/**
 * The ceiling for ingest benchmarks: a bare node:http server that reads the body, parses the
 * JSON and checks each event's required fields, then answers 202. No validation library, no
 * pipeline. Pulse's throughput is reported as a ratio of this.
 */
const port = Number(process.env.PORT ?? 3999);
createServer((req, res) => {
  if (req.url === '/api/health') return void res.end('{"status":"ok"}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let accepted = 0;
    const rejected: { index: number; error: string }[] = [];
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const events: unknown[] = Array.isArray(body?.events) ? body.events : [body];
      events.forEach((e, index) => {
        const ev = e as Record<string, unknown>;
        if (typeof ev?.timestamp === 'string' && typeof ev.user_id === 'string' && typeof ev.event_type === 'string') accepted++;
        else rejected.push({ index, error: 'missing field' });
      });
    } catch {
      res.writeHead(400).end();
      return;
    }
    const payload = JSON.stringify({ accepted, duplicates: 0, rejected });
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  });
}).listen(port, '127.0.0.1');
