'use client';

import { useNow } from '@/components/hooks/useNow';
import { ShopChip } from '@/components/live/LiveHeader';
import { countryName } from '@/components/live/TopListsPanels';
import { formatShare } from '@/components/ui/numbers';
import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatEventType, formatNumber } from '@/lib/format';
import { formatMoney } from '@/lib/money';
import { formatDateTimeIn, formatDayIn, formatTimeIn, zoneLabel } from '@/lib/shopTime';
import { SessionLink } from './EntityLinks';
import { EntityFrame, EntityMessage } from './EntityFrame';
import type { RecentEvent, ShopSettingsView, UserAnalyticsView } from './entityApi';
import { LookupState } from './LookupState';
import { moment } from './moment';
import { useShopSettings, useUserLookup } from './useEntity';

/** `/users/[id]`: the user-analytics item of one user and their recent events. */
export function UserView({ userId }: { userId: string }) {
  const user = useUserLookup(userId);
  const shop = useShopSettings();
  return (
    <EntityFrame kind="user" id={userId} aside={shop.data && <ShopChip shop={shop.data} at={Date.now()} />}>
      <LookupState
        what="user"
        lookup={user}
        shop={shop}
        notFound={
          <EntityMessage testId="entity-not-found" title="No events seen for this user yet">
            <p>
              Pulse has not received any event with this user id. This page fills in by itself as soon as one arrives.
            </p>
          </EntityMessage>
        }
        render={(data, settings) => <UserDetails user={data} shop={settings} />}
      />
    </EntityFrame>
  );
}

function UserDetails({ user, shop }: { user: UserAnalyticsView; shop: ShopSettingsView }) {
  const now = useNow();
  const money = (minor: number) => formatMoney(minor, shop.currency);
  const when = (ts: number) => `${formatDateTimeIn(shop.timeZone, ts)} ${zoneLabel(shop.timeZone, ts)}`;
  const location = user.lastLocation;
  const last = moment(shop.timeZone, user.lastActivity, now);
  return (
    <div className="entity-body" data-testid="user-details">
      <div className="entity-stats">
        <Stat label="Last activity" display={last.display} hint={last.hint} value={user.lastActivity} testId="user-last-activity" />
        <Stat label="Total events" display={formatNumber(user.totalEvents)} value={user.totalEvents} testId="user-total-events" />
        <Stat label="Purchases" display={formatNumber(user.purchaseCount)} value={user.purchaseCount} testId="user-purchases" />
        <Stat
          label={`Lifetime value, ${shop.currency}`}
          display={money(user.lifetimeValueMinor)}
          value={user.lifetimeValueMinor}
          testId="user-lifetime-value"
        />
        <Stat
          label="Average purchase"
          display={user.averagePurchaseMinor === null ? '—' : money(user.averagePurchaseMinor)}
          value={user.averagePurchaseMinor}
          hint={user.averagePurchaseMinor === null ? 'no purchases yet' : undefined}
          testId="user-average-purchase"
        />
        <Stat
          label="Last known location"
          display={location === null ? '—' : location.country === null ? 'unknown country' : countryName(location.country)}
          hint={
            location === null
              ? 'no event carried a location'
              : [location.lat !== null && location.lon !== null ? `${location.lat.toFixed(2)}, ${location.lon.toFixed(2)}` : null, `seen ${when(location.at)}`]
                  .filter(Boolean)
                  .join(' · ')
          }
          testId="user-last-location"
        />
      </div>
      <div className="entity-panels">
        <Panel title="Events by type" meta={`${formatNumber(user.totalEvents)} in all`} testId="user-events-by-type">
          <ul className="bar-list">
            {user.eventsByType.map(([type, count]) => (
              <li key={type} className="bar-row" data-testid="user-event-type" data-type={type} data-value={count}>
                <span className="bar-label" title={type}>
                  {formatEventType(type)}
                </span>
                <span className="bar-track">
                  <span className="bar-fill" style={{ width: `${(count / Math.max(1, user.eventsByType[0][1])) * 100}%`, background: 'var(--accent)' }} />
                </span>
                <span className="bar-value">{formatNumber(count)}</span>
                <span className="bar-share">{formatShare(count, user.totalEvents) ?? ''}</span>
              </li>
            ))}
          </ul>
        </Panel>
        {user.recentEvents !== undefined && <RecentEvents events={user.recentEvents} shop={shop} />}
      </div>
    </div>
  );
}

function RecentEvents({ events, shop }: { events: RecentEvent[]; shop: ShopSettingsView }) {
  return (
    <Panel title="Recent events" meta={`newest first · times ${zoneLabel(shop.timeZone, Date.now())}`} testId="user-recent-events" className="entity-wide">
      {events.length === 0 ? (
        <p className="muted">No recent events kept for this user.</p>
      ) : (
        <div className="table-scroll">
          <table className="table entity-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Type</th>
                <th>Session</th>
                <th className="num">Amount</th>
                <th>Product</th>
                <th>Page</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.eventId} data-testid="recent-event" data-event-id={e.eventId} data-type={e.type}>
                  <td className="ev-time nowrap" title={`event ${e.eventId}`}>
                    {formatDayIn(shop.timeZone, e.ts)} {formatTimeIn(shop.timeZone, e.ts, { seconds: true })}
                  </td>
                  <td className="ev-type">{formatEventType(e.type)}</td>
                  <td className="ev-session id-cell">{e.sessionId === null ? <span className="muted">no session</span> : <SessionLink sessionId={e.sessionId} />}</td>
                  <td className="ev-amount num">{e.amountMinor === null ? '' : formatMoney(e.amountMinor, e.currency ?? shop.currency)}</td>
                  <td className="ev-product mono id-cell">{e.productId ?? ''}</td>
                  <td className="ev-page mono id-cell">{e.page ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
