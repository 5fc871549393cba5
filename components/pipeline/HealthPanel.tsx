import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatAge, formatDuration, formatLag, formatNumber } from '@/lib/format';
import { eventLogDetail, HEALTH_POLL_MS, type Dependency, type EventLogDetail, type Health } from './healthQuery';

const DEPENDENCY_LABEL: Record<string, string> = {
  eventLog: 'Event log',
  liveStore: 'Live store',
  redis: 'Redis',
};

export const dependencyLabel = (name: string): string => DEPENDENCY_LABEL[name] ?? name;

/** A consumer holding entries this long without reading is probably stuck or gone. */
const CONSUMER_IDLE_WARNING_MS = 30_000;

/** Mode, role, durability and every dependency, from `GET /api/health`. */
export function HealthPanel(props: { health: Health | undefined; checkedAgoMs: number | null; error: string | null }) {
  const { health, checkedAgoMs, error } = props;
  const meta =
    checkedAgoMs === null
      ? `checked every ${HEALTH_POLL_MS / 1000} s`
      : `checked ${formatAge(checkedAgoMs)} · every ${HEALTH_POLL_MS / 1000} s`;
  return (
    <Panel title="Service health" meta={<span data-testid="health-checked">{meta}</span>} testId="health-panel">
      {!health ? (
        <p className="muted" data-testid="health-loading">
          {error ? `Cannot reach the health check: ${error}. Retrying…` : 'Checking health…'}
        </p>
      ) : (
        <HealthBody health={health} />
      )}
    </Panel>
  );
}

function HealthBody({ health }: { health: Health }) {
  const ok = health.status === 'ok';
  const stream = eventLogDetail(health);
  return (
    <div className="health">
      <div className="stat-grid stat-grid-2 health-facts">
        <Stat
          label="Status"
          display={ok ? 'Healthy' : 'Degraded'}
          testId="health-status"
          tone={ok ? 'good' : 'critical'}
          data={{ status: health.status }}
        />
        <Stat label="Mode" display={health.mode} testId="health-mode" title="embedded: one process, in memory; single-node: Redis" />
        <Stat label="Role" display={health.role} testId="health-role" title="web serves pages and APIs, worker processes events, all does both" />
        <Stat
          label="Live state"
          display={health.durable ? 'Durable' : 'In memory'}
          testId="health-durable"
          tone={health.durable ? 'neutral' : 'warning'}
          hint={health.durable ? 'survives a restart' : 'lost on restart'}
        />
        <Stat label="Uptime" display={formatDuration(health.uptimeSeconds)} value={health.uptimeSeconds} testId="health-uptime" />
        <Stat
          label="Log backlog"
          display={health.backlog === null ? '—' : formatNumber(health.backlog)}
          value={health.backlog}
          testId="health-backlog"
          hint="not yet processed"
        />
      </div>

      <h3 className="health-subhead">Dependencies</h3>
      <table className="table health-table">
        <thead>
          <tr>
            <th>Dependency</th>
            <th>Kind</th>
            <th>Status</th>
            <th className="num">Latency</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(health.dependencies).map(([name, dep]) => (
            <DependencyRow key={name} name={name} dep={dep} />
          ))}
        </tbody>
      </table>

      {stream ? (
        <StreamDetail stream={stream} />
      ) : (
        <p className="muted small health-note">
          The in-process event log has no stream or consumers to inspect; single-node mode (Redis) shows them here.
        </p>
      )}
    </div>
  );
}

function DependencyRow({ name, dep }: { name: string; dep: Dependency }) {
  const up = dep.status === 'ok';
  return (
    <tr data-testid="dependency" data-name={name} data-status={dep.status}>
      <td>{dependencyLabel(name)}</td>
      <td className="mono muted">{dep.kind}</td>
      <td>
        <span className={`status-dot-label ${up ? 'is-ok' : 'is-down'}`}>
          <span className="status-dot" aria-hidden="true" />
          {up ? 'OK' : 'Down'}
        </span>
        {dep.error && <div className="small text-critical">{dep.error}</div>}
      </td>
      <td className="num" data-testid="dependency-latency">
        {dep.latencyMs === undefined ? '—' : formatLag(dep.latencyMs)}
      </td>
    </tr>
  );
}

function StreamDetail({ stream }: { stream: EventLogDetail }) {
  return (
    <>
      <h3 className="health-subhead">Event log stream</h3>
      <div className="stat-grid stat-grid-3">
        <Stat label="Entries" display={formatNumber(stream.length)} value={stream.length} testId="stream-length" title="entries kept in the stream" />
        <Stat
          label="Pending"
          display={formatNumber(stream.pending)}
          value={stream.pending}
          testId="stream-pending"
          title="delivered to a worker, not yet acknowledged"
        />
        <Stat
          label="Undelivered"
          display={stream.undelivered === null ? '—' : formatNumber(stream.undelivered)}
          value={stream.undelivered}
          testId="stream-undelivered"
          title="not yet read by any worker"
        />
      </div>
      <p className="muted small health-note">
        Pending: delivered to a worker, not yet acknowledged. Undelivered: not yet read by any worker.
      </p>
      <table className="table health-table" data-testid="consumers">
        <thead>
          <tr>
            <th>Consumer</th>
            <th className="num">Pending</th>
            <th className="num">Idle</th>
          </tr>
        </thead>
        <tbody>
          {stream.consumers.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                No worker has joined the consumer group yet.
              </td>
            </tr>
          ) : (
            stream.consumers.map((c) => {
              const stuck = c.pending > 0 && c.idleMs > CONSUMER_IDLE_WARNING_MS;
              return (
                <tr key={c.name} data-testid="consumer" data-name={c.name}>
                  <td className="mono truncate consumer-name" title={c.name}>
                    {c.name}
                  </td>
                  <td className={`num ${stuck ? 'text-warning' : ''}`}>{formatNumber(c.pending)}</td>
                  <td className={`num ${stuck ? 'text-warning' : ''}`} title={stuck ? 'holds entries but has not read for a while' : undefined}>
                    {formatLag(c.idleMs)}
                  </td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </>
  );
}
