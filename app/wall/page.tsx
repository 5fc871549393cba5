import type { Metadata } from 'next';
import { WallDisplay } from '@/components/wall/WallDisplay';

export const metadata: Metadata = { title: 'Wall' };

export default function WallPage() {
  return <WallDisplay />;
}
