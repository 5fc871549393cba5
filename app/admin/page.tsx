import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AdminView } from '@/components/admin/AdminView';

export const metadata: Metadata = { title: 'Admin' };

export default function AdminPage() {
  // the section lives in the query string, known only in the browser for a static page
  return (
    <Suspense fallback={<div className="loading">Loading admin…</div>}>
      <AdminView />
    </Suspense>
  );
}
