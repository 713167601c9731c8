import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Portico', template: '%s · Portico' },
  description: 'LLM gateway: app approval, API keys, PHI protection, usage and quotas.',
};

// Every page is rendered per request, so each gets the CSP nonce set by proxy.ts.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
