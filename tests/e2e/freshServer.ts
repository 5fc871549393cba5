import { existsSync } from 'node:fs';
import path from 'node:path';
import { E2E_ADMIN_KEY, E2E_INGEST_KEY } from '../../playwright.config';
import { startServer } from '../helpers/processes';
import type { ExtraServer } from './support';

/**
 * A Pulse of its own (production build, pages on) for the overview tests that need a fresh store
 * or other shop settings. Like support.ts's startExtraServer, but it looks for the build where
 * PULSE_NEXT_DIST_DIR puts it, so it works beside parallel builds into other folders.
 */
export async function startFreshServer(env: Record<string, string> = {}): Promise<ExtraServer> {
  const distDir = process.env.PULSE_NEXT_DIST_DIR || '.next';
  if (!existsSync(path.join(process.cwd(), distDir, 'BUILD_ID'))) {
    throw new Error(`no production build in ${distDir}: run \`npx next build\` first (npm test does)`);
  }
  const server = await startServer({
    env: { PULSE_UI: 'on', INGEST_API_KEYS: E2E_INGEST_KEY, ADMIN_API_KEYS: E2E_ADMIN_KEY, ...env },
    startTimeoutMs: 60_000,
    logLevel: 'info',
  });
  return { url: server.url, child: server.proc, output: server.output };
}
