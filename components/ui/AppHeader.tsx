import type { ReactNode } from 'react';
import { Logo } from './Logo';
import { Nav } from './Nav';

/** Every page's header: the logo and the navigation, and what the page shows at the right (if anything). */
export function AppHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <div className="app-header-left">
        <Logo />
        <Nav />
      </div>
      {children !== undefined && <div className="app-header-right">{children}</div>}
    </header>
  );
}
