import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { E2E_ADMIN_KEY, E2E_INGEST_KEY } from '../../playwright.config';
import { startServer } from '../helpers/processes';

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
    if (message.type() === 'error' && !(ignore && ignore.test(message.text()))) errors.push(message.text());
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

/** A Pulse of its own (production build, pages on), for tests that need a fresh or different server. */
export async function startExtraServer(env: Record<string, string>): Promise<ExtraServer> {
  const pages = process.env.PULSE_NEXT_DIST_DIR || '.next';
  if (!existsSync(path.join(process.cwd(), pages, 'BUILD_ID'))) {
    throw new Error(`no production build in ${pages}: run \`npx next build\` first (npm test does)`);
  }
  const server = await startServer({
    env: { PULSE_UI: 'on', INGEST_API_KEYS: E2E_INGEST_KEY, ADMIN_API_KEYS: E2E_ADMIN_KEY, ...env },
    startTimeoutMs: 60_000,
    logLevel: 'info',
  });
  return { url: server.url, child: server.proc, output: server.output };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
