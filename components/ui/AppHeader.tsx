import type { ReactNode } from 'react';
import { UserMenu } from '@/components/auth/UserMenu';
import { Logo } from './Logo';
import { Nav } from './Nav';

/**
 * Every page's header: the logo and the navigation, what the page shows at the right (if
 * anything), and who is signed in at the far end. On a phone the page's part wraps below, so the
 * pages and the user menu share the first row.
 */
export function AppHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <div className="app-header-left">
        <Logo />
        <Nav />
      </div>
      {children !== undefined && <div className="app-header-right">{children}</div>}
      <div className="app-header-user">
        <UserMenu />
      </div>
    </header>
  );
}
