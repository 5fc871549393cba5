import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SetupForm } from '@/components/auth/SetupForm';

export const metadata: Metadata = { title: 'Set up' };

export default function SetupPage() {
  return (
    <Suspense fallback={<div className="auth-page" />}>
      <SetupForm />
    </Suspense>
  );
}
