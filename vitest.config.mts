import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { '@': fileURLToPath(new URL('./', import.meta.url)) },
  },
  test: {
    include: ['tests/**/*.test.ts', 'lib/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    setupFiles: ['tests/helpers/silence.ts'],
    globalSetup: ['tests/helpers/dbGlobalSetup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // integration tests start real servers on their own ports; keep files in separate workers
    pool: 'forks',
  },
});
