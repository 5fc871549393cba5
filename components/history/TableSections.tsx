'use client';

import Link from 'next/link';
import { userHref } from '@/components/entity/links';
import { formatShare } from '@/components/ui/numbers';
import { formatNumber, formatPercent } from '@/lib/format';
import type { HistoryResult } from '@/lib/history';
import { formatMoney } from '@/lib/money';
import { formatDateTimeIn } from '@/lib/shopTime';
import { HistorySection, SectionPlaceholder } from './HistorySection';
import { conversionOf, readFunnel, readUnconverted, type FunnelStepKey } from './readViews';
import { findColumn, formatCell, isNumericKind, moneyCurrency, num, numOrNull, text } from './table';
import type { HistoryQueryState } from './useHistoryQuery';

const STEP_LABELS: Record<FunnelStepKey, string> = {
  viewed: 'Viewed a page',
  carted: 'Added to cart',
  purchased: 'Purchased',
};
const STEP_OF: Record<FunnelStepKey, string | null> = {
  viewed: null,
  carted: 'of those who viewed',
  purchased: 'of those with a cart',
};

/** An id exactly as sent, on one line; the cell's width cuts it with an ellipsis and the whole id is in the tooltip. */
function Id({ value, className = '', title }: { value: string; className?: string; title?: string }) {
  return (
    <span className={`hx-id ${className}`} title={title ?? value}>
      {value === '' ? <span className="muted">(empty)</span> : value}
    </span>
  );
}

export function FunnelSection({ query, csvUrl }: { query: HistoryQueryState; csvUrl: string }) {
  const funnel = query.data ? readFunnel(query.data) : null;
  const first = funnel?.steps[0].count ?? 0;
  const widest = Math.max(1, ...(funnel?.steps.map((s) => s.count ?? 0) ?? [1]));
  const conversion = funnel ? conversionOf(funnel) : null;
  return (
    <HistorySection
      title="Funnel"
      meta={funnel && conversion !== null ? `${formatPercent(conversion)} of browsing sessions bought` : 'sessions, each step within the one before'}
      query={query}
      csvUrl={csvUrl}
      testId="section-funnel"
    >
      {funnel && first > 0 ? (
        <ol className="funnel hx-funnel">
          {funnel.steps.map((step, i) => {
            const prev = i === 0 ? null : funnel.steps[i - 1].count;
            const share = prev === null || step.count === null ? null : formatShare(step.count, prev);
            // the second step's share of the first is its share of the previous one: said once
            const ofFirst = i < 2 || step.count === null ? null : formatShare(step.count, first);
            return (
              <li key={step.key} className="funnel-step" data-testid="funnel-step" data-step={step.key} data-value={step.count ?? undefined}>
                <span className="funnel-label">{STEP_LABELS[step.key]}</span>
                <span className="funnel-count">{step.count === null ? '—' : formatNumber(step.count)}</span>
                <span className="funnel-track" aria-hidden="true">
                  <span className="funnel-fill" style={{ width: `${((step.count ?? 0) / widest) * 100}%` }} />
                </span>
                <span className="funnel-share">
                  {i === 0 ? 'sessions with a page view' : `${share ?? '—'} ${STEP_OF[step.key]}${ofFirst ? ` · ${ofFirst} of all` : ''}`}
                </span>
              </li>
            );
          })}
        </ol>
      ) : (
        <SectionPlaceholder query={query} empty="No sessions with a page view in this range." />
      )}
    </HistorySection>
  );
}

