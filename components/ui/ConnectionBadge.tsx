import type { ConnectionStatus } from '@/components/hooks/useLiveFeed';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function ConnectionBadge({ status, className = 'badge' }: { status: ConnectionStatus; className?: string }) {
  return (
    <span
      className={`${className} conn conn-${status}`}
      data-testid="connection-status"
      data-status={status}
      role="status"
      title={status === 'live' ? 'Receiving pushed updates' : 'Not receiving pushed updates; polling'}
    >
      <span className="conn-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
