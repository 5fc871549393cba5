import type { Metadata } from 'next';
import { UserView } from '@/components/entity/UserView';
import { idFromSegment } from '@/components/entity/links';

export const metadata: Metadata = { title: 'User' };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <UserView userId={idFromSegment(id)} />;
}
