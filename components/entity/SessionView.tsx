'use client';

import { useNow } from '@/components/hooks/useNow';
import { ShopChip } from '@/components/live/LiveHeader';
import { Stat } from '@/components/ui/Stat';
import { formatDuration, formatNumber } from '@/lib/format';
import { UserLink } from './EntityLinks';
import { EntityFrame, EntityMessage } from './EntityFrame';
import type { SessionAggregatesView, ShopSettingsView } from './entityApi';
import { LookupState } from './LookupState';
import { moment } from './moment';
import { useSessionLookup, useShopSettings } from './useEntity';

/** `/sessions/[id]`: the live aggregates of one session. */
export function SessionView({ sessionId }: { sessionId: string }) {
  const session = useSessionLookup(sessionId);
  const shop = useShopSettings();
  return (
    <EntityFrame kind="session" id={sessionId} aside={shop.data && <ShopChip shop={shop.data} at={Date.now()} />}>
      <LookupState
        what="session"
        lookup={session}
        shop={shop}
        notFound={
          <EntityMessage testId="entity-not-found" title="No events seen for this session yet">
            <p>
              Pulse has not received any event with this session id, or the session ended long enough ago that its live
              aggregates were let go. This page fills in by itself as soon as an event arrives.
            </p>
          </EntityMessage>
        }
        render={(data, settings) => <SessionDetails session={data} shop={settings} />}
      />
    </EntityFrame>
  );
}

function SessionDetails({ session, shop }: { session: SessionAggregatesView; shop: ShopSettingsView }) {
  const now = useNow();
  const started = moment(shop.timeZone, session.startedAt, now);
  const last = moment(shop.timeZone, session.lastEventAt, now);
  return (
    <div className="entity-body" data-testid="session-details">
      <p className="entity-owner">
        Session of user <UserLink userId={session.userId} testId="session-user" />
      </p>
      <div className="entity-stats">
        <Stat label="Started" display={started.display} hint={started.hint} value={session.startedAt} testId="session-started" />
        <Stat label="Last event" display={last.display} hint={last.hint} value={session.lastEventAt} testId="session-last-event" />
        <Stat label="Duration" display={formatDuration(session.durationSeconds)} value={session.durationSeconds} testId="session-duration" />
        <Stat label="Page views" display={formatNumber(session.pageViews)} value={session.pageViews} testId="session-page-views" />
        <Stat label="Unique pages" display={formatNumber(session.uniquePages)} value={session.uniquePages} testId="session-unique-pages" />
        <Stat
          label="Page views per minute"
          display={formatNumber(session.pageViewsPerMinute, 1)}
          value={session.pageViewsPerMinute}
          testId="session-page-views-per-minute"
        />
        <Stat
          label="Purchased"
          display={session.purchased ? 'Yes' : 'Not yet'}
          tone={session.purchased ? 'good' : 'neutral'}
          testId="session-purchased"
          data={{ purchased: String(session.purchased) }}
        />
      </div>
    </div>
  );
}
