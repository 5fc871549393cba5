import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config';
import { API_CSP, applyPageCsp } from '../http/securityHeaders';
import { log } from '../log';

/**
 * The pages in a process of their own (production only). Next, once prepared, turns on Node's
 * async-context hooks for the whole process: measured here, every `await` became 2.6× slower and
 * single-event ingest lost about 15 % (10,000 → 8,500 requests/s) with the pages loaded beside it.
 * So the process that ingests and processes never loads Next: it forwards page requests to this
 * child on a loopback port. The child holds no state (screens get their data from the parent's
 * API and socket), runs on the other core, and exits with its parent.
 */
export const PAGES_CHILD_ENV = 'PULSE_PAGES_CHILD';
const READY = 'pulse:pages-ready';
const START_TIMEOUT_MS = 60_000;

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** in the child: Next on 127.0.0.1, port chosen by the system, reported to the parent */
export async function runPagesChild(): Promise<void> {
  // a page renderer must never outlive the process it serves; listen before preparing Next, which
  // takes a while and installs handlers that keep a process alive after an uncaught exception
  process.once('disconnect', () => process.exit(0));
  const next = (await import('next')).default;
  const app = next({ dev: false, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void handle(req, res));
  // the parent may have gone while Next was preparing: then there is nobody to serve
  if (!process.connected) process.exit(0);
  server.listen(0, '127.0.0.1', () => {
    if (!process.connected) return process.exit(0);
    process.send?.({ type: READY, port: (server.address() as AddressInfo).port }, (err: Error | null) => {
      if (err) process.exit(0);
    });
  });
  // Ctrl-C reaches the whole process group: the parent decides when the pages stop (it sends
  // SIGTERM once it has drained), so a terminal's SIGINT is not the child's business
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    // the parent's keep-alive sockets would hold close() open
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

export interface PageProcess {
  handler: PageHandler;
  close(): Promise<void>;
}

/** in the parent: starts the child and returns a handler that forwards page requests to it */
export async function startPageProcess(config: Config, entry: string): Promise<PageProcess> {
  const child = fork(entry, [], {
    env: { ...process.env, [PAGES_CHILD_ENV]: '1', PORT: '0' },
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the page process did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m?.type === READY && typeof m.port === 'number') {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the page process exited during start-up (${code ?? signal})`));
    });
  });
  child.on('exit', (code, signal) => {
    if (!closing) log.error('the page process stopped; pages answer 502 until Pulse restarts', { code, signal });
  });
  let closing = false;
  log.info(`pages rendered by process ${child.pid} (loopback port ${port})`, { host: config.HOST });
  return {
    handler: forwardTo(port, child),
    close: () => stopChild(child, () => (closing = true)),
  };
}

function forwardTo(port: number, child: ChildProcess): PageHandler {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (req, res) =>
    new Promise<void>((resolve) => {
      const upstream = request(
        {
          host: '127.0.0.1',
          port,
          method: req.method,
          path: req.url,
          // the page policy with this response's nonce goes to Next with the request; the client's
          // address does not: pages never need it, and Pulse stores no client IP addresses
          headers: withoutClientAddress(applyPageCsp(req, res, { dev: false })),
          agent,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.once('end', resolve);
          up.once('error', () => resolve());
        },
      );
      upstream.once('error', (err) => {
        if (!res.headersSent) {
          const body = JSON.stringify({ error: { code: 'pages_unavailable', message: `the page process is not answering (${child.exitCode === null ? err.message : 'it stopped'})` } });
          res.writeHead(502, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Content-Security-Policy': API_CSP });
          res.end(body);
        } else res.destroy();
        resolve();
      });
      // a client that goes away stops the upstream request too
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
}

/** the request headers without what names the client's address (a proxy in front may have set them) */
function withoutClientAddress(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const { 'x-forwarded-for': _for, 'x-real-ip': _realIp, forwarded: _forwarded, ...rest } = headers;
  return rest;
}

function stopChild(child: ChildProcess, markClosing: () => void): Promise<void> {
  markClosing();
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
