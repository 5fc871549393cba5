// Generates the Prisma client into server/db/generated (gitignored), offline: `npm install`
// runs it (postinstall) and so does `npm run db:generate`.
//
// The Prisma CLI wants its native schema engine even for `generate`, and downloads it from
// Prisma's host when missing (which fails here). Any existing file named in
// PRISMA_SCHEMA_ENGINE_BINARY satisfies it; generation itself uses WASM shipped in the package.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let cli;
try {
  cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
} catch {
  // `npm ci --omit=dev`-style installs without the CLI: nothing to generate with
  console.warn('prisma-generate: the prisma package is not installed; skipping client generation');
  process.exit(0);
}
if (!existsSync(path.join(root, 'prisma', 'schema.prisma'))) process.exit(0);

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, 'scripts', 'prisma-engine-stub.sh'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_HIDE_PREVIEW_FLAG_WARNINGS: '1',
  CHECKPOINT_DISABLE: '1',
};
const r = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], { cwd: root, env, stdio: 'inherit' });
if (r.error) throw r.error;
process.exit(r.status ?? 1);
