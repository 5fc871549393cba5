/**
 * Display formatting shared by pages. Money is formatted by lib/money.ts `formatMoney`, always
 * with the currency it is in (the shop's, or an event's own): no helper here assumes one.
 */

// building an Intl.NumberFormat costs about 100 µs, using one about 1 µs: keep them
const numberFormats = new Map<number, Intl.NumberFormat>();
let compactNumberFormat: Intl.NumberFormat | null = null;

export function formatNumber(n: number, digits = 0): string {
  let f = numberFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
    numberFormats.set(digits, f);
  }
  return f.format(n);
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

/** "3 s", "4 min", "2 h", "1 d" — a span of time, for labels such as "data 3 s old". */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** A session length: "45 s", "3 min 12 s", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Processing lag: "85 ms", "1.2 s", "—" when unknown. */
export function formatLag(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatSpan(ms);
}

/** A large count in short form for wall displays: 950, 12.3k, 4.1m (en-GB compact notation). */
export function formatCompactNumber(n: number): string {
  if (Math.abs(n) < 10_000) return formatNumber(n);
  compactNumberFormat ??= new Intl.NumberFormat('en-GB', { notation: 'compact', maximumFractionDigits: 1 });
  return compactNumberFormat.format(n);
}

/** Event type identifiers for display: "add_to_cart" → "add to cart". */
export function formatEventType(type: string): string {
  return type.replace(/_/g, ' ');
}

