/** Display formatting shared by pages. Money arrives as integer cents. */

export function formatMoney(cents: number, currency = 'EUR'): string {
  return new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(cents / 100);
}

export function formatCompactMoney(cents: number, currency = 'EUR'): string {
  const value = cents / 100;
  if (Math.abs(value) < 10_000) return formatMoney(cents, currency);
  return new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

export function formatNumber(n: number, digits = 0): string {
  return new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
}

export function formatPercent(rate: number | null, digits = 1): string {
  if (rate === null) return '—';
  return `${(rate * 100).toFixed(digits)}%`;
}

/** "just now", "12 s", "3 min", "2 h" — how old something is. */
export function formatAge(ms: number): string {
  if (ms < 1_500) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

export function formatClock(ts: number): string {
  return new Date(ts).toISOString().slice(11, 19) + ' UTC';
}

export function formatMinute(ts: number): string {
  return new Date(ts).toISOString().slice(11, 16);
}
