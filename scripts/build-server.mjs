// Bundles the custom server (server/main.ts and everything it imports from this repository) into
// one ES module, so `npm start` runs plain `node` instead of compiling TypeScript on the fly.
//
//   node scripts/build-server.mjs            build .pulse/server/main.mjs (part of `npm run build`)
//   node scripts/build-server.mjs --check    exit 0 when the bundle is up to date, 1 otherwise
//
// Plain JavaScript on purpose: it must run before anything is compiled, and `npm start` imports
// bundleState() from here without loading tsx.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = path.join(root, '.pulse', 'server');
export const BUNDLE = path.join(BUNDLE_DIR, 'main.mjs');
const ENTRY = path.join(root, 'server', 'main.ts');

/**
 * Resolves imports the way the server needs at run time: `@/…` is this repository (the tsconfig
 * path alias); `server-only` is Next's marker that throws outside React Server Components, so on
 * the server it is nothing; every other bare import is a package left to node_modules (native
 * binaries, Next and Prisma must not be bundled).
 */
const serverResolution = {
  name: 'pulse-server-resolution',
  setup(build) {
    build.onResolve({ filter: /^server-only$/ }, () => ({ path: 'server-only', namespace: 'pulse-empty' }));
    build.onLoad({ filter: /.*/, namespace: 'pulse-empty' }, () => ({ contents: '', loader: 'js' }));
    build.onResolve({ filter: /^@\// }, (args) => build.resolve(`./${args.path.slice(2)}`, { kind: args.kind, resolveDir: root }));
    build.onResolve({ filter: /^[^./]/ }, (args) => (path.isAbsolute(args.path) ? undefined : { path: args.path, external: true }));
  },
};

/** the list of sources a bundle was built from, beside it */
const metaFile = (outdir) => path.join(outdir, 'meta.json');

/**
 * Code splitting keeps what server/main.ts imports on demand in chunks of its own, so the
 * supervisor process loads only the configuration and itself, not Next, socket.io and the
 * adapters (about 20 MB less resident memory, measured, in a process that lives as long as the service).
 */
export async function buildServer(outdir = BUNDLE_DIR) {
  const { build } = await import('esbuild');
  const started = Date.now();
  // chunk names carry a content hash: remove the previous build's so they do not pile up
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: ENTRY },
    absWorkingDir: root,
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: 'linked',
    // keeps stack traces and log lines readable; the bundle is for speed of start and run, not size
    minify: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [serverResolution],
  });
  // files only: virtual modules (the empty `server-only`) are named `namespace:path`
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !/^[a-z-]+:/.test(p));
  writeFileSync(metaFile(outdir), JSON.stringify({ inputs }));
  return { entry: path.join(outdir, 'main.mjs'), inputs: inputs.length, ms: Date.now() - started };
}

/**
 * Whether the bundle matches the sources: every file esbuild read for it (from its metafile) must
 * still exist and be older than the bundle. Adding a new module means editing one that imports it,
 * so this also catches new files. Costs a few milliseconds (one stat per source file).
 */
export function bundleState(outdir = BUNDLE_DIR) {
  const outfile = path.join(outdir, 'main.mjs');
  const meta = metaFile(outdir);
  if (!existsSync(outfile) || !existsSync(meta)) return { ok: false, reason: `${path.relative(root, outfile)} does not exist` };
  const builtAt = statSync(outfile).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(meta, 'utf8')).inputs;
  } catch {
    inputs = null;
  }
  if (!Array.isArray(inputs)) return { ok: false, reason: `${path.relative(root, meta)} is unreadable` };
  for (const input of [...inputs, 'package-lock.json']) {
    const file = path.join(root, input);
    if (!existsSync(file)) return { ok: false, reason: `${input} was removed since the last build` };
    if (statSync(file).mtimeMs > builtAt) return { ok: false, reason: `${input} changed since the last build` };
  }
  return { ok: true, reason: 'up to date' };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--check')) {
    const state = bundleState();
    console.log(`server bundle: ${state.reason}`);
    process.exit(state.ok ? 0 : 1);
  }
  try {
    const r = await buildServer();
    console.log(`server bundle: ${path.relative(root, r.entry)} (${r.inputs} source files, ${r.ms} ms)`);
  } catch (err) {
    // esbuild has already printed each error with its file and line
    console.error(`server bundle failed${err instanceof Error && !('errors' in err) ? `: ${err.message}` : ''}`);
    process.exit(1);
  }
}
