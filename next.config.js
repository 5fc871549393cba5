/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (server/main.ts) owns ingest, live metrics and socket.io; Next only
  // renders pages. Keep server-side packages out of the client bundle.
  serverExternalPackages: [],
};

export default nextConfig;
