import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import './globals.css';
import './styles/shared.css';
import './styles/overview.css';
import './styles/wall.css';
import './styles/pipeline.css';
import './styles/auth.css';
import './styles/admin.css';

// rendered per request: the page policy's nonce is new for each response, and Next can put it
// on its scripts only while rendering (a page prerendered at build time has no nonce to carry)
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Pulse', template: '%s · Pulse' },
  description: 'Real-time operations dashboard for online shops',
};

export const viewport: Viewport = {
  themeColor: '#0b1020',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
