import type { ColumnKind, HistoryColumn, HistoryResult } from '@/lib/history';
import { formatNumber, formatPercent } from '@/lib/format';
import { formatMoney } from '@/lib/money';
import { formatDateTimeIn } from '@/lib/shopTime';

/**
 * Reading the API's tables: columns are found by name (what the view calls them) and, failing
 * that, by kind, so a renamed column degrades to "the view's money column" rather than to nothing.
 */

type Cell = string | number | null;

/** the index of the first column named one of `names`, else the first of `kind` not in `skip`; -1 when none */
export function findColumn(columns: readonly HistoryColumn[], names: readonly string[], kind?: ColumnKind, skip: readonly number[] = []): number {
  for (const name of names) {
    const i = columns.findIndex((c) => c.name === name);
    if (i >= 0) return i;
  }
  if (!kind) return -1;
  return columns.findIndex((c, i) => c.kind === kind && !skip.includes(i));
}

export const num = (cell: Cell | undefined): number => (typeof cell === 'number' ? cell : typeof cell === 'string' && cell.trim() !== '' && Number.isFinite(Number(cell)) ? Number(cell) : 0);
export const numOrNull = (cell: Cell | undefined): number | null =>
  cell === null || cell === undefined || cell === '' ? null : Number.isFinite(Number(cell)) ? Number(cell) : null;
export const text = (cell: Cell | undefined): string => (cell === null || cell === undefined ? '' : String(cell));

export function sumColumn(result: HistoryResult, index: number): number {
  if (index < 0) return 0;
  return result.rows.reduce((sum, row) => sum + num(row[index]), 0);
}

/** The currency a money cell is in: a `shop_…` column is the shop's; otherwise the row's own `currency`, else the shop's. */
export function moneyCurrency(result: HistoryResult, column: number, row: readonly Cell[]): string {
  const name = result.columns[column]?.name ?? '';
  if (name.startsWith('shop_')) return result.shop.currency;
  const currencyAt = result.columns.findIndex((c) => c.name === 'currency');
  const own = currencyAt >= 0 ? row[currencyAt] : null;
  return typeof own === 'string' && own !== '' ? own : result.shop.currency;
}

/** One cell as text, by its column's kind; ids and other text exactly as stored. */
export function formatCell(result: HistoryResult, column: number, row: readonly Cell[]): string {
  const cell = row[column];
  if (cell === null || cell === undefined) return '—';
  const kind = result.columns[column]?.kind;
  switch (kind) {
    case 'time':
      return typeof cell === 'number' ? formatDateTimeIn(result.shop.timeZone, cell) : String(cell);
    case 'money':
      return formatMoney(num(cell), moneyCurrency(result, column, row));
    case 'count':
      return formatNumber(num(cell));
    case 'ratio':
      return formatPercent(num(cell));
    case 'score':
      return formatNumber(num(cell), 2);
    default:
      return String(cell);
  }
}

export const isNumericKind = (kind: ColumnKind | undefined) => kind === 'money' || kind === 'count' || kind === 'ratio' || kind === 'score';
