import type { Metadata } from 'next';
import { Suspense } from 'react';
import { HistoryView } from '@/components/history/HistoryView';
import '../styles/history.css';

export const metadata: Metadata = { title: 'History' };

export default function HistoryPage() {
  // the range lives in the query string, which is only known in the browser for a static page
  return (
    <Suspense fallback={<div className="loading">Loading history…</div>}>
      <HistoryView />
    </Suspense>
  );
}
