import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatNumber } from '@/lib/format';
import { eventLogView, type EventLogView, type Health, type PartitionRow } from './healthBody';

/** A partition this far behind is worth a look; a healthy one drains within seconds. */
const PARTITION_BACKLOG_WARNING = 1_000;

const partitionsText = (n: number) => `${formatNumber(n)} partition${n === 1 ? '' : 's'}`;

/**
 * The partitioned event log from `GET /api/health`: per partition its head offset, the live
 * consumer's checkpoint, the difference (backlog) and which process holds the lease.
 */
export function EventLogPanel({ health, error }: { health: Health | undefined; error: string | null }) {
  const view = health ? eventLogView(health) : null;
  const meta = view ? `${partitionsText(view.partitions.length)}${view.consumer ? ` · consumer ${view.consumer}` : ''}` : undefined;
  return (
    <Panel title="Event log" meta={meta} testId="event-log-panel">
      {view ? <EventLogBody view={view} /> : <p className="muted">{placeholder(health, error)}</p>}
    </Panel>
  );
}

function placeholder(health: Health | undefined, error: string | null): string {
  if (!health) return error ? `Cannot load the event log: ${error}.` : 'Loading the event log…';
  const log = health.dependencies.eventLog;
  if (log && log.status !== 'ok') return `The event log is not answering${log.error ? `: ${log.error}` : ''}. Its partitions show again once it answers.`;
  return 'This server does not report the partitions of its event log.';
}

function EventLogBody({ view }: { view: EventLogView }) {
  const whose = view.consumer ? `the ${view.consumer} consumer` : 'a consumer';
  return (
    <>
      <div className="stat-grid log-totals">
        <Stat label="Appended" display={formatNumber(view.appended)} value={view.appended} testId="log-appended" title="events written to the log: the partitions' head offsets, summed" />
        <Stat
          label="Checkpointed"
          display={formatNumber(view.checkpointed)}
          value={view.checkpointed}
          testId="log-checkpointed"
          title={`events ${whose} has applied (or set aside as dead letters): its checkpoints, summed`}
        />
        <Stat
          label="Backlog"
          display={view.backlog === null ? '—' : formatNumber(view.backlog)}
          value={view.backlog}
          testId="log-backlog"
          tone={view.backlog !== null && view.backlog > PARTITION_BACKLOG_WARNING ? 'warning' : 'neutral'}
          title="appended but not yet checkpointed"
        />
        <Stat
          label="Stored entries"
          display={view.storedEntries === null ? '—' : formatNumber(view.storedEntries)}
          value={view.storedEntries}
          testId="log-stored-entries"
          title="entries kept in the log after trimming; one entry holds the events of one request for one partition"
        />
      </div>
      {view.unowned > 0 && (
        <p className="small text-warning log-note" data-testid="log-unowned">
          {view.unowned === 1
            ? '1 partition has no owner: its events wait until a processing process takes its lease.'
            : `${formatNumber(view.unowned)} partitions have no owner: their events wait until a processing process takes their leases.`}
        </p>
      )}
      <div className="partition-scroll">
        <table className="table partition-table" data-testid="partitions">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col" className="num" title="events appended to the partition (its head offset)">
                Head
              </th>
              <th scope="col" className="num" title={`the checkpoint of ${whose}: applied up to this offset`}>
                Checkpoint
              </th>
              <th scope="col" className="num" title="head − checkpoint">
                Backlog
              </th>
              <th scope="col" className="partition-owner-col">
                Owner
              </th>
            </tr>
          </thead>
          <tbody>
            {view.partitions.map((row) => (
              <PartitionTableRow key={row.partition} row={row} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function PartitionTableRow({ row }: { row: PartitionRow }) {
  const behind = row.backlog !== null && row.backlog > PARTITION_BACKLOG_WARNING;
  return (
    <tr
      data-testid="partition"
      data-partition={row.partition}
      data-head={row.head}
      data-checkpoint={row.checkpoint ?? undefined}
      data-backlog={row.backlog ?? undefined}
    >
      <td className="mono partition-id">p{row.partition}</td>
      <td className="num" data-testid="partition-head">
        {formatNumber(row.head)}
      </td>
      <td className="num" data-testid="partition-checkpoint">
        {row.checkpoint === null ? '—' : formatNumber(row.checkpoint)}
      </td>
      <td className={`num ${behind ? 'text-warning' : row.backlog === 0 ? 'partition-drained' : ''}`} data-testid="partition-backlog">
        {row.backlog === null ? '—' : formatNumber(row.backlog)}
      </td>
      <td className="partition-owner-col" data-testid="partition-owner" data-owner={row.owner ?? ''}>
        {row.owner === undefined ? (
          <span className="muted">—</span>
        ) : row.owner === null ? (
          <span className="text-warning partition-unowned">unowned</span>
        ) : (
          <span className="mono truncate partition-owner" title={row.owner}>
            {row.owner}
          </span>
        )}
      </td>
    </tr>
  );
}
