import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DeniedView } from '@/components/auth/DeniedView';

export const metadata: Metadata = { title: 'Not available' };

export default function DeniedPage() {
  return (
    <Suspense fallback={<div className="auth-page" />}>
      <DeniedView />
    </Suspense>
  );
}
