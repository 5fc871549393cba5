import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3107);
export const E2E_INGEST_KEY = 'e2e-test-key-0123456789';
/** a secret key (ADMIN_API_KEYS): for API calls from specs that are not a signed-in browser */
export const E2E_ADMIN_KEY = 'e2e-admin-key-0123456789';
/** the first admin, created by the server on its first start (every spec starts signed in as this person) */
export const E2E_ADMIN_EMAIL = 'admin@e2e.test';
export const E2E_ADMIN_PASSWORD = 'e2e-admin-password-1';
/** a fresh data folder (the lake) for each run; the lake writer flushes every 2 s so history specs need not wait long */
// (set in the environment once, so the test workers that import this file inherit it instead of making their own)
const DATA_DIR = (process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'pulse-e2e-')));
export const E2E_LAKE_FLUSH_MS = 2000;
/**
 * The admin's signed-in browser state, written by tests/e2e/global-setup.ts once the server is up.
 * It lives in the run's data folder, not the output folder, so `--output <dir>` does not move it and
 * concurrent runs with their own data folders do not share it.
 */
export const E2E_ADMIN_STATE = join(DATA_DIR, '.auth', 'admin.json');

export default defineConfig({
  testDir: './tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  // runs after the webServer is up: signs in once and saves E2E_ADMIN_STATE
  globalSetup: './tests/e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    // every spec starts signed in as the admin; a spec that needs an anonymous browser says
    // test.use({ storageState: { cookies: [], origins: [] } })
    storageState: E2E_ADMIN_STATE,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    // production build of the pages (npm test builds first), served by the custom server
    command: 'node --import tsx server/main.ts',
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      NODE_ENV: 'production',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      INGEST_API_KEYS: E2E_INGEST_KEY,
      ADMIN_API_KEYS: E2E_ADMIN_KEY,
      PULSE_ADMIN_EMAIL: E2E_ADMIN_EMAIL,
      PULSE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      CORS_ALLOWED_ORIGINS: '*',
      NEXT_TELEMETRY_DISABLED: '1',
      PULSE_DATA_DIR: DATA_DIR,
      LAKE_FLUSH_INTERVAL_MS: String(E2E_LAKE_FLUSH_MS),
    },
  },
});
