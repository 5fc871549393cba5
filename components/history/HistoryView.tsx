'use client';

import { useSearchParams } from 'next/navigation';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { useNow } from '@/components/hooks/useNow';
import { AppHeader } from '@/components/ui/AppHeader';
import { ShopChip } from '@/components/live/LiveHeader';
import type { HistoryIndex, HistoryView as ViewName } from '@/lib/history';
import { formatDayIn, formatTimeIn, zoneLabel } from '@/lib/shopTime';
import { bucketAxis } from './bucketAxis';
import { viewUrl, type ViewParams } from './historyApi';
import { HistoryEmpty } from './HistoryEmpty';
import { KpiTotals } from './KpiTotals';
import { addDays, bucketStarts, localDateOf, parseSelection, previousPeriod, resolveRange, selectionParams, type PreviousPeriod, type ResolvedRange, type Selection } from './range';
import { RangeControls } from './RangeControls';
import { FraudSection, FunnelSection, RankedSection, UnconvertedSection } from './TableSections';
import { countryName } from '@/components/live/TopListsPanels';
import { CartsSection, EventsSection, RevenueSection, type Buckets } from './TrendSections';
import { useHistoryIndex, useHistoryQuery } from './useHistoryQuery';

const MINUTE_MS = 60_000;

/**
 * The analysts' history page: the lake's views over a range of the shop's calendar, each section
 * with its own query (and its status, Cancel and CSV), totals compared with the previous period.
 */
export function HistoryView() {
  const params = useSearchParams();
  const parsed = useMemo(() => parseSelection(new URLSearchParams(params.toString())), [params]);
  // a choice shows at once; the URL follows (pushState: Back returns to the range before)
  const [chosen, setChosen] = useState<Selection | null>(null);
  const current = params.toString();
  // once the URL says it (or Back changed it), the URL is what counts
  useEffect(() => setChosen(null), [current]);
  const selection = chosen ?? parsed.selection;
  const problem = chosen ? null : parsed.problem;
  const index = useHistoryIndex();
  const now = useNow();
  // ranges move with the minute, not the second: query keys stay put in between
  const minute = now === null ? null : Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const setSelection = useCallback(
    (next: Selection) => {
      setChosen(next);
      window.history.pushState(null, '', `${window.location.pathname}?${selectionParams(next).toString()}`);
    },
    [],
  );

  return (
    <div className="overview page-scaled hx-page">
      <AppHeader>
        <>
          {index.data && (
            <>
              {minute === null ? (
                <span className="chip" data-testid="shop-settings">
                  <strong>{index.data.shop.currency}</strong> · {index.data.shop.timeZone}
                </span>
              ) : (
                <ShopChip shop={index.data.shop} at={minute} />
              )}
              <span className="chip" data-testid="history-engine" title={index.data.lake.location}>
                Lake: <strong>{index.data.engine === 'athena' ? 'Athena' : 'DuckDB'}</strong>
              </span>
            </>
          )}
        </>
      </AppHeader>
      <main className="overview-main hx-main">
        <h1 className="hx-title">History</h1>
        {problem && (
          <div className="notice notice-warning" role="alert" data-testid="url-problem">
            <strong>Link not understood.</strong>
            <span>{problem}</span>
          </div>
        )}
        {index.error ? (
          <div className="notice notice-critical" role="alert" data-testid="index-error">
            <strong>History is not available.</strong>
            <span>{index.error.message}</span>
            <button type="button" className="hx-button hx-button-small" onClick={() => void index.refetch()}>
              Try again
            </button>
          </div>
        ) : !index.data || minute === null ? (
          <div className="loading" data-testid="loading">
            Loading history…
          </div>
        ) : (
          <HistoryBody index={index.data} selection={selection} minute={minute} onChange={setSelection} />
        )}
      </main>
    </div>
  );
}

