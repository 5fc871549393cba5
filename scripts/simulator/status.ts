import type { Summary } from './simulator';

const n = (v: number): string => v.toLocaleString('en-GB');

export interface StatusLine {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  retries: number;
  ratePerSecond: number;
  sessions: number;
  queued: number;
  note: string | null;
}

export function formatStatus(s: StatusLine, at = new Date()): string {
  const time = at.toISOString().slice(11, 19);
  const parts = [
    `[pulse-sim] ${time}`,
    `sent ${n(s.sent)}`,
    `accepted ${n(s.accepted)}`,
    `dup ${n(s.duplicates)}`,
    `rejected ${n(s.rejected)}`,
    `retries ${n(s.retries)}`,
    `${s.ratePerSecond.toFixed(1)} ev/s`,
    `${n(s.sessions)} sessions`,
    `queue ${n(s.queued)}`,
  ];
  return parts.join('  ') + (s.note ? `  (${s.note})` : '');
}

export function formatSummary(s: Summary): string {
  const patterns = Object.entries(s.patterns)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const types = Object.entries(s.eventsByType)
    .map(([type, count]) => `${type} ${n(count)}`)
    .join(', ');
  return [
    `[pulse-sim] summary after ${s.durationSeconds.toFixed(1)} s (seed ${s.seed}):`,
    `  generated ${n(s.generated)} events (${types || 'none'}) in ${n(s.sessions)} sessions`,
    `  sent ${n(s.sent)} in ${n(s.requests)} requests: accepted ${n(s.accepted)}, duplicates ${n(s.duplicates)}, rejected ${n(s.rejected)}, failed ${n(s.failed)}, retries ${n(s.retries)}`,
    `  patterns: ${patterns || 'none'}`,
    ...(s.unsent > 0 ? [`  unsent: ${n(s.unsent)} events could not be delivered before exit`] : []),
    ...(s.fatal ? [`  stopped: ${s.fatal}`] : []),
  ].join('\n');
}
