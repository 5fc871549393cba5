'use client';

import { useMemo } from 'react';
import { Panel } from '@/components/ui/Panel';
import { formatCompactNumber, formatLag, formatNumber } from '@/lib/format';
import type { PipelineHistory } from '@/lib/pipelineHistory';
import { formatTimeIn, hourStartIn, zoneLabel } from '@/lib/shopTime';
import { HistoryChart, type ChartClock, type HistoryLine } from './HistoryChart';
import { backlogKey, historyView, tenMinuteTicks, type HistoryRow, type HistoryView } from './historySeries';

const CONSUMER_COLORS = ['var(--accent)', '#0891b2', '#c026d3', '#ea580c', '#65a30d', '#be123c'];
const THROUGHPUT: HistoryLine[] = [
  { key: 'accepted', label: 'Accepted', color: 'var(--accent)' },
  { key: 'processed', label: 'Processed', color: 'var(--good)', dashed: true },
];
const LAG: HistoryLine[] = [
  { key: 'lagP50', label: 'Median (p50)', color: 'var(--info)' },
  { key: 'lagP99', label: 'Slowest 1 % (p99)', color: 'var(--warning)' },
];

const perSecond = (v: number) => `${formatNumber(v, v > 0 && v < 10 ? 1 : 0)}/s`;
// the axis marks are whole numbers (historySeries.valueTicks)
const perSecondAxis = (v: number) => (v >= 10_000 ? formatCompactNumber(v) : formatNumber(v));
const events = (v: number) => formatNumber(v);

/**
 * Events/s, backlog per consumer and processing lag over the last hour, from the server's own
 * samples (one every 10 s, kept by each web process). Times are the shop's.
 */
export function HistoryPanel(props: { history: PipelineHistory | undefined; error: string | null; timeZone: string; now: number | null }) {
  const { history, error, timeZone, now } = props;
  const view = useMemo(() => (history && now !== null ? historyView(history, now) : null), [history, now]);
  const clock = useMemo<ChartClock | null>(
    () =>
      view && {
        format: (ts, seconds) => formatTimeIn(timeZone, ts, { seconds }),
        zone: zoneLabel(timeZone, view.end),
        ticks: tenMinuteTicks(view.start, view.end, (ts) => hourStartIn(timeZone, ts)),
      },
    [view, timeZone],
  );
  const every = history ? `one sample every ${formatNumber(history.intervalMs / 1000)} s` : null;

  return (
    <Panel
      title="Last hour"
      meta={clock && <span data-testid="history-zone">times in {clock.zone}</span>}
      testId="history-panel"
      className="history-panel"
    >
      {!view || !clock ? (
        <p className={error ? 'text-critical' : 'muted'} data-testid="history-loading">
          {error ? `Cannot load the pipeline history: ${error}. Trying again by itself…` : 'Loading the pipeline history…'}
        </p>
      ) : (
        <>
          <p className="muted small history-note" data-testid="history-since" data-since={history!.since}>
            {view.historyBegins !== null
              ? `History since ${clock.format(view.historyBegins)} ${clock.zone}, when this server process started; nothing earlier is kept across a restart (shaded). ${sentence(every!)}.`
              : `${sentence(every!)}, kept by this server process.`}
          </p>
          <div className="history-charts">
            <ChartCard title="Events per second" view={view} testId="history-throughput" lines={THROUGHPUT} formatLatest={perSecond}>
              <HistoryChart view={view} lines={THROUGHPUT} clock={clock} formatValue={perSecond} formatAxis={perSecondAxis} testId="chart-throughput" />
            </ChartCard>
            <BacklogCard view={view} clock={clock} />
            <ChartCard title="Processing lag" view={view} testId="history-lag" lines={LAG} formatLatest={formatLag}>
              <HistoryChart view={view} lines={LAG} clock={clock} formatValue={formatLag} minTop={40} testId="chart-lag" />
            </ChartCard>
          </div>
        </>
      )}
    </Panel>
  );
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function BacklogCard({ view, clock }: { view: HistoryView; clock: ChartClock }) {
  const lines = useMemo<HistoryLine[]>(
    () => view.consumers.map((name, i) => ({ key: backlogKey(name), label: consumerLabel(name), color: CONSUMER_COLORS[i % CONSUMER_COLORS.length] })),
    [view.consumers],
  );
  return (
    <ChartCard title="Backlog per consumer" hint="events in the log a consumer has not processed yet" view={view} testId="history-backlog" lines={lines} formatLatest={events}>
      <HistoryChart view={view} lines={lines} clock={clock} formatValue={events} formatAxis={(v) => formatCompactNumber(v)} testId="chart-backlog" />
    </ChartCard>
  );
}

/** the log's consumer names, in words where they are known */
function consumerLabel(name: string): string {
  if (name === 'live') return 'Live state';
  if (name === 'lake') return 'Lake writer';
  return name;
}

/**
 * A chart with its title and a legend that also says each line's newest value, so the figure
 * that matters most now is read without hovering.
 */
function ChartCard(props: {
  title: string;
  hint?: string;
  view: HistoryView;
  lines: HistoryLine[];
  formatLatest: (v: number) => string;
  testId: string;
  children: React.ReactNode;
}) {
  const { view, lines } = props;
  const latest = latestValues(view.rows, lines);
  const waiting = view.rows.length === 0;
  return (
    <section className="history-card" data-testid={props.testId} data-samples={view.rows.length}>
      <h3 className="history-title" title={props.hint}>
        {props.title}
      </h3>
      <ul className="history-legend">
        {lines.map((line) => {
          const value = latest.get(line.key);
          return (
            <li key={line.key} data-testid="history-legend" data-line={line.key} data-value={value ?? undefined}>
              <span className={`history-swatch ${line.dashed ? 'is-dashed' : ''}`} style={{ background: line.color }} aria-hidden="true" />
              <span className="history-legend-label">{line.label}</span>
              <strong className="history-legend-value">{value === undefined || value === null ? '—' : props.formatLatest(value)}</strong>
            </li>
          );
        })}
      </ul>
      <div className="history-chart">
        {waiting ? <p className="muted history-waiting">Waiting for the first sample…</p> : props.children}
      </div>
    </section>
  );
}

/** each line's value in the newest sample: a figure it lacks is unknown now, not what it was earlier */
function latestValues(rows: readonly HistoryRow[], lines: readonly HistoryLine[]): Map<string, number | null> {
  const newest = rows.at(-1);
  return new Map(lines.map((line) => [line.key, newest?.[line.key] ?? null]));
}
