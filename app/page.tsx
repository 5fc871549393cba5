import type { Metadata } from 'next';
import { LiveOverview } from '@/components/live/LiveOverview';

export const metadata: Metadata = { title: 'Live overview' };

export default function OverviewPage() {
  return <LiveOverview />;
}
