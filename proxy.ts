import { NextResponse, type NextRequest } from 'next/server';

/**
 * Every portal page gets a fresh nonce and a Content-Security-Policy that only runs scripts carrying it
 * (Next.js reads the nonce from the request's CSP header and puts it on its own scripts).
 * Styles keep 'unsafe-inline': React renders style attributes, and styles cannot run code.
 */
export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const dev = process.env.NODE_ENV === 'development';
  const https = (process.env.PORTICO_PUBLIC_URL ?? request.nextUrl.origin).startsWith('https:');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  // Where to come back to after signing in (overwrites anything the client sent).
  requestHeaders.set('x-portico-path', request.nextUrl.pathname + request.nextUrl.search);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  response.headers.set('cache-control', 'private, no-store');
  if (https) response.headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the API (its own headers), not Next's static files.
      source: '/((?!api/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
