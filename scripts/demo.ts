import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer, bundleState } from './build-server.mjs';
import { runAdmin } from './pulse-admin';
import { demoSettings, DEMO_USAGE } from './simulator/demoSettings';
import { startSimulator, type RunningSimulator } from './simulator/simulator';
import { formatSummary } from './simulator/status';

/**
 * npm run demo — builds the pages and the server bundle when needed (a fresh clone has neither),
 * starts Pulse the way `npm start` does, runs the traffic simulator in this process against it,
 * and prints where to look. Settings come from the environment (`npm run demo -- --help`).
 *
 * Stopping: a terminal's Ctrl-C reaches the whole foreground process group. Pulse runs in a
 * process group of its own so that it does not stop at the same moment as the traffic: the
 * simulator first delivers what it has queued, and only then is Pulse told to stop (SIGTERM,
 * as a service manager would). A second Ctrl-C kills Pulse and quits at once.
 */
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(DEMO_USAGE);
  process.exit(0);
}
if (args.length > 0) {
  console.error(`[demo] unknown argument ${args[0]}: the demo takes its settings from the environment.\n\n${DEMO_USAGE}`);
  process.exit(2);
}
const parsed = demoSettings(process.env, () => randomBytes(12).toString('hex'));
if (!parsed.ok) {
  console.error(`[demo] ${parsed.error}\nRun npm run demo -- --help for the settings.`);
  process.exit(2);
}
const settings = parsed.settings;
// sign-in: the data folder outlives a demo run, so no password from an earlier run is relied on.
// Pulse creates the demo admin from these only while it has no users; the demo then asks the
// running Pulse for a one-time sign-in link for it (below). The password is never shown.
const DEMO_ADMIN = 'demo@pulse.local';
const ownAdmin = !!process.env.PULSE_ADMIN_EMAIL?.trim() && !!process.env.PULSE_ADMIN_PASSWORD;
const adminEmail = ownAdmin ? process.env.PULSE_ADMIN_EMAIL!.trim().toLowerCase() : DEMO_ADMIN;
const adminEnv: Record<string, string> = ownAdmin ? {} : { PULSE_ADMIN_EMAIL: DEMO_ADMIN, PULSE_ADMIN_PASSWORD: randomBytes(24).toString('base64url') };
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const pagesDir = process.env.PULSE_NEXT_DIST_DIR?.trim() || '.next';
const url = `http://127.0.0.1:${settings.port}`;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function pagesNeedBuild(): boolean {
  const buildId = join(pagesDir, 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return ['app', 'components', 'lib', 'public'].some((d) => existsSync(d) && newestSource(d) > built);
}

if (!settings.pagesOff && pagesNeedBuild()) {
  console.log('Building the dashboard pages (next build; the first build takes 20–60 s)…');
  const r = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env });
  if (r.signal) process.exit(130); // Ctrl-C during the build
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

// the production start, as `npm start` runs it: plain node on the bundle, no TypeScript compiler
const server: ChildProcess = spawn(process.execPath, ['--enable-source-maps', 'scripts/start.mjs'], {
  stdio: 'inherit',
  detached: true,
  env: { ...env, NODE_ENV: 'production', PORT: String(settings.port), ...settings.serverEnv, ...adminEnv },
});
const serverExited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
const serverRunning = () => server.exitCode === null && server.signalCode === null;
const killServer = () => {
  // the whole group: Pulse and the page process it started
  if (serverRunning() && server.pid) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
};
// however this process ends, Pulse must not outlive it (it is no longer in the terminal's group)
process.on('exit', killServer);

let sim: RunningSimulator | null = null;
let stopping = false;

const n = (v: number): string => v.toLocaleString('en-GB');
const said = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 'Ctrl-C' : signal);

