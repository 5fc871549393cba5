import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { request, type FullConfig } from '@playwright/test';
import { E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD, E2E_ADMIN_STATE } from '../../playwright.config';

/**
 * Runs once, after the webServer answers /api/health and before any spec: signs in as the first
 * admin (created by the server from PULSE_ADMIN_EMAIL / PULSE_ADMIN_PASSWORD) through
 * `POST /api/auth/login`, and saves the session cookie as the storage state every spec starts
 * with (`use.storageState` in playwright.config.ts).
 */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) throw new Error('playwright.config.ts sets no baseURL');
  const context = await request.newContext({ baseURL });
  try {
    // the server creates the first admin (PULSE_ADMIN_EMAIL) before it listens: the first try must work
    const res = await context.post('/api/auth/login', { data: { email: E2E_ADMIN_EMAIL, password: E2E_ADMIN_PASSWORD } });
    if (res.status() !== 200) {
      throw new Error(`signing in as ${E2E_ADMIN_EMAIL} failed: ${res.status()} ${await res.text()}`);
    }
    const state = await context.storageState();
    if (!state.cookies.some((c) => c.name === 'pulse_session')) {
      throw new Error(`POST /api/auth/login answered 200 but set no pulse_session cookie: ${JSON.stringify(res.headers())}`);
    }
    mkdirSync(dirname(E2E_ADMIN_STATE), { recursive: true });
    await context.storageState({ path: E2E_ADMIN_STATE });
  } finally {
    await context.dispose();
  }
}
