import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import { formatAge, formatDuration, formatLag, formatNumber } from '@/lib/format';
import { formatBytes, isUp, redisMemory, type Dependency, type Health, type RedisMemory } from './healthBody';
import { HEALTH_POLL_MS } from './healthQuery';

const DEPENDENCY_LABEL: Record<string, string> = {
  eventLog: 'Event log',
  liveStore: 'Live store',
  redis: 'Redis',
  userStore: 'User store',
};

export const dependencyLabel = (name: string): string => (Object.hasOwn(DEPENDENCY_LABEL, name) ? DEPENDENCY_LABEL[name] : name);

/** Redis memory above this share of `maxmemory` is worth a look before writes start failing */
const MEMORY_WARNING_SHARE = 0.8;

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
        <p className={error ? 'text-critical' : 'muted'} data-testid="health-loading">
          {error ? `Cannot check health: ${error}. Retrying every ${HEALTH_POLL_MS / 1000} s…` : 'Checking health…'}
        </p>
      ) : (
        <HealthBody health={health} />
      )}
    </Panel>
  );
}

function HealthBody({ health }: { health: Health }) {
  const ok = isUp(health.status);
  const memory = redisMemory(health);
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
          hint="slowest consumer"
          title="events in the log the slowest required consumer has not processed yet"
        />
      </div>

      <h3 className="health-subhead">Dependencies</h3>
      <table className="table health-table">
        <thead>
          <tr>
            <th>Dependency</th>
            <th>Status</th>
            <th className="num">Latency</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(health.dependencies).map(([name, dep]) => (
            <DependencyRow key={name} name={name} dep={dep} memory={name === 'redis' ? memory : null} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DependencyRow({ name, dep, memory }: { name: string; dep: Dependency; memory: RedisMemory | null }) {
  const up = isUp(dep.status);
  return (
    <tr data-testid="dependency" data-name={name} data-status={dep.status}>
      <td>
        <div>{dependencyLabel(name)}</div>
        <div className="mono muted small">{dep.kind}</div>
        {memory && <MemoryLine memory={memory} />}
      </td>
      <td>
        <span className={`status-dot-label ${up ? 'is-ok' : 'is-down'}`}>
          <span className="status-dot" aria-hidden="true" />
          {up ? 'OK' : dep.status === 'down' ? 'Down' : dep.status}
        </span>
        {dep.error && <div className="small text-critical dependency-error">{dep.error}</div>}
      </td>
      <td className="num" data-testid="dependency-latency">
        {dep.latencyMs === undefined ? '—' : formatLag(dep.latencyMs)}
      </td>
    </tr>
  );
}

function MemoryLine({ memory }: { memory: RedisMemory }) {
  const { usedBytes, maxBytes } = memory;
  const share = maxBytes === null ? null : usedBytes / maxBytes;
  const high = share !== null && share >= MEMORY_WARNING_SHARE;
  return (
    <div
      className={`small ${high ? 'text-warning' : 'muted'}`}
      data-testid="redis-memory"
      data-value={usedBytes}
      data-max={maxBytes ?? undefined}
      title={high ? 'close to maxmemory: writes, and so ingest, fail once it is reached' : 'memory Redis uses (used_memory)'}
    >
      {maxBytes === null || share === null
        ? `${formatBytes(usedBytes)} used, no limit`
        : `${formatBytes(usedBytes)} of ${formatBytes(maxBytes)} (${Math.round(share * 100)}%)`}
    </div>
  );
}