// the clock ticks every second; the charts need to follow it only once a minute
const HistoryBody = memo(function HistoryBody({ index, selection, minute, onChange }: { index: HistoryIndex; selection: Selection; minute: number; onChange: (s: Selection) => void }) {
  const tz = index.shop.timeZone;
  const currency = index.shop.currency;
  const range = useMemo(() => resolveRange(selection, tz, minute), [selection, tz, minute]);
  const previous = useMemo(() => (selection.compare ? previousPeriod(range, tz, minute) : null), [selection.compare, range, tz, minute]);
  const today = localDateOf(tz, minute);
  const cur: ViewParams = { from: range.fromDate, to: range.toDate, granularity: range.granularity };
  const prev: ViewParams | null = previous && { from: previous.from, to: previous.to, granularity: range.granularity };
  const open = range.open;
  const revenue = useHistoryQuery('revenue', cur, open);
  const carts = useHistoryQuery('cart_abandonment', cur, open);
  const funnel = useHistoryQuery('funnel', cur, open);
  const events = useHistoryQuery('events_by_type', cur, open);
  const unconverted = useHistoryQuery('unconverted_revenue', cur, open);
  const topProducts = useHistoryQuery('top_products', cur, open);
  const topCountries = useHistoryQuery('top_countries', cur, open);
  const fraud = useHistoryQuery('fraud_scored_purchases', cur, open);
  // the previous period is closed: asked once, kept
  const prevRevenue = useHistoryQuery('revenue', prev, false);
  const prevCarts = useHistoryQuery('cart_abandonment', prev, false);
  const prevFunnel = useHistoryQuery('funnel', prev, false);

  const buckets = useMemo<Buckets>(() => {
    const starts = bucketStarts(tz, range.fromMs, range.endMs, range.granularity);
    return { starts, axis: bucketAxis(starts, range.granularity, tz) };
  }, [tz, range.fromMs, range.endMs, range.granularity]);
  const previousStarts = useMemo(
    () => (previous ? bucketStarts(tz, previous.fromMs, range.fromMs, range.granularity) : []),
    [previous, tz, range.fromMs, range.granularity],
  );
  const csv = (view: ViewName) => viewUrl(view, cur, 'csv');
  const newest = revenue.data?.lakeNewestEventTime ?? null;
  const against = previous ? describePrevious(previous, range, tz) : '';
  // the tiles say it short; the range line above them says exactly what is compared
  const againstShort = !previous ? '' : range.days === 1 ? (previous.cutAtMs !== null ? 'the day before, same time' : 'the day before') : `the previous ${range.days} days`;
  // an empty lake says so (no newest event); rows with events say otherwise, whatever it says
  const emptyLake =
    revenue.data?.lakeNewestEventTime === null && revenue.data.rows.every((r) => r.slice(1).every((v) => v === 0 || v === null)) && (events.data ? events.data.rows.length === 0 : true);

  return (
    <>
      <RangeControls selection={selection} range={range} today={today} onChange={onChange} />
      <p className="hx-range-line" data-testid="range-label" data-from={range.fromMs} data-to={range.toMs} data-granularity={range.granularity}>
        <strong>{describeRange(range, tz)}</strong>
        <span className="muted">
          {' · '}
          {range.granularity === 'hour' ? 'by hour' : 'by day'} · times in {zoneLabel(tz, range.fromMs)}
          {range.open ? ' · still open, refreshed every minute' : ''}
          {range.open && newest !== null && (
            <span data-testid="lake-newest" data-value={newest}>
              {' '}
              · newest event in the lake {formatDayIn(tz, newest) === formatDayIn(tz, minute) ? '' : `${formatDayIn(tz, newest)} `}
              {formatTimeIn(tz, newest)}
            </span>
          )}
          {previous && ` · compared with ${against}`}
        </span>
      </p>
      {emptyLake ? (
        <HistoryEmpty index={index} />
      ) : (
        <>
          <KpiTotals queries={{ revenue, carts, funnel, previous: previous ? { revenue: prevRevenue, carts: prevCarts, funnel: prevFunnel } : null }} currency={currency} against={againstShort} />
          <div className="hx-grid">
            <RevenueSection
              query={revenue}
              previous={previous ? prevRevenue : null}
              buckets={buckets}
              previousStarts={previousStarts}
              currency={currency}
              openUntil={range.open ? range.endMs : null}
              csvUrl={csv('revenue')}
              prevLabel={(at) => buckets.axis.full(at)}
            />
            <UnconvertedSection query={unconverted} csvUrl={csv('unconverted_revenue')} />
            <FunnelSection query={funnel} csvUrl={csv('funnel')} />
            <CartsSection query={carts} buckets={buckets} csvUrl={csv('cart_abandonment')} />
            <EventsSection query={events} buckets={buckets} csvUrl={csv('events_by_type')} />
            <RankedSection title="Top products" query={topProducts} csvUrl={csv('top_products')} testId="section-top-products" idColumn="product_id" empty="No products sold in this range." />
            <RankedSection title="Top countries" query={topCountries} csvUrl={csv('top_countries')} testId="section-top-countries" idColumn="country" showId={countryName} empty="No purchases with a country in this range." />
            <FraudSection query={fraud} csvUrl={csv('fraud_scored_purchases')} />
          </div>
        </>
      )}
    </>
  );
});

/** "Tue 24 Nov – Mon 30 Nov 2026", "Today, Wed 2 Dec" */
function describeRange(range: ResolvedRange, tz: string): string {
  const first = formatDayIn(tz, range.fromMs);
  if (range.days === 1) return first;
  const lastDay = addDays(range.toDate, -1);
  return `${first} – ${formatDayIn(tz, range.toMs - 1)}${lastDay.slice(0, 4) !== range.fromDate.slice(0, 4) ? ` ${lastDay.slice(0, 4)}` : ''}`;
}

/** "Tue 1 Dec until 14:05", "the previous 7 days", "the 7 days before, until Wed 25 Nov 14:05" */
function describePrevious(previous: PreviousPeriod, range: ResolvedRange, tz: string): string {
  if (previous.cutAtMs !== null) {
    if (range.days === 1) return `${formatDayIn(tz, previous.fromMs)} until ${formatTimeIn(tz, previous.cutAtMs)}`;
    return `the ${range.days} days before, until ${formatDayIn(tz, previous.cutAtMs)} ${formatTimeIn(tz, previous.cutAtMs)}`;
  }
  return range.days === 1 ? formatDayIn(tz, previous.fromMs) : `the previous ${range.days} days`;
}
