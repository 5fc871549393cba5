// npm start: runs the server bundle (.pulse/server/main.mjs, made by `npm run build`) with plain
// node, in this process. A missing or outdated bundle stops here with what to do, rather than
// falling back to compiling TypeScript on the fly: a production start should run exactly what was
// built, and a silent fallback would hide a forgotten build until it cost start-up time and CPU.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE, bundleState } from './build-server.mjs';

const state = bundleState();
if (!state.ok) {
  process.stderr.write(`Pulse: the server bundle is not up to date (${state.reason}).\nRun npm run build first (or npm run dev to run the sources through tsx).\n`);
  process.exit(1);
}
// The pages are checked here too, so a missing `next build` is one clear line instead of every
// web process failing at start-up. PULSE_UI is read by hand (the same false values as
// server/config.ts accepts) because the configuration module is inside the bundle.
const uiOff = ['0', 'false', 'no', 'off'].includes(process.env.PULSE_UI ?? '');
const pagesDir = process.env.PULSE_NEXT_DIST_DIR || '.next';
if (!uiOff && !existsSync(path.join(process.cwd(), pagesDir, 'BUILD_ID'))) {
  process.stderr.write(`Pulse: the pages are not built (${pagesDir}/BUILD_ID is missing).\nRun npm run build first, or set PULSE_UI=off for the API only.\n`);
  process.exit(1);
}
await import(pathToFileURL(BUNDLE).href);
