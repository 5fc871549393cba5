import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3107);
export const E2E_INGEST_KEY = 'e2e-test-key-0123456789';
export const E2E_ADMIN_KEY = 'e2e-admin-key-0123456789';
/** a fresh data folder (the lake) for each run; the lake writer flushes every 2 s so history specs need not wait long */
// (set in the environment once, so the test workers that import this file inherit it instead of making their own)
const DATA_DIR = (process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'pulse-e2e-')));
export const E2E_LAKE_FLUSH_MS = 2000;

export default defineConfig({
  testDir: './tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
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
      CORS_ALLOWED_ORIGINS: '*',
      NEXT_TELEMETRY_DISABLED: '1',
      PULSE_DATA_DIR: DATA_DIR,
      LAKE_FLUSH_INTERVAL_MS: String(E2E_LAKE_FLUSH_MS),
    },
  },
});
