import type { ReactNode } from 'react';
import { UserMenu } from '@/components/auth/UserMenu';
import { Logo } from './Logo';
import { Nav } from './Nav';

/** Every page's header: the logo and the navigation, what the page shows at the right (if anything), and who is signed in. */
export function AppHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <div className="app-header-left">
        <Logo />
        <Nav />
      </div>
      <div className="app-header-right">
        {children}
        <UserMenu />
      </div>
    </header>
  );
}
