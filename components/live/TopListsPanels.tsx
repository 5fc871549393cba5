import { Panel } from '@/components/ui/Panel';
import { formatShare } from '@/components/ui/numbers';
import { formatNumber } from '@/lib/format';
import type { LiveSnapshot, TopLine } from '@/lib/live';
import { formatMoney } from '@/lib/money';
import { WindowMeta } from './WindowMeta';

const MAX_ROWS = 6;

/** Best sellers of the window, by revenue and by units side by side. */
export function TopProductsPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const { products, windowMinutes } = snapshot.top;
  const { currency } = snapshot.shop;
  const empty = products.byRevenue.length === 0 && products.byUnits.length === 0;
  return (
    <Panel title="Top products" meta={<WindowMeta snapshot={snapshot} minutes={windowMinutes} />} testId="top-products" className="panel-wide">
      {empty ? (
        <p className="muted">No products sold in the last {windowMinutes} minutes.</p>
      ) : (
        <div className="top-columns">
          <TopList
            title={`By revenue, ${currency}`}
            lines={products.byRevenue}
            testId="top-products-revenue"
            measure={(l) => l.revenueMinor}
            primary={(l) => formatMoney(l.revenueMinor, currency)}
            secondary={(l) => `${formatNumber(l.units)} ${l.units === 1 ? 'unit' : 'units'}`}
          />
          <TopList
            title="By units"
            lines={products.byUnits}
            testId="top-products-units"
            measure={(l) => l.units}
            primary={(l) => formatNumber(l.units)}
            secondary={(l) => formatMoney(l.revenueMinor, currency)}
          />
        </div>
      )}
      {!empty && snapshot.revenue.unconverted.some((u) => u.lastHourMinor > 0) && (
        <p className="muted small top-note">Purchases in currencies without an exchange rate count in units, not in revenue.</p>
      )}
    </Panel>
  );
}

/** Where purchases come from (the purchase's location), by revenue. */
export function TopCountriesPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const { countries, windowMinutes } = snapshot.top;
  const { currency } = snapshot.shop;
  const total = countries.byRevenue.reduce((sum, l) => sum + l.revenueMinor, 0);
  return (
    <Panel title="Top countries" meta={<WindowMeta snapshot={snapshot} minutes={windowMinutes} />} testId="top-countries">
      {countries.byRevenue.length === 0 ? (
        <p className="muted">No purchases with a location in the last {windowMinutes} minutes.</p>
      ) : (
        <TopList
          title={`By revenue, ${currency}`}
          lines={countries.byRevenue}
          testId="top-countries-revenue"
          label={countryName}
          measure={(l) => l.revenueMinor}
          primary={(l) => formatMoney(l.revenueMinor, currency)}
          secondary={(l) => {
            const share = formatShare(l.revenueMinor, total);
            return `${formatNumber(l.orders)} ${l.orders === 1 ? 'order' : 'orders'}${share ? ` · ${share}` : ''}`;
          }}
        />
      )}
    </Panel>
  );
}

function TopList(props: {
  title: string;
  lines: TopLine[];
  testId: string;
  measure: (line: TopLine) => number;
  primary: (line: TopLine) => string;
  secondary: (line: TopLine) => string;
  label?: (id: string) => string;
}) {
  const shown = props.lines.slice(0, MAX_ROWS);
  const max = Math.max(1, ...shown.map(props.measure));
  return (
    <div className="top-list" data-testid={props.testId}>
      <h3 className="top-list-title">{props.title}</h3>
      <ol className="top-rows">
        {shown.map((line) => {
          const name = props.label ? props.label(line.id) : line.id;
          return (
            <li key={line.id} className="top-row" data-testid="top-row" data-id={line.id} data-value={props.measure(line)}>
              <span className={`top-name ${props.label ? '' : 'mono'}`} title={line.id}>
                {name}
              </span>
              <span className="top-primary">{props.primary(line)}</span>
              <span className="top-track" aria-hidden="true">
                <span className="top-fill" style={{ width: `${(props.measure(line) / max) * 100}%` }} />
              </span>
              <span className="top-secondary">{props.secondary(line)}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  } catch {
    return null;
  }
})();

/** "DE" → "Germany (DE)"; anything that is not a region code is shown as sent. */
export function countryName(id: string): string {
  if (!/^[A-Za-z]{2}$/.test(id) || !regionNames) return id;
  const name = regionNames.of(id.toUpperCase());
  return name ? `${name} (${id.toUpperCase()})` : id;
}
