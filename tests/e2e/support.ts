import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import type { LiveSnapshot } from '../../lib/live';
import { E2E_ADMIN_EMAIL, E2E_ADMIN_KEY, E2E_ADMIN_PASSWORD, E2E_INGEST_KEY } from '../../playwright.config';
import { startServer, type PulseProcess } from '../helpers/processes';

/** Helpers shared by the browser tests. */

/** The raw number behind a displayed value (money in cents), from its data-value attribute. */
export async function valueOf(page: Page, testId: string, attribute = 'data-value'): Promise<number> {
  const raw = await page.getByTestId(testId).first().getAttribute(attribute);
  expect(raw, `${testId} has ${attribute}`).not.toBeNull();
  return Number(raw);
}

/**
 * Uncaught errors and console errors (hydration mismatches among them) seen by the page.
 * `ignore` matches console lines a test provokes on purpose.
 */
export function collectErrors(page: Page, ignore?: RegExp): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() !== 'error' || (ignore && ignore.test(message.text()))) return;
    // a failed resource names only its status: say which one
    const at = message.location().url;
    errors.push(/^Failed to load resource/.test(message.text()) && at ? `${message.text()} (${at})` : message.text());
  });
  return errors;
}

export function screenshotPath(testInfo: TestInfo, name: string): string {
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

export interface ExtraServer {
  url: string;
  child: ChildProcess;
  /** everything the server wrote so far */
  output: () => string;
}

/** The env every Pulse a spec starts gets: pages on, the e2e keys, the e2e admin, and a data folder (so its embedded database) of its own. */
export function extraServerEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PULSE_UI: 'on',
    INGEST_API_KEYS: E2E_INGEST_KEY,
    ADMIN_API_KEYS: E2E_ADMIN_KEY,
    PULSE_ADMIN_EMAIL: E2E_ADMIN_EMAIL,
    PULSE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    // PGlite is one process's database: two servers must never share a folder
    PULSE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'pulse-e2e-extra-')),
    ...env,
  };
}

/**
 * A Pulse of its own (production build, pages on), for tests that need a fresh or different server.
 * Its database is its own: the shared server's session cookie is unknown there, so a browser signs in
 * to it with `signIn(page.request, server.url)` and API calls send the secret key (liveSnapshot does).
 */
export async function startExtraServer(env: Record<string, string>): Promise<ExtraServer> {
  const pages = process.env.PULSE_NEXT_DIST_DIR || '.next';
  if (!existsSync(path.join(process.cwd(), pages, 'BUILD_ID'))) {
    throw new Error(`no production build in ${pages}: run \`npx next build\` first (npm test does)`);
  }
  const server = await startServer({
    env: extraServerEnv(env),
    startTimeoutMs: 60_000,
    logLevel: 'info',
  });
  await awaitFirstAdmin(server);
  return { url: server.url, child: server.proc, output: server.output };
}

/**
 * The server creates its first admin (PULSE_ADMIN_EMAIL) before it listens; this checks it said so
 * (needs logLevel 'info'), so a spec's own server without its admin fails here with its output.
 */
export async function awaitFirstAdmin(server: PulseProcess): Promise<void> {
  await server.waitForOutput(/created the first admin/, 60_000).catch((err: unknown) => {
    throw new Error(`the first admin was not created: ${String(err)}\n${server.output()}`);
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** An event as a shop sends it, for tests that post through the ingest API. */
export type WireEvent = {
  event_id?: string;
  timestamp: string;
  user_id: string;
  session_id?: string;
  event_type: string;
  properties?: Record<string, unknown>;
};

const run = Date.now().toString(36);
let seq = 0;
/** an id no other test run uses */
export const uid = (prefix: string) => `${prefix}_${run}_${++seq}`;
export const isoAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Posts events to the shared server, or to `base` (a server of the test's own), in batches the server accepts; every one must be accepted. */
export async function post(request: APIRequestContext, events: WireEvent[], base = ''): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    const batch = events.slice(i, i + 200);
    const res = await request.post(`${base}/api/events`, { headers: { authorization: `Bearer ${E2E_INGEST_KEY}` }, data: { events: batch } });
    expect(res.status(), await res.text()).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: unknown[] };
    expect(body.rejected).toEqual([]);
    expect(body.accepted).toBe(batch.length);
  }
}

/**
 * Signs the context of `request` in as the e2e admin at `base` (a server of the test's own; the
 * shared one's state is loaded already). `page.request` shares the page's cookies, so the page is
 * signed in too. Cookies do not tell ports apart: this replaces the shared server's session cookie
 * in that context.
 */
export async function signIn(request: APIRequestContext, base = ''): Promise<void> {
  const res = await request.post(`${base}/api/auth/login`, { data: { email: E2E_ADMIN_EMAIL, password: E2E_ADMIN_PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
}

/** the secret key's header, for reads from a server of the test's own */
export const adminKeyHeaders = { authorization: `Bearer ${E2E_ADMIN_KEY}` } as const;

/**
 * The live snapshot: from the shared server with the admin's session cookie (every spec starts
 * signed in), from a server of the test's own (`base`) with the secret key.
 */
export async function liveSnapshot(request: APIRequestContext, base = ''): Promise<LiveSnapshot> {
  const res = await request.get(`${base}/api/metrics/live`, base ? { headers: adminKeyHeaders } : undefined);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as LiveSnapshot;
}

/** opens a live page and waits for its socket (a busy machine can take a while over the first connection) */
export async function openLive(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
}

/** What a session of a generated hour puts in its cart. */
export type CartLine = { product_id: string; quantity: number; price: number };

/**
 * A generated last 50 minutes of a shop, so charts and sparklines have shape: 2–16 sessions a
 * minute, swinging like real traffic; each session views `pages(s)` (1.5 s apart), every second one
 * adds `cart(minutesAgo, s)` to its cart 8 s in, and every fourth one buys 12 s in, the purchase
 * saying `purchase(line, minutesAgo, s)`. `s` is the session's index within its minute.
 */
export function lastHourOfTraffic(shape: {
  pages: (s: number) => string[];
  cart: (minutesAgo: number, s: number) => CartLine;
  purchase: (line: CartLine, minutesAgo: number, s: number) => Record<string, unknown>;
}): WireEvent[] {
  const events: WireEvent[] = [];
  for (let minutesAgo = 50; minutesAgo >= 1; minutesAgo--) {
    const sessions = 6 + Math.round(4 * Math.sin(minutesAgo / 7) + ((minutesAgo * 7) % 5));
    for (let s = 0; s < sessions; s++) {
      const user = uid('shopper');
      const session = uid('session');
      const start = minutesAgo * 60_000 - s * 1_000;
      const event = (msIn: number, event_type: string, properties: Record<string, unknown>): WireEvent => ({
        timestamp: isoAgo(start - msIn),
        user_id: user,
        session_id: session,
        event_type,
        properties,
      });
      shape.pages(s).forEach((page, v) => events.push(event(v * 1_500, 'page_view', { page })));
      if (s % 2 !== 0) continue;
      const line = shape.cart(minutesAgo, s);
      events.push(event(8_000, 'add_to_cart', { ...line }));
      if (s % 4 !== 0) continue;
      events.push(event(12_000, 'purchase', shape.purchase(line, minutesAgo, s)));
    }
  }
  return events;
}
