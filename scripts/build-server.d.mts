/** Types of scripts/build-server.mjs, for the TypeScript scripts and tests that use it. */
export declare const BUNDLE_DIR: string;
export declare const BUNDLE: string;
export declare function buildServer(outdir?: string): Promise<{ entry: string; inputs: number; ms: number }>;
export declare function bundleState(outdir?: string): { ok: boolean; reason: string };
