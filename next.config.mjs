/** @type {import('next').NextConfig} */
// The Content-Security-Policy (with a per-request nonce) is set by proxy.ts.
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages loaded from node_modules at run time rather than bundled.
  serverExternalPackages: [
    '@prisma/client',
    '@prisma/adapter-pg',
    'pg',
    '@node-rs/argon2',
    'pino',
    'ioredis',
    'prom-client',
    'nodemailer',
  ],
  typescript: { ignoreBuildErrors: false },
  // forbidden() / unauthorized(): server actions answer 403 / 401 instead of a generic error.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // The portal's route handlers answer JSON and redirects: nothing in them may load or run.
      {
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
