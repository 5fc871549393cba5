import type { Metadata } from 'next';
import { SessionView } from '@/components/entity/SessionView';
import { idFromSegment } from '@/components/entity/links';

export const metadata: Metadata = { title: 'Session' };

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionView sessionId={idFromSegment(id)} />;
}
