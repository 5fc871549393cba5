import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer, bundleState } from './build-server.mjs';

/**
 * npm run demo — builds the pages and the server bundle when needed (a fresh clone has neither),
 * starts Pulse in embedded mode the way `npm start` does and the traffic
 * simulator against it, and prints where to look. Ctrl-C stops both.
 * Options via env: PORT (3000), DEMO_RATE events/s (40), INGEST_API_KEYS and ADMIN_API_KEYS (else
 * fresh random keys; the admin key lets the simulator set stock levels and you act on dead letters).
 */
const port = Number(process.env.PORT ?? 3000);
const rate = process.env.DEMO_RATE ?? '40';
const key = process.env.INGEST_API_KEYS?.split(',')[0]?.trim() || `demo_${randomBytes(12).toString('hex')}`;
const adminKey = process.env.ADMIN_API_KEYS?.split(',')[0]?.trim() || `demo_admin_${randomBytes(12).toString('hex')}`;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function needsBuild(): boolean {
  if (!existsSync('.next/BUILD_ID')) return true;
  const built = statSync('.next/BUILD_ID').mtimeMs;
  return ['app', 'components', 'lib', 'public'].some((d) => existsSync(d) && newestSource(d) > built);
}

if (needsBuild()) {
  console.log('Building the dashboard pages (next build; the first build takes 20–60 s)…');
  const r = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error('The build failed; see the output above.');
    process.exit(r.status ?? 1);
  }
}

const bundle = bundleState();
if (!bundle.ok) {
  console.log(`Bundling the server (${bundle.reason})…`);
  try {
    await buildServer();
  } catch {
    console.error('The server bundle failed; see the output above.');
    process.exit(1);
  }
}

const children: ChildProcess[] = [];
// the production start, as `npm start` runs it: plain node on the bundle, no TypeScript compiler
const server = spawn(process.execPath, ['--enable-source-maps', 'scripts/start.mjs'], {
  stdio: 'inherit',
  env: { ...env, NODE_ENV: 'production', PORT: String(port), INGEST_API_KEYS: key, ADMIN_API_KEYS: adminKey },
});
children.push(server);

const url = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 60_000;
for (;;) {
  if (server.exitCode !== null) process.exit(server.exitCode);
  try {
    if ((await fetch(`${url}/api/health`)).ok) break;
  } catch {
    /* starting */
  }
  if (Date.now() > deadline) {
    console.error(`Pulse did not answer on ${url} within 60 s`);
    server.kill();
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

console.log(`
  Pulse is running (embedded mode, demo traffic at ${rate} events/s)
    Live overview   ${url}/
    Wall display    ${url}/wall
    Ingest key      ${key}
    Admin key       ${adminKey}   (dead-letter actions on /pipeline)
    Send an event   curl -X POST ${url}/api/events -H 'Authorization: Bearer ${key}' \\
                      -H 'Content-Type: application/json' \\
                      -d '{"timestamp":"'$(date -u +%FT%TZ)'","user_id":"me","event_type":"page_view"}'
  Ctrl-C stops Pulse and the simulator.
`);

const simulator = spawn(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--url', url, '--key', key, '--rate', rate, '--seed-inventory', '--admin-key', adminKey], {
  stdio: 'inherit',
  env,
});
children.push(simulator);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// a demo without traffic would look like a broken dashboard: stop and say why instead
simulator.on('exit', (code) => {
  if (!stopping && code !== 0) {
    console.error(`The traffic simulator stopped (exit ${code}); see its message above.`);
    stop();
  }
});
server.on('exit', (code) => {
  if (!stopping) {
    console.error(`Pulse stopped (exit ${code}).`);
    stop();
  }
});
