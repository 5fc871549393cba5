import { createPulse } from '../app';
import type { Config } from '../config';
import { applyPageCsp } from '../http/securityHeaders';
import { log } from '../log';
import { describeConfig } from './describeConfig';
import type { ReadyMessage } from './messages';
import { startPageProcess, type PageProcess } from './pageProcess';

/** time a draining process gets before it exits anyway (the supervisor waits longer than this) */
const DRAIN_LIMIT_MS = 10_000;

/**
 * One Pulse process of one role: Next (when it serves pages) → Pulse on one port. Ingest lives in
 * this custom server rather than in a route handler because Next adds ~1.3 ms per request, which
 * would cap single-event ingest at a few hundred requests per second.
 *
 * Under the supervisor this is a child: a web child's listen() goes through node:cluster, so all
 * web children share PORT; a processing child was given PORT=0 on 127.0.0.1 (health and metrics
 * only). It tells the supervisor when it is listening, and stops if the supervisor disappears.
 */
export async function runProcess(config: Config, opts: { entry: string }): Promise<void> {
  const supervised = typeof process.send === 'function';
  let nextHandler: Parameters<typeof createPulse>[1] = {};
  let pages: PageProcess | null = null;
  if (config.PULSE_UI && config.PULSE_ROLE !== 'worker' && config.NODE_ENV === 'production') {
    // production pages render in a child, so this process never pays for Next's async hooks
    pages = await startPageProcess(config, opts.entry);
    nextHandler = { next: pages.handler };
  } else if (config.PULSE_UI && config.PULSE_ROLE !== 'worker') {
    // loaded only here: processing processes and the supervisor never need Next in memory
    const next = (await import('next')).default;
    const dev = config.NODE_ENV !== 'production';
    const app = next({ dev, dir: process.cwd(), hostname: config.HOST, port: config.PORT });
    await app.prepare();
    const handle = app.getRequestHandler();
    // Next in this process reads the nonce from the request's policy (as the page process does)
    nextHandler = { next: (req, res) => (applyPageCsp(req, res, { dev }), handle(req, res)), nextUpgrade: dev ? app.getUpgradeHandler() : undefined };
  }

  const pulse = await createPulse(config, nextHandler);
  const url = await pulse.listen(config.PORT, config.HOST);

  const ui = config.PULSE_ROLE === 'worker' ? ', health and metrics only' : config.PULSE_UI ? '' : ', API only';
  // under a supervisor the supervisor's own lines say which child is ready and where
  (supervised ? log.debug : log.info)(`Pulse listening on ${url} (mode: ${config.mode}, role: ${config.PULSE_ROLE}${ui}, pid ${process.pid})`);
  // a supervised child's settings were already reported once by its supervisor
  if (!supervised) describeConfig(config);

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${why}: draining and shutting down`);
    const force = setTimeout(() => process.exit(1), DRAIN_LIMIT_MS);
    force.unref();
    await pulse.close();
    await pages?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (supervised) {
    // the supervisor died without stopping us (SIGKILL, OOM): a child must not outlive it
    process.once('disconnect', () => void stop('supervisor gone'));
    const ready: ReadyMessage = { type: 'pulse:ready', role: config.PULSE_ROLE, url };
    process.send?.(ready);
  }
}