/** `why` starts the first line: "Ctrl-C", "SIGTERM", or what went wrong */
async function stop(why: string): Promise<never> {
  stopping = true;
  let clean = true;
  if (sim) {
    console.log(`\n[demo] ${why}: stopping the traffic; delivering ${sim.stats().unsent} queued events… (Ctrl-C again to quit at once)`);
    const summary = await sim.stop();
    console.log(formatSummary(summary));
    if (summary.unsent > 0 || summary.fatal) clean = false;
    else console.log(await deliveredLine(summary.accepted));
  } else {
    console.log(`\n[demo] ${why}: stopping`);
  }
  if (serverRunning()) {
    console.log('[demo] stopping Pulse…');
    server.kill('SIGTERM');
    const force = setTimeout(() => {
      console.error('[demo] Pulse did not stop within 20 s; killing it');
      killServer();
    }, 20_000);
    const code = await serverExited;
    clearTimeout(force);
    if (code !== 0) clean = false;
  }
  console.log(clean ? '[demo] stopped.' : '[demo] stopped, see the messages above.');
  process.exit(clean ? 0 : 1);
}

/** What Pulse itself counted, so a dropped event would show (nothing else sends in a demo, unless you did). */
async function deliveredLine(acceptedBySimulator: number): Promise<string> {
  const deadline = Date.now() + 3_000;
  let total: number | null = null;
  // the live snapshot is coalesced: give it a moment to include the last batch
  while (Date.now() < deadline) {
    try {
      // reading needs a credential: the demo's secret key (ADMIN_API_KEYS)
      const res = await fetch(`${url}/api/metrics/live`, { headers: { Authorization: `Bearer ${settings.adminKey}` }, signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { pipeline?: { acceptedTotal?: unknown } };
      if (typeof body.pipeline?.acceptedTotal === 'number') total = body.pipeline.acceptedTotal;
    } catch {
      /* asked again below */
    }
    if (total !== null && total >= acceptedBySimulator) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return total === null
    ? '[demo] could not read what Pulse accepted (GET /api/metrics/live did not answer)'
    : `[demo] delivered: Pulse accepted ${n(total)} events since it started; the simulator's requests were answered with ${n(acceptedBySimulator)} accepted`;
}

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals === 1) {
    void stop(said(signal));
    return;
  }
  console.error(`[demo] ${said(signal)} again: quitting now${sim ? `; ${sim.stats().unsent} queued events not delivered` : ''}`);
  killServer();
  process.exit(130);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

const deadline = Date.now() + 60_000;
for (;;) {
  if (stopping) await new Promise(() => {}); // stop() exits
  if (!serverRunning()) {
    console.error(`Pulse stopped before it answered on ${url} (exit ${server.exitCode ?? server.signalCode}); see its message above.`);
    process.exit(1);
  }
  try {
    if ((await fetch(`${url}/api/health`)).ok) break;
  } catch {
    /* starting */
  }
  if (Date.now() > deadline) {
    console.error(`Pulse did not answer on ${url} within 60 s`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

// the sign-in link on the same host as the page addresses printed below: a session cookie set
// on localhost is not sent to 127.0.0.1
const base = process.env.PULSE_PUBLIC_URL?.trim().replace(/\/$/, '') || url;

/** the lines that tell the newcomer how to sign in: a one-time link from the running Pulse */
async function signInLines(): Promise<string[]> {
  const elsewhere = [
    `    A new link       npm run user:link -- --email ${adminEmail}   (each link works once, for 24 hours)`,
    `    Your own user    npm run user:create -- --email you@example.com --password '…' --role admin`,
  ];
  const cliEnv = { ...process.env, PORT: String(settings.port) };
  try {
    // Pulse creates the first admin just after it starts listening: while it has no users at all,
    // the demo admin is on its way (a data folder with other users never gets it)
    let { result } = await runAdmin('user:link', { email: adminEmail }, cliEnv);
    for (let waited = 0; !result.ok && result.error.startsWith('no user with the email') && waited < 15_000; waited += 250) {
      const users = await runAdmin('user:list', {}, cliEnv);
      const someone = !users.result.ok || (users.result.data as { users: unknown[] }).users.length > 0;
      if (!someone) await new Promise((r) => setTimeout(r, 250));
      // once anyone exists, one last ask settles it (the admin may have been created in between)
      ({ result } = await runAdmin('user:link', { email: adminEmail }, cliEnv));
      if (someone) break;
    }
    if (result.ok) {
      const { path } = result.data as { path: string };
      return [`  Sign in: ${base}${path}`, `           (one-time link; it signs you in as the ${ownAdmin ? 'admin' : 'demo admin'} ${adminEmail})`, ...elsewhere];
    }
    if (result.error.startsWith('no user with the email')) {
      return [
        `  Sign in: this data folder already has users, and ${adminEmail} is not one of them (Pulse creates it only in a data folder without users).`,
        `    Create it        npm run user:create -- --email ${adminEmail} --password '…' --role admin`,
        `    then a link      npm run user:link -- --email ${adminEmail}`,
        `    or sign in as one of your users at ${base}/login (npm run user:list shows them)`,
      ];
    }
    return [`  Sign in: could not make a sign-in link (${result.error})`, `    Sign in at ${base}/login, or:`, ...elsewhere];
  } catch (err) {
    return [`  Sign in: could not make a sign-in link (${(err as Error).message})`, `    Sign in at ${base}/login, or:`, ...elsewhere];
  }
}

const { pricing } = settings;
sim = startSimulator({
  url,
  key: settings.key,
  rate: settings.rate,
  pricing,
  seedInventory: true,
  adminKey: settings.adminKey,
});
// the example customer page is the first simulated visitor's: it exists from the first event on
const first = await Promise.race([sim.firstEvent, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
const mode = process.env.REDIS_URL ? 'single-node mode' : 'embedded mode';
const currencies = pricing.mix.length === 1 ? pricing.mix[0].currency : pricing.mix.map((m) => `${m.currency} ${Math.round(m.share * 100)} %`).join(', ');
// where Pulse writes its lake with the same environment (server/config.ts)
const lakeDir = process.env.LAKE_S3_BUCKET ? `s3://${process.env.LAKE_S3_BUCKET}/${process.env.LAKE_S3_PREFIX ?? ''}` : (process.env.LAKE_DIR ?? join(process.env.PULSE_DATA_DIR ?? 'data', 'lake'));
const signIn = await signInLines();
const lines = [
  ...signIn,
  '',
  `  Pulse is running (${mode}; demo traffic at ${settings.rate} events/s, paid in ${currencies})`,
  `    Live overview   ${url}/`,
  `    Wall display    ${url}/wall`,
  `    Pipeline        ${url}/pipeline`,
  `    History         ${url}/history   (the lake is ${lakeDir}; \`npm run lake:backfill -- --days 30\` fills a month)`,
  ...(first ? [`    A customer      ${url}/users/${encodeURIComponent(first.user_id)}`] : []),
  ...(settings.pagesOff ? ['    (PULSE_UI=off: the pages are not served, only the API)'] : []),
  `    Ingest key      ${settings.key}   (publishable: sends events only)`,
  `    Secret key      ${settings.adminKey}   (sets stock levels; scripts and the admin API)`,
  `    Send an event   curl -X POST ${url}/api/events -H 'Authorization: Bearer ${settings.key}' \\`,
  `                      -H 'Content-Type: application/json' \\`,
  `                      -d '{"timestamp":"'$(date -u +%FT%TZ)'","user_id":"me","event_type":"page_view"}'`,
  ...settings.notes.map((n) => `  Note: ${n}`),
  '  Ctrl-C stops the traffic, delivers what is queued, then stops Pulse.',
];
if (!stopping) console.log(`\n${lines.join('\n')}\n`);

// a demo without traffic would look like a broken dashboard: stop and say why instead
void sim.done.then((summary) => {
  if (!stopping && summary.fatal) void stop(`the traffic simulator stopped (${summary.fatal})`);
});
void serverExited.then((code) => {
  if (stopping) return;
  console.error(`[demo] Pulse stopped (exit ${code}); stopping the traffic.`);
  stopping = true;
  void sim?.stop().then((s) => {
    console.log(formatSummary(s));
    process.exit(1);
  });
});
