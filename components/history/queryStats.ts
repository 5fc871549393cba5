import { formatLag, formatNumber } from '@/lib/format';
import type { HistoryStats } from '@/lib/history';

/** "48 MB", "912 kB", "310 B" (decimal units, as Athena bills them) */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${formatNumber(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1_000;
  let u = 0;
  while (v >= 1_000 && u < units.length - 1) {
    v /= 1_000;
    u++;
  }
  return `${formatNumber(v, v < 10 ? 1 : 0)} ${units[u]}`;
}

/** "DuckDB · 84 ms · 12 files", "Athena · 2.3 s · 48 MB scanned" */
export function describeStats(stats: HistoryStats): string {
  const parts = [stats.engine === 'athena' ? 'Athena' : 'DuckDB', formatLag(stats.elapsedMs)];
  if (stats.engine === 'athena') {
    if (stats.bytesScanned !== null) parts.push(`${formatBytes(stats.bytesScanned)} scanned`);
  } else if (stats.filesScanned !== null) {
    parts.push(`${formatNumber(stats.filesScanned)} ${stats.filesScanned === 1 ? 'file' : 'files'}`);
  }
  return parts.join(' · ');
}
