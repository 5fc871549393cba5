/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (server/main.ts) owns ingest, live metrics and socket.io; Next only
  // renders pages. Keep server-side packages out of the client bundle.
  serverExternalPackages: [],
  // a separate build folder lets several checkouts' tools build side by side (default .next)
  ...(process.env.PULSE_NEXT_DIST_DIR ? { distDir: process.env.PULSE_NEXT_DIST_DIR } : {}),
};

export default nextConfig;