/** A ranked view (top products, top countries) as a table of its own columns, ids exactly as stored. */
export function RankedSection(props: {
  title: string;
  query: HistoryQueryState;
  csvUrl: string;
  testId: string;
  idColumn: string;
  showId?: (id: string) => string;
  empty: string;
}) {
  const { query } = props;
  const result = query.data;
  const idAt = result ? findColumn(result.columns, [props.idColumn], 'text') : -1;
  const revenueAt = result ? findColumn(result.columns, ['revenue_minor'], 'money') : -1;
  const total = result && revenueAt >= 0 ? result.rows.reduce((s, r) => s + num(r[revenueAt]), 0) : 0;
  return (
    <HistorySection
      title={props.title}
      meta={result ? `${formatNumber(result.rows.length)} ${result.rows.length === 1 ? 'row' : 'rows'}` : undefined}
      query={query}
      csvUrl={props.csvUrl}
      testId={props.testId}
    >
      {result && result.rows.length > 0 ? (
        <div className="table-scroll hx-table-scroll">
          <table className="table hx-table" data-testid={`${props.testId}-table`}>
            <thead>
              <tr>
                {result.columns.map((c) => (
                  <th key={c.name} className={isNumericKind(c.kind) ? 'num' : undefined} scope="col">
                    {c.label}
                    {c.kind === 'money' ? `, ${result.shop.currency}` : ''}
                  </th>
                ))}
                {revenueAt >= 0 && (
                  <th className="num" scope="col">
                    Share
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row, r) => (
                <tr key={r} data-testid="ranked-row" data-id={idAt >= 0 ? text(row[idAt]) : undefined}>
                  {result.columns.map((c, i) => (
                    <td key={c.name} className={isNumericKind(c.kind) ? 'num' : 'hx-id-cell'}>
                      {i === idAt ? (
                        // a country's name may wrap (the code is in it and in the tooltip); ids stay on one line
                        <Id value={props.showId ? props.showId(text(row[i])) : text(row[i])} title={text(row[i])} className={props.showId ? 'hx-wrap' : 'mono'} />
                      ) : (
                        formatCell(result, i, row)
                      )}
                    </td>
                  ))}
                  {revenueAt >= 0 && <td className="num hx-share">{formatShare(num(row[revenueAt]), total) ?? '—'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <SectionPlaceholder query={query} empty={props.empty} />
      )}
    </HistorySection>
  );
}

function scoreTone(score: number): string {
  return score > 0.8 ? 'text-critical' : score >= 0.5 ? 'text-warning' : '';
}

/** Purchases the live pipeline scored as suspicious: the amount in its own currency, the shop-currency figure beside it. */
export function FraudSection({ query, csvUrl }: { query: HistoryQueryState; csvUrl: string }) {
  const result = query.data;
  return (
    <HistorySection
      title="Fraud-scored purchases"
      meta={result ? `score 0.5 and above · ${formatNumber(result.rows.length)} ${result.rows.length === 1 ? 'purchase' : 'purchases'}` : 'score 0.5 and above'}
      query={query}
      csvUrl={csvUrl}
      testId="section-fraud"
      className="hx-wide"
    >
      {result && result.rows.length > 0 ? <FraudTable result={result} /> : <SectionPlaceholder query={query} empty="No purchase scored 0.5 or more in this range." />}
    </HistorySection>
  );
}

function FraudTable({ result }: { result: HistoryResult }) {
  const at = (name: string, kind?: Parameters<typeof findColumn>[2]) => findColumn(result.columns, [name], kind);
  const c = {
    ts: at('ts', 'time'),
    event: at('event_id'),
    user: at('user_id'),
    amount: at('amount_minor'),
    shopAmount: at('shop_amount_minor'),
    score: at('fraud_score', 'score'),
    country: at('country'),
  };
  const tz = result.shop.timeZone;
  return (
    <div className="table-scroll hx-table-scroll">
      <table className="table hx-table" data-testid="fraud-table">
        <thead>
          <tr>
            <th scope="col" className="num">
              Score
            </th>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">Country</th>
            <th scope="col">Event</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, r) => {
            const score = numOrNull(row[c.score]);
            const ts = numOrNull(row[c.ts]);
            const user = text(row[c.user]);
            const currency = c.amount >= 0 ? moneyCurrency(result, c.amount, row) : result.shop.currency;
            const amount = c.amount >= 0 ? numOrNull(row[c.amount]) : null;
            const shopAmount = c.shopAmount >= 0 ? numOrNull(row[c.shopAmount]) : null;
            return (
              <tr key={r} data-testid="fraud-row" data-score={score ?? undefined}>
                <td className={`num ${score === null ? '' : scoreTone(score)}`}>{score === null ? '—' : formatNumber(score, 2)}</td>
                <td className="nowrap">{ts === null ? '—' : formatDateTimeIn(tz, ts)}</td>
                <td className="hx-id-cell">
                  <Link href={userHref(user)} className="id-link hx-id" title={user} data-testid="fraud-user">
                    {user}
                  </Link>
                </td>
                <td className="num nowrap">
                  {amount === null ? '—' : formatMoney(amount, currency)}
                  {currency !== result.shop.currency && (
                    <span className="hx-converted">
                      {' '}
                      {shopAmount === null ? `(no ${result.shop.currency} rate)` : `≈ ${formatMoney(shopAmount, result.shop.currency)}`}
                    </span>
                  )}
                </td>
                <td className="hx-id-cell">{c.country >= 0 && text(row[c.country]) ? <Id value={text(row[c.country])} /> : '—'}</td>
                <td className="hx-id-cell">
                  <Id value={text(row[c.event])} className="mono" />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Purchases in currencies without an exchange rate: summed apart, never added to the revenue above. */
export function UnconvertedSection({ query, csvUrl }: { query: HistoryQueryState; csvUrl: string }) {
  const totals = query.data ? readUnconverted(query.data) : [];
  if (query.data && totals.length === 0) return null;
  if (!query.data && !query.running && !query.error) return null;
  return (
    <HistorySection
      title="Revenue in currencies without a rate"
      meta="not converted, not in the revenue total"
      query={query}
      csvUrl={csvUrl}
      testId="section-unconverted"
    >
      {totals.length > 0 ? (
        <table className="table hx-table" data-testid="unconverted-table">
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                Orders
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.map((t) => (
              <tr key={t.currency} data-testid="unconverted-row" data-currency={t.currency} data-value={t.amountMinor}>
                <td>
                  <Id value={t.currency} />
                </td>
                <td className="num">{formatMoney(t.amountMinor, t.currency)}</td>
                <td className="num">{t.orders === null ? '—' : formatNumber(t.orders)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <SectionPlaceholder query={query} empty="" />
      )}
    </HistorySection>
  );
}

